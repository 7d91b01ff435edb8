//go:build !linux

package harness

import "syscall"

// childAttr: only Linux can tie a server's life to the benchmark's.
func childAttr() *syscall.SysProcAttr { return nil }
