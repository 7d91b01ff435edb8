package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// TestServeDrainsUnderLoad: SIGTERM, sent to `latchkey serve` running as
// a process of its own, under a load of 32 keep-alive connections leaves
// no request a client wrote without an answer. /health/ready turns 503 at
// once; a load balancer seeing it stops opening connections; the
// connections in use are told Connection: close and go; serve exits 0.
func TestServeDrainsUnderLoad(t *testing.T) {
	ports := freePorts(t, 2)
	pub, adm := ports[0], ports[1]
	s := startProcess(t, map[string]string{
		"DSN": testkit.NewDatabase(t, "sqlite"), "SERVE_PUBLIC_PORT": pub, "SERVE_ADMIN_PORT": adm,
		"SERVE_SHUTDOWN_DRAIN_PERIOD": "2s", "LOG_LEVEL": "warn",
	}, "serve", "--dev")
	if code := s.waitReady(t, "http://127.0.0.1:"+pub+"/health/ready"); code != -1 {
		t.Fatalf("serve exited with %d before serving: %s", code, s.stderr)
	}
	addr := "127.0.0.1:" + pub

	var (
		written, answered, told atomic.Int64
		unanswered              atomic.Int64
		outOfRotation           = make(chan struct{}) // the balancer saw ready 503
		busy                    = make(chan struct{}) // every worker got answers
		wg                      sync.WaitGroup
		busyOnce                sync.Once
	)
	const workers = 32
	paths := []string{"/health/alive", "/sessions/whoami", "/self-service/login/api"}
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			for n := 0; n < 100000; n++ {
				if conn == nil {
					select {
					case <-outOfRotation:
						return // the balancer sends this client elsewhere now
					default:
					}
					c, err := net.Dial("tcp", addr)
					if err != nil {
						t.Errorf("worker %d: dial while in rotation: %v", k, err)
						return
					}
					conn, br = c, bufio.NewReader(c)
				}
				path := paths[n%len(paths)]
				if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n\r\n", path, addr); err != nil {
					// Not written: the server had closed this connection
					// after telling it to (or it was never used).
					conn.Close()
					conn = nil
					continue
				}
				written.Add(1)
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					unanswered.Add(1)
					t.Errorf("worker %d: %s written, no answer: %v", k, path, err)
					conn.Close()
					conn = nil
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if answered.Add(1) >= 10*workers {
					busyOnce.Do(func() { close(busy) })
				}
				if res.Close {
					told.Add(1)
					conn.Close()
					conn = nil
				}
			}
		}(k)
	}

	<-busy
	atSignal := written.Load()
	s.cancel() // SIGTERM, for real
	// The load balancer's health check: a fresh connection each time.
	for {
		res, err := http.Get("http://" + addr + "/health/ready")
		if err != nil {
			t.Fatalf("ready while draining: %v", err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusServiceUnavailable {
			break
		}
	}
	close(outOfRotation)
	wg.Wait()
	if code := <-s.done; code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, s.stderr)
	}
	if n := unanswered.Load(); n != 0 {
		t.Fatalf("%d of %d requests written got no answer", n, written.Load())
	}
	if written.Load() <= atSignal {
		t.Errorf("no request was written after the signal: the test did not load the drain")
	}
	if told.Load() < workers {
		t.Errorf("%d answers said Connection: close, want one per keep-alive connection (%d) at least", told.Load(), workers)
	}
	t.Logf("%d requests, %d after the signal, all answered", written.Load(), written.Load()-atSignal)
}
