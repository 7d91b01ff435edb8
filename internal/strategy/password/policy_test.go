package password_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/strategy/password"
)

// local is the policy without the network check, as most deployments
// behind a firewall run it.
func local() *password.Policy { return password.NewPolicy(password.Policy{MinLength: 8}) }

// TestLocalRules: length in code points, the byte bound, valid UTF-8,
// similarity to the identifiers, and the built-in common-password list.
// want is a fragment of the reason, "" for an accepted password.
func TestLocalRules(t *testing.T) {
	p := local()
	ids := []string{"jane.doe@example.com"}
	cases := []struct {
		name, password string
		identifiers    []string
		want           string
	}{
		{"long enough", "vD7#kq2!", nil, ""},
		{"one short", "vD7#kq2", nil, "at least 8"},
		{"empty", "", nil, "at least 8"},
		{"counted in code points, not bytes", "ééééééé", nil, "at least 8"}, // 7 runes, 14 bytes
		{"multi-byte, long enough", "ééééééé€", nil, ""},
		{"exactly the byte limit", strings.Repeat("Zq7#", password.MaxBytes/4), nil, ""},
		{"one byte over", strings.Repeat("Zq7#", password.MaxBytes/4) + "x", nil, "1024 bytes"},
		{"1 MB", strings.Repeat("Zq7#", 1<<18), ids, "1024 bytes"},
		{"invalid UTF-8", "vD7#kq2!\xff\xfe", nil, "UTF-8"},
		{"is the identifier", "jane.doe@example.com", ids, "similar"},
		{"identifier in other case", "JANE.DOE@EXAMPLE.COM", ids, "similar"},
		{"contains the local part", "jane.doe1985", ids, "similar"},
		{"local part reversed order", "doe.jane!!", ids, ""},
		{"unlike the identifier", "Gr4vel-Tundra", ids, ""},
		{"short identifier is ignored", "zabcxyzwq", []string{"abc"}, ""},
		{"common", "password123", nil, "common"},
		{"common, other case", "PassWord123", nil, "common"},
		{"short and common", "qwerty", nil, "at least 8"},
		{"uncommon", "kettle-sonnet-42", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.Check(context.Background(), c.password, c.identifiers)
			if c.want == "" && got != "" {
				t.Errorf("refused: %q", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("reason %q, want one mentioning %q", got, c.want)
			}
		})
	}
}

// rangeServer is a stand-in for the HaveIBeenPwned range API listing the
// given passwords with counts, plus padding lines (count 0) as the real
// one sends with Add-Padding. status != 200 makes it fail.
func rangeServer(t *testing.T, status int, listed map[string]int) (*httptest.Server, *[]string) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		prefix := strings.TrimPrefix(r.URL.Path, "/range/")
		for pw, n := range listed {
			d := digest(pw)
			if d[:5] == prefix {
				fmt.Fprintf(w, "%s:%d\r\n", d[5:], n)
			}
		}
		fmt.Fprint(w, "00000000000000000000000000000000000:0\r\n")
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func digest(pw string) string {
	s := sha1.Sum([]byte(pw))
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

// TestBreaches: the range API's count decides against max_breaches; only
// the five-digit prefix is sent; local rules run first, without a call.
func TestBreaches(t *testing.T) {
	listed := map[string]int{"Tr0ub4dor&3-horse": 12, "Once-leaked-9": 1, "padded-entry-77": 0}
	srv, asked := rangeServer(t, http.StatusOK, listed)
	cases := []struct {
		password    string
		maxBreaches int
		refused     bool
	}{
		{"Tr0ub4dor&3-horse", 0, true},
		{"Tr0ub4dor&3-horse", 11, true},
		{"Tr0ub4dor&3-horse", 12, false},
		{"Once-leaked-9", 0, true},
		{"padded-entry-77", 0, false},
		{"never-seen-Qx81", 0, false},
	}
	for _, c := range cases {
		p := password.NewPolicy(password.Policy{MinLength: 8, CheckBreaches: true, BreachHost: srv.URL, MaxBreaches: c.maxBreaches})
		got := p.Check(context.Background(), c.password, nil)
		if c.refused != (got != "") {
			t.Errorf("%q with max_breaches %d: reason %q, refused want %v", c.password, c.maxBreaches, got, c.refused)
		}
	}
	if len(*asked) != len(cases) {
		t.Errorf("range API asked %d times, want %d", len(*asked), len(cases))
	}
	for _, path := range *asked {
		if len(path) != len("/range/")+5 {
			t.Errorf("range API path %q sends more than the five-digit prefix", path)
		}
	}
	*asked = nil
	p := password.NewPolicy(password.Policy{MinLength: 8, CheckBreaches: true, BreachHost: srv.URL})
	if got := p.Check(context.Background(), "password123", nil); !strings.Contains(got, "common") || len(*asked) != 0 {
		t.Errorf("common password: %q after %d calls, want refused locally without a call", got, len(*asked))
	}
}

// TestBreachCheckFailure: when the range API cannot answer (error status,
// closed port, garbage), ignore_network_errors decides.
func TestBreachCheckFailure(t *testing.T) {
	failing, _ := rangeServer(t, http.StatusServiceUnavailable, nil)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := digest("Garbled-count-5")
		fmt.Fprintf(w, "%s:many\r\n", d[5:])
	}))
	t.Cleanup(garbage.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	for name, host := range map[string]string{"503": failing.URL, "closed port": closed, "malformed count": garbage.URL} {
		for _, ignore := range []bool{false, true} {
			p := password.NewPolicy(password.Policy{MinLength: 8, CheckBreaches: true, BreachHost: host, IgnoreNetworkErrors: ignore})
			got := p.Check(context.Background(), "Garbled-count-5", nil)
			if ignore && got != "" {
				t.Errorf("%s, ignore_network_errors=true: refused (%q), want accepted", name, got)
			}
			if !ignore && got == "" {
				t.Errorf("%s, ignore_network_errors=false: accepted, want refused", name)
			}
		}
	}
}
