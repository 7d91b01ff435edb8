package app

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"strconv"

	"github.com/latchkey/latchkey/internal/config"
)

// listen opens one endpoint: TCP on host:port, or a unix socket when host
// is unix:/path, with the socket's owner, group and mode as configured.
func listen(e config.Endpoint, key string) (net.Listener, error) {
	path, unix := e.SocketPath()
	if !unix {
		l, err := net.Listen("tcp", net.JoinHostPort(e.Host, strconv.Itoa(e.Port)))
		if err != nil {
			return nil, fmt.Errorf("%s: cannot listen on %s:%d: %w", key, e.Host, e.Port, err)
		}
		return l, nil
	}
	// A socket left by a process that died is in the way; anything else
	// at that path is not ours to remove.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSocket != 0 {
		_ = os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on unix socket %s: %w", key, path, err)
	}
	if err := ownSocket(path, e.Socket); err != nil {
		l.Close()
		return nil, fmt.Errorf("%s.socket: %w", key, err)
	}
	return l, nil
}

func ownSocket(path string, s config.Socket) error {
	uid, gid := -1, -1
	if s.Owner != "" {
		u, err := user.Lookup(s.Owner)
		if err != nil {
			return fmt.Errorf("owner %q: %w", s.Owner, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
	}
	if s.Group != "" {
		g, err := user.LookupGroup(s.Group)
		if err != nil {
			return fmt.Errorf("group %q: %w", s.Group, err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if uid != -1 || gid != -1 {
		if err := os.Chown(path, uid, gid); err != nil {
			return fmt.Errorf("cannot set owner and group: %w", err)
		}
	}
	if s.Mode != nil {
		if err := os.Chmod(path, fs.FileMode(*s.Mode)); err != nil {
			return fmt.Errorf("cannot set mode %o: %w", *s.Mode, err)
		}
	}
	return nil
}
