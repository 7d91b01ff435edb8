// Package harness is what the load generators under bench/ (whoami,
// flows) share to run the real latchkey binary the way an operator would:
// build ./cmd/latchkey, write a config, create (and drop) the run's
// database, `latchkey migrate sql`, start `latchkey serve` as a child
// process and wait for it to be healthy, read the server's memory and CPU
// from /proc, and the few statistics and flag checks both report with.
//
// It lives in one place so that the two programs measure the same server
// set up the same way: a difference between their numbers is then the
// workload's, not the harness's.
package harness
