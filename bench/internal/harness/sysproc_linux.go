package harness

import "syscall"

// childAttr makes a server die with the benchmark if the benchmark is
// killed before it can stop it, so that no server outlives its run.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
