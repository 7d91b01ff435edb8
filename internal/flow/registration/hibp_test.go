package registration_test

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// breached is a password the fake range API lists; it passes every local
// rule, so only the breach check can refuse it.
const breached = "Tr0ub4dor&3-horse"

// rangeAPI serves the HaveIBeenPwned range API for one breached password,
// with padding lines as the real one sends, and records the paths asked.
func rangeAPI(t *testing.T) (*httptest.Server, func() []string) {
	sum := sha1.Sum([]byte(breached))
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n")
		if prefix == digest[:5] {
			fmt.Fprintf(w, "%s:3861493\r\n", digest[5:])
		}
		fmt.Fprintf(w, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:2\r\n")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), paths...)
	}
}

func withBreachCheck(host string, ignoreNetworkErrors bool) func(*config.Config) {
	return func(c *config.Config) {
		on := true
		c.SelfService.Methods.Password.Config.HaveIBeenPwnedEnabled = &on
		c.SelfService.Methods.Password.Config.HaveIBeenPwnedHost = host
		c.SelfService.Methods.Password.Config.IgnoreNetworkErrors = &ignoreNetworkErrors
	}
}

// TestBreachedPassword: a password the range API lists is refused with
// 4000005; one it does not list is accepted. Only the first five hex digits
// of the hash leave the server.
func TestBreachedPassword(t *testing.T) {
	api, paths := rangeAPI(t)
	s := testkit.StartSQLite(t, withBreachCheck(api.URL, false))

	f := sdk.WantFlow(t, "registration", submit(t, s, body(t, "password", "pwned@example.com", breached)))
	if f.NodeMessage("password", 4000005) == nil {
		t.Errorf("breached password: messages %v, want 4000005 on password", f.MessageIDs())
	}
	wantNoIdentities(t, s)
	if r := submit(t, s, body(t, "password", "fine@example.com", sdk.GoodPassword)); r.Status != http.StatusOK {
		t.Errorf("unlisted password: status %d: %s", r.Status, r.Body)
	}
	asked := paths()
	if len(asked) != 2 {
		t.Fatalf("range API asked %d times (%v), want once per registration", len(asked), asked)
	}
	for _, p := range asked {
		if !regexp.MustCompile(`^/range/[0-9A-F]{5}$`).MatchString(p) {
			t.Errorf("range API path %q, want /range/ and five upper-case hex digits", p)
		}
	}
}

// TestBreachCheckUnreachable: with the range API down, ignore_network_errors
// decides: false refuses the password (4000005), true accepts it.
func TestBreachCheckUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more

	strict := testkit.StartSQLite(t, withBreachCheck(down, false))
	f := sdk.WantFlow(t, "registration", submit(t, strict, body(t, "password", "strict@example.com", sdk.GoodPassword)))
	if f.NodeMessage("password", 4000005) == nil {
		t.Errorf("range API down, ignore_network_errors=false: messages %v, want 4000005 on password", f.MessageIDs())
	}
	wantNoIdentities(t, strict)

	lenient := testkit.StartSQLite(t, withBreachCheck(down, true))
	if r := submit(t, lenient, body(t, "password", "lenient@example.com", sdk.GoodPassword)); r.Status != http.StatusOK {
		t.Errorf("range API down, ignore_network_errors=true: status %d, want 200: %s", r.Status, r.Body)
	}
	if n := sdk.CountIdentities(t, lenient); n != 1 {
		t.Errorf("%d identities, want 1", n)
	}
}
