package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Child is a server process a benchmark started. A benchmark drives
// servers in other processes so that the load generator's own CPU and
// memory are not counted as the server's, and so that /proc can be read
// for the server alone.
type Child struct {
	name string
	cmd  *exec.Cmd
	log  string        // where its output goes
	done chan struct{} // closed when it has exited
	err  error         // its exit status, once done is closed
	once sync.Once
	// started is taken just before the exec, so that a start-up time
	// measured from it includes the exec, the dynamic loader and the Go
	// runtime's and packages' initialisation, and nothing of the caller's.
	started time.Time
	// Ready is how the process got ready, set by WaitReady.
	Ready Readiness
}

// Readiness is a server's start-up: from the exec to its first 200 from a
// health check (Wall, to about a millisecond: the poll interval), the CPU
// time it had used by then (CPU, which a loaded machine does not inflate
// the way it does Wall), and its memory at that moment.
type Readiness struct {
	Wall time.Duration
	CPU  time.Duration
	Mem  Mem
}

// StartChild starts a server process with its output in logPath. name is
// what messages call it.
func StartChild(name, logPath string, bin string, args ...string) (*Child, error) {
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childAttr()
	started := time.Now()
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &Child{name: name, cmd: cmd, log: logPath, done: make(chan struct{}), started: started}
	go func() { c.err = cmd.Wait(); out.Close(); close(c.done) }()
	return c, nil
}

// PID is the process id, for /proc.
func (c *Child) PID() int { return c.cmd.Process.Pid }

// Signal sends the process a signal (bench/whoami toggles profiling so).
func (c *Child) Signal(s os.Signal) error { return c.cmd.Process.Signal(s) }

// Stop asks the process to shut down (SIGTERM) and kills it after 20s.
// Calling it again does nothing.
func (c *Child) Stop() {
	c.once.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
}

// Exited returns an error with the end of the log if the process has
// exited (a server must stay up for the whole run), else nil.
func (c *Child) Exited() error {
	select {
	case <-c.done:
		return fmt.Errorf("%s exited during the run (%v); the end of its log:\n%s", c.name, c.err, c.Tail())
	default:
		return nil
	}
}

// Tail returns the end of the child's log, for error messages.
func (c *Child) Tail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// WaitReady polls url until it answers 200, the process exits, or 30s
// pass, and records the start-up in c.Ready.
func (c *Child) WaitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	// No keep-alive: each poll is what a fresh health checker sees.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", c.name, c.err, c.Tail())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				pid := c.PID()
				c.Ready = Readiness{Wall: time.Since(c.started), CPU: CPUTime(pid), Mem: ReadMem(pid)}
				return nil
			}
		}
		// Often enough that start→ready is measured to about a
		// millisecond; a refused connection costs microseconds.
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s was not ready within 30s:\n%s", c.name, c.Tail())
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
