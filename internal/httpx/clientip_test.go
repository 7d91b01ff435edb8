package httpx_test

import (
	"net/http/httptest"
	"testing"

	"github.com/latchkey/latchkey/internal/httpx"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	trusted, err := httpx.ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.7", "fd00::/8", "unix"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		peer    string
		trusted httpx.TrustedProxies
		headers map[string][]string
		want    string
	}{
		{name: "no proxies: the peer", peer: "203.0.113.5:4000", want: "203.0.113.5"},
		{name: "no proxies configured: spoofed headers ignored", peer: "203.0.113.5:4000",
			headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1"}, "Forwarded": {"for=198.51.100.2"}}, want: "203.0.113.5"},
		{name: "untrusted peer: spoofed headers ignored", peer: "203.0.113.5:4000", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1, 10.0.0.1"}}, want: "203.0.113.5"},
		{name: "trusted peer: the forwarded client", peer: "10.1.2.3:5555", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, want: "198.51.100.1"},
		{name: "spoofed hop in front of the real client is not reached", peer: "10.1.2.3:5555", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1, 10.9.9.9"}}, want: "198.51.100.1"},
		{name: "client claiming to be a trusted proxy", peer: "10.1.2.3:5555", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"10.5.5.5", "198.51.100.1"}}, want: "198.51.100.1"},
		{name: "repeated header lines, nearest last", peer: "192.0.2.7:1", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"198.51.100.9", "10.0.0.2"}}, want: "198.51.100.9"},
		{name: "all hops trusted: the outermost", peer: "10.1.2.3:5555", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"10.0.0.9, 10.0.0.8"}}, want: "10.0.0.9"},
		{name: "garbage hop: the last believed one", peer: "10.1.2.3:5555", trusted: trusted,
			headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1, nonsense, 10.0.0.4"}}, want: "10.0.0.4"},
		{name: "trusted peer without headers", peer: "10.1.2.3:5555", trusted: trusted, want: "10.1.2.3"},
		{name: "Forwarded with quotes, ports and IPv6", peer: "[fd00::1]:443", trusted: trusted,
			headers: map[string][]string{"Forwarded": {`for=198.51.100.77;proto=https, for="[2001:db8:cafe::17]:4711";by=x`}}, want: "2001:db8:cafe::17"},
		{name: "Forwarded unknown hop", peer: "10.0.0.1:1", trusted: trusted,
			headers: map[string][]string{"Forwarded": {"for=unknown"}}, want: "10.0.0.1"},
		{name: "X-Forwarded-For wins over Forwarded", peer: "10.0.0.1:1", trusted: trusted,
			headers: map[string][]string{"Forwarded": {"for=198.51.100.2"}, "X-Forwarded-For": {"198.51.100.1"}}, want: "198.51.100.1"},
		{name: "IPv4-mapped peer", peer: "[::ffff:203.0.113.9]:80", want: "203.0.113.9"},
		{name: "IPv4-mapped peer without a port", peer: "::ffff:203.0.113.9", want: "203.0.113.9"},
		{name: "IPv4 peer without a port", peer: "203.0.113.5", want: "203.0.113.5"},
		{name: "IPv6 peer with a zone", peer: "[fe80::1%eth0]:80", want: "fe80::1"},
		{name: "IPv6 peer", peer: "[2001:db8::1]:80", want: "2001:db8::1"},
		{name: "unix peer untrusted", peer: "@", headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, want: "unix"},
		{name: "unix peer trusted", peer: "@", trusted: trusted, headers: map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, want: "198.51.100.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for k, vs := range c.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			if got := httpx.ClientIP(r, c.trusted); got != c.want {
				t.Errorf("ClientIP = %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseTrustedProxiesRefusesGarbage(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"10.0.0.0/33", "example.com", "", "fe80::1%eth0"} {
		if _, err := httpx.ParseTrustedProxies([]string{bad}); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted it", bad)
		}
	}
}
