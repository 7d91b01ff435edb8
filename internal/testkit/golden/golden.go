package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "record golden files anew instead of comparing with them")

// Check compares got with testdata/<name> and fails the test with a line
// diff when they differ. With -update it writes got there instead.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (record it with go test -run '%s' -update)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what was answered (- recorded, + answered; -update records the answer):\n%s", path, Diff(string(want), string(got)))
	}
}

// Diff is a line diff of a and b: lines only in a start with "-", lines
// only in b with "+", and up to three unchanged lines around each change
// are kept for context.
func Diff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:]
	// and y[j:]; golden files are small enough for the quadratic table.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var lines []string
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			lines = append(lines, "  "+x[i])
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, "- "+x[i])
			i++
		default:
			lines = append(lines, "+ "+y[j])
			j++
		}
	}
	return strings.Join(context(lines, 3), "\n")
}

// context keeps the changed lines and n unchanged ones on each side,
// marking what it leaves out.
func context(lines []string, n int) []string {
	keep := make([]bool, len(lines))
	for k, l := range lines {
		if !strings.HasPrefix(l, "  ") {
			for d := max(0, k-n); d <= min(len(lines)-1, k+n); d++ {
				keep[d] = true
			}
		}
	}
	var out []string
	for k, l := range lines {
		switch {
		case keep[k]:
			out = append(out, l)
		case k == 0 || keep[k-1]:
			out = append(out, "  …")
		}
	}
	return out
}
