package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// output records what reaches it and tells a waiter about each write.
type output struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	wrote  chan struct{}
}

func newOutput() *output { return &output{wrote: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.writes++
	o.b.Write(p)
	select {
	case o.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// TestCloseWritesEverything: lines written from many goroutines all reach
// the output by Close, whole, each goroutine's in its order.
func TestCloseWritesEverything(t *testing.T) {
	out := newOutput()
	w := New(out)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "writer=%d line=%d %s\n", g, i, strings.Repeat("x", i%300))
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines reached the output, want %d", len(got), writers*lines)
	}
	for _, line := range got {
		var g, i int
		head, rest, found := strings.Cut(line, " x")
		if _, err := fmt.Sscanf(head, "writer=%d line=%d", &g, &i); err != nil {
			t.Fatalf("mangled line %q: %v", line, err)
		}
		if found {
			rest = "x" + rest
		}
		if g < 0 || g >= writers || i != next[g] || len(rest) != i%300 {
			t.Fatalf("got line %q, want writer %d's line %d next", line, g, next[g])
		}
		next[g]++
	}
	if out.writes >= writers*lines {
		t.Errorf("%d writes for %d lines: nothing was gathered", out.writes, writers*lines)
	}
}

// TestLineArrivesWithoutClose: a line is written out on its own, soon,
// with nobody calling Flush or Close.
func TestLineArrivesWithoutClose(t *testing.T) {
	out := newOutput()
	w := New(out)
	defer w.Close()
	fmt.Fprintln(w, "level=INFO msg=request")
	select {
	case <-out.wrote:
	case <-time.After(time.Minute):
		t.Fatal("the line never reached the output")
	}
	if got := out.String(); got != "level=INFO msg=request\n" {
		t.Errorf("output %q", got)
	}
}

// TestFullBufferWritesAtOnce: a writer that fills the buffer writes it out
// before Write returns, so memory stays bounded when the output is slow.
func TestFullBufferWritesAtOnce(t *testing.T) {
	out := newOutput()
	w := New(out)
	defer w.Close()
	big := bytes.Repeat([]byte("y"), maxPending)
	if _, err := w.Write(big); err != nil {
		t.Fatal(err)
	}
	if got := len(out.String()); got != maxPending {
		t.Errorf("%d bytes out after a full buffer's Write returned, want %d", got, maxPending)
	}
}

// TestWriteAfterClose goes straight to the output.
func TestWriteAfterClose(t *testing.T) {
	out := newOutput()
	w := New(out)
	fmt.Fprint(w, "a\n")
	w.Close()
	fmt.Fprint(w, "b\n")
	if got := out.String(); got != "a\nb\n" {
		t.Errorf("output %q, want both lines in order", got)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
