package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/hasher"
)

// calibrate finds argon2id parameters for this machine, taking the
// reference's arguments: the sign-ins per minute to plan for, and flags
// for the time one hash should take and the memory hashing may use.
func calibrate(_ context.Context, c *cli, args []string) error {
	fs := c.flags()
	cal := hasher.Calibration{
		MinimalDuration: 500 * time.Millisecond, ExpectedDeviation: 500 * time.Millisecond,
		DedicatedMemory: 1 << 30, MaxConcurrent: 16, StartMemory: 1 << 30, AdjustMemoryBy: 512 << 20,
		StartIterations: 1, Parallelism: uint8(min(2*runtime.NumCPU(), 255)), SaltLength: 16, KeyLength: 32, Runs: 2,
	}
	fs.DurationVar(&cal.MinimalDuration, "minimal-duration", cal.MinimalDuration, "the least time one hash (about one sign-in) should take")
	fs.DurationVar(&cal.ExpectedDeviation, "expected-deviation", cal.ExpectedDeviation, "how much longer than that one hash may take")
	byteFlag(fs, &cal.DedicatedMemory, "dedicated-memory", "memory all concurrent hashes may use together")
	fs.IntVar(&cal.MaxConcurrent, "max-concurrent", cal.MaxConcurrent, "the most hashes that run at once")
	byteFlag(fs, &cal.StartMemory, "start-memory", "memory to start probing at")
	byteFlag(fs, &cal.StartMemory, "m", "same as --start-memory")
	byteFlag(fs, &cal.MaxMemory, "max-memory", "the most memory one hash may use (0: no limit)")
	byteFlag(fs, &cal.AdjustMemoryBy, "adjust-memory-by", "how much memory changes between probes")
	iters := fs.Uint("start-iterations", uint(cal.StartIterations), "iterations to start probing at")
	fs.UintVar(iters, "i", uint(cal.StartIterations), "same as --start-iterations")
	par := fs.Uint("parallelism", uint(cal.Parallelism), "threads per hash")
	salt := fs.Uint("salt-length", uint(cal.SaltLength), "salt length in bytes")
	key := fs.Uint("key-length", uint(cal.KeyLength), "key length in bytes")
	fs.IntVar(&cal.Runs, "probe-runs", cal.Runs, "runs per probe; the median counts")
	fs.IntVar(&cal.Runs, "r", cal.Runs, "same as --probe-runs")
	quiet := fs.Bool("quiet", false, "print only the result")
	fs.BoolVar(quiet, "q", false, "same as --quiet")
	format := fs.String("format", "yaml", "output format: yaml (a hashers block for the config file), json or json-pretty")
	fs.StringVar(format, "f", "yaml", "same as --format")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usageError{"hashers argon2 calibrate needs one argument: the sign-ins per minute to plan for, such as 60"}
	}
	if cal.RequestsPerMinute, err = strconv.Atoi(positional[0]); err != nil || cal.RequestsPerMinute < 1 {
		// Earlier Latchkey releases took the duration of one hash here.
		d, derr := time.ParseDuration(positional[0])
		if derr != nil || d <= 0 {
			return usageError{fmt.Sprintf("%q is not a number of sign-ins per minute such as 60", positional[0])}
		}
		cal.RequestsPerMinute, cal.MinimalDuration = 60, d
	}
	switch {
	case *par < 1 || *par > 255:
		return usageError{"--parallelism must be 1-255"}
	case *salt < 16 || *key < 16:
		return usageError{"--salt-length and --key-length must be at least 16"}
	case cal.StartMemory < 1<<20:
		return usageError{"--start-memory must be at least 1MB"}
	case *format != "yaml" && *format != "default" && *format != "json" && *format != "json-pretty":
		return usageError{fmt.Sprintf("--format %q is not one of yaml, json or json-pretty", *format)}
	}
	cal.StartIterations, cal.Parallelism, cal.SaltLength, cal.KeyLength = uint32(*iters), uint8(*par), uint32(*salt), uint32(*key)
	res := hasher.Calibrate(cal, func(p hasher.Argon2Params, took time.Duration) {
		if !*quiet {
			fmt.Fprintf(c.stderr, "  %dMB, %d iteration(s): one hash took %v\n", p.Memory/1024, p.Iterations, took.Round(time.Millisecond))
		}
	})
	p := res.Params
	if !*quiet {
		fmt.Fprintf(c.stderr, "At %d sign-ins per minute about %d hash(es) run at once, using %dMB together.\n",
			cal.RequestsPerMinute, res.Concurrent, uint64(p.Memory)*uint64(res.Concurrent)/1024)
	}
	// Whole milliseconds: the reference's schema takes no fractions.
	ms := func(d time.Duration) string { return fmt.Sprintf("%dms", max(d.Milliseconds(), 1)) }
	out := map[string]any{
		"memory": fmt.Sprintf("%dMB", p.Memory/1024), "iterations": p.Iterations, "parallelism": p.Parallelism,
		"salt_length": p.SaltLength, "key_length": p.KeyLength, "expected_duration": ms(res.Took),
		"expected_deviation": ms(cal.ExpectedDeviation), "dedicated_memory": fmt.Sprintf("%dMB", cal.DedicatedMemory>>20),
	}
	if strings.HasPrefix(*format, "json") {
		enc := json.NewEncoder(c.stdout)
		if *format == "json-pretty" {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(out)
	}
	_, err = fmt.Fprintf(c.stdout, "hashers:\n  algorithm: argon2\n  argon2:\n    memory: %s\n    iterations: %d\n    parallelism: %d\n    salt_length: %d\n    key_length: %d\n    expected_duration: %s\n    expected_deviation: %s\n    dedicated_memory: %s\n",
		out["memory"], p.Iterations, p.Parallelism, p.SaltLength, p.KeyLength, out["expected_duration"], out["expected_deviation"], out["dedicated_memory"])
	return err
}

// byteSize is a flag holding a size such as 512MB (binary multiples).
type byteSize struct{ v *uint64 }

func byteFlag(fs *flag.FlagSet, v *uint64, name, usage string) {
	fs.Var(byteSize{v}, name, usage)
}

func (b byteSize) String() string {
	if b.v == nil {
		return ""
	}
	return fmt.Sprintf("%dMB", *b.v>>20)
}

func (b byteSize) Set(s string) error {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a size such as 512MB", s)
			}
			*b.v = n * u.mult
			return nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a size such as 512MB", s)
	}
	*b.v = n
	return nil
}
