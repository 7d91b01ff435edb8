//go:build !linux

package main

import "syscall"

// childAttr: only Linux can tie the server's life to the benchmark's.
func childAttr() *syscall.SysProcAttr { return nil }
