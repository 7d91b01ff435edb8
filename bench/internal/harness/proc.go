package harness

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// The benchmarks read the server's memory and CPU from /proc instead of
// asking the server, so that the server under test runs unchanged. Off
// Linux the readers answer 0.

// ReadRSS returns a process's resident memory in KiB (VmRSS), 0 if unknown.
func ReadRSS(pid int) int64 { return ReadMem(pid).RSS }

// Mem is a process's resident memory in KiB, split the way the kernel
// counts it: RSS = Anon + File (+ shared memory, which a server has none
// of). Anon is what the process allocated (heap, stacks, written data);
// File is pages of mapped files, nearly all the binary's own code and
// read-only data, which count towards RSS but are clean page cache,
// shared by every process running that binary. A figure of RSS alone
// hides which of the two moved.
type Mem struct {
	RSS  int64 `json:"rss_kib"`
	Anon int64 `json:"anon_kib"`
	File int64 `json:"file_kib"`
}

// ReadMem returns a process's VmRSS, RssAnon and RssFile; zeros if unknown.
func ReadMem(pid int) Mem {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Mem{}
	}
	defer f.Close()
	var m Mem
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n
		case "RssAnon":
			m.Anon = n
		case "RssFile":
			m.File = n
		}
	}
	return m
}

// CPUTime returns the CPU time a process's threads have run, to the
// nanosecond (the sum of /proc/PID/task/*/schedstat), for costs too short
// for CPUTicks' 10 ms ticks, such as start-up; 0 if unknown. Threads that
// have exited are not counted (a Go server keeps its threads).
func CPUTime(pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			sum += n
		}
	}
	return time.Duration(sum)
}

// CPUTicks returns a process's user+system CPU time in clock ticks
// (USER_HZ, TicksPerSecond on Linux), 0 if unknown.
func CPUTicks(pid int) int64 {
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

// TicksPerSecond is USER_HZ, the unit of CPUTicks.
const TicksPerSecond = 100
