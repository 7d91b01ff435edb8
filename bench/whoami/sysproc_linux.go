package main

import "syscall"

// childAttr makes a server die with the benchmark if the benchmark is
// killed before it can stop it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
