//go:build linux

package whoamicache

import (
	"bytes"
	"os"
	"sync"
	"syscall"
)

// walHeader watches the header of a SQLite database's WAL index (the
// -shm file every connection to it maps, https://www.sqlite.org/walformat.html):
// every commit, by any connection of any process, rewrites its first 48
// bytes before the commit returns, so while they stay the same nothing
// was committed and the log need not be read. The file is found again by
// name when it was replaced (SQLite deletes it when the last connection
// closes), and anything unexpected answers "changed", which costs one
// query and is always safe.
type walHeader struct {
	path string
	mu   sync.Mutex
	ino  uint64
	mem  []byte
}

func newWALHeader(dbPath string) *walHeader { return &walHeader{path: dbPath + "-shm"} }

// read returns a copy of the header as it is now, or nil if it cannot.
func (w *walHeader) read(buf []byte) []byte {
	var st syscall.Stat_t
	if err := syscall.Stat(w.path, &st); err != nil || st.Size < 48 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mem == nil || st.Ino != w.ino {
		if w.mem != nil {
			_ = syscall.Munmap(w.mem)
			w.mem = nil
		}
		f, err := os.Open(w.path)
		if err != nil {
			return nil
		}
		mem, err := syscall.Mmap(int(f.Fd()), 0, 48, syscall.PROT_READ, syscall.MAP_SHARED)
		f.Close()
		if err != nil {
			return nil
		}
		w.mem, w.ino = mem, st.Ino
	}
	return append(buf[:0], w.mem[:48]...)
}

func sameHeader(a, b []byte) bool { return a != nil && b != nil && bytes.Equal(a, b) }
