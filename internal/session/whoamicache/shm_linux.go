//go:build linux

package whoamicache

import (
	"bytes"
	"os"
	"sync"
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
type walHeader struct {
	path string
	mu   sync.Mutex
	ino  uint64
	f    *os.File
}

func newWALHeader(dbPath string) *walHeader { return &walHeader{path: dbPath + "-shm"} }

// read appends the header as it is now to buf, or returns nil if it cannot.
func (w *walHeader) read(buf []byte) []byte {
	var st syscall.Stat_t
	if err := syscall.Stat(w.path, &st); err != nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
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
