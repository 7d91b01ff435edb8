package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/latchkey/latchkey/internal/hasher"
)

// hashers calibrates argon2id for this machine: the iterations that make
// one hash take about the target time at the chosen memory.
func hashers(args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "argon2" || args[1] != "calibrate" {
		return usageError{"usage: latchkey hashers argon2 calibrate [DURATION] [--memory MiB] [--parallelism N]"}
	}
	fs := newFlags("hashers argon2 calibrate", stderr)
	memory := fs.Uint("memory", 128, "memory per hash, in MiB")
	parallelism := fs.Uint("parallelism", uint(min(2*runtime.NumCPU(), 255)), "threads per hash")
	positional, err := parseInterspersed(fs, args[2:])
	if err != nil {
		return err
	}
	target := 500 * time.Millisecond
	if len(positional) > 0 {
		if target, err = time.ParseDuration(positional[0]); err != nil || target <= 0 {
			return usageError{fmt.Sprintf("%q is not a positive duration such as 500ms", positional[0])}
		}
	}
	if *memory < 1 || *memory > 4096 || *parallelism < 1 || *parallelism > 255 {
		return usageError{"--memory must be 1-4096 MiB and --parallelism 1-255"}
	}
	p := hasher.Calibrate(hasher.Argon2Params{Memory: uint32(*memory) * 1024, Parallelism: uint8(*parallelism), SaltLength: 16, KeyLength: 32}, target,
		func(d time.Duration) { fmt.Fprintf(stderr, "  one hash took %v\n", d.Round(time.Millisecond)) })
	_, err = fmt.Fprintf(stdout, "hashers:\n  algorithm: argon2\n  argon2:\n    memory: %dMB\n    iterations: %d\n    parallelism: %d\n    salt_length: %d\n    key_length: %d\n",
		p.Memory/1024, p.Iterations, p.Parallelism, p.SaltLength, p.KeyLength)
	return err
}
