//go:build linux

package whoamicache

import (
	"bytes"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// walHeader watches the header of a SQLite database's WAL index (the
// -shm file every connection to it shares, https://www.sqlite.org/walformat.html):
// every commit, by any connection of any process, rewrites its first 48
// bytes before the commit returns, so while they stay the same nothing
// was committed and the log need not be read. The file is read with
// pread, not mapped, since SQLite may truncate it when a connection opens
// it first (a mapping would then fault); it is found again by name when
// it was replaced (SQLite deletes it when the last connection closes).
// Anything unexpected answers "changed", which costs one query and is
// always safe.
//
// Once pinned (while a connection of the cache's own holds the WAL index,
// see holdWALIndex), the file cannot be deleted or truncated, so it is
// read without looking for a replacement: one system call per check.
type walHeader struct {
	path   string
	pinned atomic.Pointer[os.File]

	mu     sync.Mutex
	closed bool
	ino    uint64
	f      *os.File
}

func newWALHeader(dbPath string) *walHeader { return &walHeader{path: dbPath + "-shm"} }

// pin opens the file for good. Call it only while a connection holds the
// WAL index open, and close that connection only after close.
func (w *walHeader) pin() bool {
	f, err := os.Open(w.path)
	if err != nil {
		return false
	}
	w.pinned.Store(f)
	return true
}

// close ends reading: a check after it answers "changed".
func (w *walHeader) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	for _, f := range []*os.File{w.pinned.Swap(nil), w.f} {
		if f != nil {
			f.Close()
		}
	}
	w.f = nil
}

// read appends the header as it is now to buf, or returns nil if it cannot.
func (w *walHeader) read(buf []byte) []byte {
	if f := w.pinned.Load(); f != nil {
		buf = buf[:48]
		if n, err := f.ReadAt(buf, 0); err != nil || n != 48 {
			return nil
		}
		return buf
	}
	var st syscall.Stat_t
	if err := syscall.Stat(w.path, &st); err != nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.f == nil || st.Ino != w.ino {
		if w.f != nil {
			w.f.Close()
			w.f = nil
		}
		f, err := os.Open(w.path)
		if err != nil {
			return nil
		}
		w.f, w.ino = f, st.Ino
	}
	buf = buf[:48]
	if n, err := w.f.ReadAt(buf, 0); err != nil || n != 48 {
		return nil
	}
	return buf
}

func sameHeader(a, b []byte) bool { return a != nil && b != nil && bytes.Equal(a, b) }
