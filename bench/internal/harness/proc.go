package harness

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// The benchmarks read the server's memory and CPU from /proc instead of
// asking the server, so that the server under test runs unchanged. Off
// Linux the readers answer 0.

// ReadRSS returns a process's resident memory in KiB (VmRSS), 0 if unknown.
func ReadRSS(pid int) int64 {
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
