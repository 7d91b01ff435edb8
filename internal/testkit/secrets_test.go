package testkit

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps its errors.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestWatchFindsLoggedSecrets: a secret a client reported that shows up in
// a logged line fails the test, with the secret masked in the message; a
// secret of another server, or one too short to tell, does not.
func TestWatchFindsLoggedSecrets(t *testing.T) {
	w, unwatch := newWatch("127.0.0.1:1")
	defer unwatch()
	const secret = "ory_st_0123456789abcdef"
	fmt.Fprintf(w, "level=INFO msg=request route=\"GET /sessions/whoami\"\n")
	fmt.Fprintf(w, "level=DEBUG msg=oops token=%s code=123456\n", secret)
	Secret("127.0.0.1:1", secret)
	Secret("127.0.0.1:1", "123456")
	Secret("127.0.0.1:2", "level=INFO msg=request")
	r := &recorder{TB: t}
	w.check(r)
	if len(r.errors) != 1 || strings.Contains(r.errors[0], secret) || !strings.Contains(r.errors[0], "token=<secret>") {
		t.Fatalf("check reported %q, want the one line with the secret masked", r.errors)
	}
}
