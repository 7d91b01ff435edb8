// Package logbuf gathers a server's log lines into fewer writes.
//
// Every request is logged, so an unbuffered log costs a write system call
// per request: about a tenth of a whoami's CPU. A Writer keeps what it is
// given for a moment (Delay) and writes all of it at once, from a
// goroutine of its own; Close writes the rest, so a clean shutdown loses
// nothing. What a crash loses is at most that moment's lines.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Delay is how long a line waits for others before it is written: short
// enough that `tail -f` looks live, long enough that a busy server writes
// its lines by the dozen.
const Delay = 5 * time.Millisecond

// maxPending bounds what is kept: past it, the writer that crossed it
// writes everything itself, waiting like an unbuffered write would, so a
// stalled output holds the server back instead of filling its memory.
const maxPending = 64 << 10

// maxSpare keeps one burst from pinning a large buffer for good.
const maxSpare = 1 << 20

// Writer is safe for concurrent use. Each Write's bytes stay together and
// in order, so whole lines (slog writes one per call) never interleave.
type Writer struct {
	out io.Writer

	mu      sync.Mutex
	buf     []byte // waiting to be written
	closed  bool
	pending chan struct{} // signalled when buf stops being empty
	quit    chan struct{}
	done    chan struct{} // closed when the flushing goroutine has ended

	outMu sync.Mutex // one write to out at a time, in the order taken
	spare []byte     // the previous buffer, for reuse; under outMu
}

// New returns a Writer that writes to out.
func New(out io.Writer) *Writer {
	w := &Writer{out: out, pending: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

// Write keeps p for the next write to the output. It never fails: a log
// write error has nowhere to be reported (slog drops it too).
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.closed {
		// Lines logged after Close (a late goroutine) go straight out.
		w.mu.Unlock()
		w.outMu.Lock()
		defer w.outMu.Unlock()
		return w.out.Write(p)
	}
	first := len(w.buf) == 0
	w.buf = append(w.buf, p...)
	over := len(w.buf) >= maxPending
	w.mu.Unlock()
	if first {
		select {
		case w.pending <- struct{}{}:
		default:
		}
	}
	if over {
		w.Flush()
	}
	return len(p), nil
}

// Flush writes everything kept so far, waiting for a write in progress.
func (w *Writer) Flush() {
	w.outMu.Lock()
	defer w.outMu.Unlock()
	w.mu.Lock()
	b := w.buf
	w.buf = w.spare[:0]
	w.mu.Unlock()
	if len(b) > 0 {
		_, _ = w.out.Write(b)
	}
	if cap(b) <= maxSpare {
		w.spare = b[:0]
	} else {
		w.spare = nil
	}
}

// Close writes what is left and stops the flushing goroutine. Later
// writes go straight to the output.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	close(w.quit)
	<-w.done
	w.Flush()
	return nil
}

func (w *Writer) loop() {
	defer close(w.done)
	t := time.NewTimer(Delay)
	t.Stop()
	for {
		select {
		case <-w.pending:
		case <-w.quit:
			return
		}
		t.Reset(Delay)
		select {
		case <-t.C:
		case <-w.quit:
			t.Stop()
			return
		}
		w.Flush()
	}
}
