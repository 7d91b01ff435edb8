// Package bench holds Latchkey's performance benchmarks. The whoami load
// generator is the command in ./whoami (go run ./bench/whoami); the
// in-process comparison is `go test -bench . ./bench/`. See README.md.
package bench
