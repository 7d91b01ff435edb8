package flow

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/latchkey/latchkey/internal/httpx"
)

// ReturnPolicy decides where a browser may be sent after a flow: return_to
// must match selfservice.whitelisted_return_urls (scheme, host and port
// exactly, paths by whole segments after normalisation) or the default
// return URL; anything else is refused before anything happens.
type ReturnPolicy struct {
	allowed []*url.URL
	def     *url.URL
	after   map[string]string // "kind" and "kind/method" -> after URL
}

// NewReturnPolicy parses the allow-list. after maps "login",
// "login/password", ... to configured after-URLs.
func NewReturnPolicy(defaultURL string, allowed []string, after map[string]string) (*ReturnPolicy, error) {
	def, err := url.Parse(defaultURL)
	if err != nil {
		return nil, fmt.Errorf("selfservice.default_browser_return_url: %w", err)
	}
	p := &ReturnPolicy{def: def, after: after}
	for _, a := range append([]string{defaultURL}, allowed...) {
		u, err := url.Parse(a)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("selfservice.whitelisted_return_urls: %q is not an absolute URL", a)
		}
		u.Path = cleanPath(u.Path)
		p.allowed = append(p.allowed, u)
	}
	return p, nil
}

// ErrReturnTo refuses a return_to the allow-list does not permit.
var ErrReturnTo = httpx.ErrBadRequest.WithReason("Requested return_to URL is not allowed: it must start with an allowed return URL (see selfservice.whitelisted_return_urls).")

// Check returns the normalised URL to redirect to, or ErrReturnTo.
func (p *ReturnPolicy) Check(raw string) (string, error) {
	if raw == "" || len(raw) > 2048 {
		return "", ErrReturnTo
	}
	for _, c := range raw {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", ErrReturnTo // CR/LF injection, tabs, and browsers' '\' as '/'
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "", ErrReturnTo
	}
	if u.Scheme == "" && u.Host == "" {
		if strings.HasPrefix(raw, "//") {
			return "", ErrReturnTo
		}
		u = p.def.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", ErrReturnTo
	}
	if lower := strings.ToLower(u.RawPath); strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
		return "", ErrReturnTo // encoded separators hide segments from the comparison
	}
	u.Path, u.RawPath = cleanPath(u.Path), ""
	for _, a := range p.allowed {
		if sameOrigin(a, u) && underPath(a.Path, u.Path) {
			return u.String(), nil
		}
	}
	return "", ErrReturnTo
}

// cleanPath resolves dot segments; an empty path is "/".
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// SameOrigin compares scheme, host and port, with default ports filled in.
func SameOrigin(a, b *url.URL) bool { return sameOrigin(a, b) }

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// underPath compares by whole segments: "/app" allows "/app" and "/app/x"
// but not "/application".
func underPath(allowed, p string) bool {
	allowed = strings.TrimSuffix(allowed, "/")
	return allowed == "" || p == allowed || strings.HasPrefix(p, allowed+"/")
}

// ReturnTo reads and checks the return_to query parameter; "" when absent.
func (b *Web) ReturnTo(r *http.Request) (string, error) {
	raw, ok := r.URL.Query()["return_to"]
	if !ok || (len(raw) == 1 && raw[0] == "") {
		return "", nil
	}
	u, err := b.Returns.Check(raw[0])
	if err != nil {
		httpx.Refused(r.Context(), "return_to")
	}
	return u, err
}

// AfterURL is where a browser goes after a flow: its return_to, else the
// method's after URL, the flow's, and finally the default.
func (b *Web) AfterURL(returnTo string, kind Kind, method ...string) string {
	if returnTo != "" {
		return returnTo
	}
	if len(method) > 0 {
		if u := b.Returns.after[string(kind)+"/"+method[0]]; u != "" {
			return u
		}
	}
	if u := b.Returns.after[string(kind)]; u != "" {
		return u
	}
	return b.Returns.def.String()
}

// ConfiguredAfterURL is the after URL configured for a kind of flow, ""
// when none is: unlike AfterURL it does not fall back to the default.
func (b *Web) ConfiguredAfterURL(kind Kind) string { return b.Returns.after[string(kind)] }

// DefaultURL is selfservice.default_browser_return_url.
func (b *Web) DefaultURL() string { return b.Returns.def.String() }
