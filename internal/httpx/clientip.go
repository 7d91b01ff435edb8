package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the peers whose forwarding headers are believed
// (serve.public.trusted_proxies). The zero value trusts nobody, so by
// default the client address is the connection's.
type TrustedProxies struct {
	prefixes []netip.Prefix
	unix     bool // a peer on a unix socket (a local reverse proxy)
}

// ParseTrustedProxies reads CIDRs ("10.0.0.0/8", "::1/128"), single
// addresses ("192.0.2.7") and "unix" for a unix-socket peer.
func ParseTrustedProxies(list []string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "unix" {
			t.unix = true
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return TrustedProxies{}, fmt.Errorf("%q is not a CIDR, an IP address or \"unix\"", s)
		}
		a = a.Unmap()
		t.prefixes = append(t.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	return t, nil
}

// Trusts reports whether a peer address is a trusted proxy.
func (t TrustedProxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client a request comes from: the
// connection's peer, unless that peer is a trusted proxy, in which case the
// forwarding headers are read from the nearest hop outwards and the first
// address that is not itself a trusted proxy is the client. Hops a client
// wrote itself sit further out than that and are never reached, so a
// spoofed header from an untrusted peer, or in front of the first
// untrusted hop, changes nothing.
//
// X-Forwarded-For is read first, Forwarded (RFC 7239) only when it is
// absent: a proxy that sets only Forwarded must drop a client's
// X-Forwarded-For. A unix-socket peer is trusted only when "unix" is
// listed; otherwise its address is "unix".
func ClientIP(r *http.Request, trusted TrustedProxies) string {
	// last is the nearest hop believed so far: the peer, then each trusted
	// proxy in turn.
	var last string
	peer, ok := peerAddr(r.RemoteAddr)
	switch {
	case ok:
		if !trusted.Trusts(peer) {
			return peerString(r.RemoteAddr, peer)
		}
		last = peerString(r.RemoteAddr, peer)
	case isUnixPeer(r.RemoteAddr):
		if !trusted.unix {
			return "unix"
		}
		last = "unix"
	default:
		return r.RemoteAddr
	}
	hops := forwardedFor(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			// "unknown", an obfuscated name or garbage: nothing further out
			// can be attributed, so the last believed hop is the client.
			return last
		}
		if !trusted.Trusts(a) {
			return a.String()
		}
		last = a.String()
	}
	return last
}

func peerAddr(remote string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(remote); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// peerString is peer.String(). An IPv4 peer with a port ("192.0.2.1:80",
// as net/http writes every IPv4 client) is written there the same way, so
// the host part is returned as it is, without making a string: netip
// accepts only the canonical dotted form, and square brackets only around
// IPv6.
func peerString(remote string, peer netip.Addr) string {
	if ap, err := netip.ParseAddrPort(remote); err == nil && ap.Addr().Is4() {
		return remote[:strings.LastIndexByte(remote, ':')]
	}
	return peer.String()
}

// isUnixPeer: net/http reports "@" or "" as the remote address of a
// unix-socket connection.
func isUnixPeer(remote string) bool {
	return remote == "" || remote == "@" || strings.HasPrefix(remote, "/")
}

// forwardedFor lists the hop addresses of X-Forwarded-For, or of
// Forwarded's for= parameters, client first, across repeated header lines.
func forwardedFor(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, part := range strings.Split(line, ",") {
				hops = append(hops, strings.TrimSpace(part))
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range splitQuoted(line, ',') {
			for _, pair := range splitQuoted(elem, ';') {
				k, v, found := strings.Cut(strings.TrimSpace(pair), "=")
				if found && strings.EqualFold(strings.TrimSpace(k), "for") {
					hops = append(hops, strings.Trim(strings.TrimSpace(v), `"`))
				}
			}
		}
	}
	return hops
}

// splitQuoted splits at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// parseHop reads "192.0.2.1", "192.0.2.1:80", "[2001:db8::1]:80" or
// "2001:db8::1".
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Client is who a request comes from, as far as the server can tell.
type Client struct {
	Addr      string // ClientIP
	UserAgent string
}

type clientKey struct{}

// WithClient records the request's Client, so code below the handlers
// (throttling, session devices) and the request log see the same address
// without being handed the request. Inside the request log it goes on the
// request's entry; elsewhere in a context of its own.
func WithClient(trusted TrustedProxies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Client{Addr: ClientIP(r, trusted), UserAgent: r.UserAgent()}
		if e := entryFrom(r.Context()); e != nil {
			e.client, e.hasClient = c, true
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
	})
}

// ClientFrom is the Client WithClient recorded; the zero Client outside a
// request.
func ClientFrom(ctx context.Context) Client {
	if e := entryFrom(ctx); e != nil && e.hasClient {
		return e.client
	}
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}
