package testkit

import (
	"bufio"
	"bytes"
	"strings"
	"sync"
	"testing"
)

// Every server a test starts logs into a watch as well; the test's clients
// (the sdk package's) report the secrets they send and receive to it:
// passwords, session tokens, cookies, anti-CSRF and recovery tokens. When
// the server stops, none of them may appear in anything it logged, so the
// whole suite, not one journey, checks that secrets stay out of logs.
type watch struct {
	mu      sync.Mutex
	log     bytes.Buffer
	secrets map[string]bool
}

func (w *watch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(p)
}

// watches are the running servers' watches by the host:port their clients
// dial.
var watches sync.Map

// minSecret keeps short values (a six-digit code, a deliberately short
// password) out of the check: they could match any text by chance.
const minSecret = 10

// Secret reports a secret a client sent to or got from the test server at
// host (a URL's host:port). It does nothing for other hosts.
func Secret(host, value string) {
	if len(value) < minSecret {
		return
	}
	if w, ok := watches.Load(host); ok {
		w := w.(*watch)
		w.mu.Lock()
		w.secrets[value] = true
		w.mu.Unlock()
	}
}

func newWatch(hosts ...string) (*watch, func()) {
	w := &watch{secrets: map[string]bool{}}
	for _, h := range hosts {
		watches.Store(h, w)
	}
	return w, func() {
		for _, h := range hosts {
			watches.CompareAndDelete(h, w)
		}
	}
}

// check fails the test for every logged line holding a secret; the
// message shows the line with the secret masked.
func (w *watch) check(t testing.TB) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	sc := bufio.NewScanner(bytes.NewReader(w.log.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for s := range w.secrets {
			if strings.Contains(line, s) {
				t.Errorf("the server logged a secret its clients used (%.4s…): %s", s, strings.ReplaceAll(line, s, "<secret>"))
			}
		}
	}
}
