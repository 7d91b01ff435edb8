package config

import (
	"os"
	"strings"
	"testing"
)

// readmeRows returns the rows of a README table between its markers:
// first cell (without backquotes) to second cell.
func readmeRows(t *testing.T, marker string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	start := strings.Index(s, "<!-- "+marker)
	end := strings.Index(s, "<!-- /"+marker+" -->")
	if start < 0 || end < start {
		t.Fatalf("README has no %s table", marker)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(s[start:end], "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		key := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if _, dup := rows[key]; dup {
			t.Errorf("README lists %s twice", key)
		}
		rows[key] = strings.TrimSpace(cells[2])
	}
	return rows
}

// TestREADMEReferenceKeys: the README's table names every key of the
// reference exactly once, and says "not supported" exactly for the keys
// the loader warns about.
func TestREADMEReferenceKeys(t *testing.T) {
	rows := readmeRows(t, "reference-keys")
	for _, k := range referenceKeys {
		status, ok := rows[k.Path]
		if !ok {
			t.Errorf("README's key table lacks %s", k.Path)
			continue
		}
		delete(rows, k.Path)
		_, _, named := noEffectNote(k.Path)
		switch {
		case named && status != "not supported":
			t.Errorf("README says %s %s, but it has no effect", k.Path, status)
		case !named && status != "works" && status != "differs":
			t.Errorf("README says %s is %q, but Latchkey reads it: use works or differs", k.Path, status)
		}
	}
	for key := range rows {
		t.Errorf("README's key table lists %s, which is not a key of the reference", key)
	}
}
