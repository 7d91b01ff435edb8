package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// runMain makes the test binary run as latchkey itself when a test starts
// it as a child process, so that a test can send it real signals.
const runMain = "LATCHKEY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMain) == "1" {
		os.Args = append(os.Args[:1], os.Args[2:]...) // drop the -test.run guard
		main()
	}
	os.Exit(m.Run())
}

// startProcess runs `latchkey args...` as a process of its own with only
// vars in its environment; cancel sends it SIGTERM, done gets its exit
// code.
func startProcess(t *testing.T, vars map[string]string, args ...string) *serving {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = []string{runMain + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	s := &serving{done: make(chan int, 1), stdout: &testkit.LockedBuffer{}, stderr: &testkit.LockedBuffer{}}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cancel = func() { _ = cmd.Process.Signal(syscall.SIGTERM) }
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			s.done <- 0
		case errors.As(err, &ee):
			s.done <- ee.ExitCode()
		default:
			s.done <- -2
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}
