package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a server process the benchmark started.
type child struct {
	name string
	cmd  *exec.Cmd
	log  string        // where its output goes
	done chan struct{} // closed when it has exited
	err  error         // its exit status, once done is closed
	once sync.Once
}

// startChild starts a server process with its output in logPath.
func startChild(name, logPath string, bin string, args ...string) (*child, error) {
	out, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); out.Close(); close(c.done) }()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the process to shut down (SIGTERM) and kills it after 20s.
// Calling it again does nothing.
func (c *child) stop() {
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

// exited returns an error with the end of the log if the process has
// exited (a server must stay up for the whole run), else nil.
func (c *child) exited() error {
	select {
	case <-c.done:
		return fmt.Errorf("%s exited during the run (%v); the end of its log:\n%s", c.name, c.err, c.tail())
	default:
		return nil
	}
}

// tail returns the end of the child's log, for error messages.
func (c *child) tail() string {
	b, _ := os.ReadFile(c.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// waitReady polls url until it answers 200, the process exits, or 30s pass.
func (c *child) waitReady(ctx context.Context, url string) error {
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", c.name, c.err, c.tail())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s was not ready within 30s:\n%s", c.name, c.tail())
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readRSS returns a process's resident memory in KiB (VmRSS).
func readRSS(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTicks returns a process's user+system CPU time in clock ticks
// (USER_HZ, 100 per second on Linux).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64) // utime (field 14)
	s, _ := strconv.ParseInt(f[12], 10, 64) // stime (field 15)
	return u + s
}

const ticksPerSecond = 100

// sampler records a process's peak RSS every 100ms between start and stop,
// and the CPU time it used in between.
type sampler struct {
	pid      int
	mu       sync.Mutex
	started  bool
	peak     int64
	cpu0     int64
	t0       time.Time
	stopc    chan struct{}
	stopped  chan struct{}
	cpuCores float64
}

func newSampler(pid int) *sampler {
	return &sampler{pid: pid, stopc: make(chan struct{}), stopped: make(chan struct{})}
}

func (s *sampler) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	s.started = true
	s.cpu0, s.t0 = cpuTicks(s.pid), time.Now()
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			rss := readRSS(s.pid)
			s.mu.Lock()
			s.peak = max(s.peak, rss)
			s.mu.Unlock()
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
}

// stop ends sampling; call it once, after start or instead of it.
func (s *sampler) stop() {
	s.mu.Lock()
	started := s.started
	s.started = true // a late start does nothing
	s.mu.Unlock()
	close(s.stopc)
	if !started {
		return
	}
	<-s.stopped
	if el := time.Since(s.t0).Seconds(); el > 0 {
		s.cpuCores = float64(cpuTicks(s.pid)-s.cpu0) / ticksPerSecond / el
	}
	rss := readRSS(s.pid)
	s.mu.Lock()
	s.peak = max(s.peak, rss)
	s.mu.Unlock()
}

func (s *sampler) peakKiB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}
