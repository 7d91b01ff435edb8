package flow_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
)

// policy is the allow-list the tables below are written against: an app
// with a default landing page, a second page on the same origin, another
// origin limited to /app, and a local development origin allowed whole.
func policy(t *testing.T) *flow.ReturnPolicy {
	t.Helper()
	p, err := flow.NewReturnPolicy("https://app.example/welcome/",
		[]string{"https://app.example/dashboard", "https://allowed.example/app", "http://localhost:3000/"},
		map[string]string{"login": "https://app.example/welcome/after-login", "login/password": "https://app.example/welcome/after-password"})
	if err != nil {
		t.Fatalf("NewReturnPolicy: %v", err)
	}
	return p
}

// hostileReturnTo are values an attacker puts in return_to to get a
// browser (and its freshly issued session) sent somewhere else. Each must
// be refused outright; none may be "fixed up" into an allowed URL, because
// a browser may read the raw value differently than Go's parser does.
var hostileReturnTo = []struct{ name, raw string }{
	{"userinfo naming the allowed host", "https://evil.com@allowed.example/app"},
	{"allowed host as userinfo of evil", "https://allowed.example@evil.com/app"},
	{"allowed host as userinfo with port", "https://allowed.example:443@evil.com/app"},
	{"allowed host as a subdomain of evil", "https://allowed.example.evil.com/app"},
	{"allowed port as a subdomain of evil", "http://localhost:3000.evil.com/"},
	{"dot segments leaving the allowed path", "https://allowed.example/app/../admin"},
	{"dot segments to the root", "https://allowed.example/app/.."},
	{"encoded dot segments", "https://allowed.example/app/%2e%2e/admin"},
	{"encoded slash", "https://allowed.example/app%2f..%2fadmin"},
	{"prefix of a path segment", "https://allowed.example/application"},
	{"prefix of the default's segment", "https://app.example/welcomeback"},
	{"relative path climbing out of the default", "/../admin"},
	{"backslash read as slash by browsers", `/\evil.com`},
	{"two backslashes", `\\evil.com`},
	{"backslash before userinfo", `https://allowed.example\@evil.com/app`},
	{"backslash hiding the host", `https://evil.com\@allowed.example/app`},
	{"protocol-relative", "//evil.com"},
	{"protocol-relative with three slashes", "///evil.com"},
	{"scheme without slashes", "https:evil.com"},
	{"scheme with one slash", "https:/evil.com"},
	{"scheme with three slashes", "https:///evil.com"},
	{"javascript URL", "javascript:alert(1)"},
	{"javascript URL with case", "JaVaScRiPt:alert(document.cookie)"},
	{"data URL", "data:text/html,<script>alert(1)</script>"},
	{"vbscript URL", "vbscript:msgbox(1)"},
	{"mailto", "mailto:victim@evil.com"},
	{"ftp on the allowed host", "ftp://allowed.example/app"},
	{"scheme downgrade", "http://allowed.example/app"},
	{"other port", "https://allowed.example:8443/app"},
	{"other port on localhost", "http://localhost:3001/"},
	{"foreign origin", "https://evil.com/"},
	{"foreign origin upper case", "HTTPS://EVIL.COM/app"},
	{"allowed URL in the query", "https://evil.com/?next=https://allowed.example/app"},
	{"allowed URL in the fragment", "https://evil.com#https://allowed.example/app"},
	{"homoglyph host (Cyrillic a)", "https://\u0430llowed.example/app"},
	{"IPv6 loopback", "https://[::1]/app"},
	{"CRLF header injection", "https://allowed.example/app\r\nSet-Cookie: x=1"},
	{"tab before a protocol-relative URL", "\t//evil.com"},
	{"NUL byte", "https://allowed.example/app\x00.evil.com"},
	{"leading space", " https://evil.com"},
	{"overlong", "https://allowed.example/app/" + strings.Repeat("a", 2100)},
}

func TestReturnPolicyRefusesHostileValues(t *testing.T) {
	p := policy(t)
	if len(hostileReturnTo) < 20 {
		t.Fatalf("only %d hostile values; the table must keep at least 20", len(hostileReturnTo))
	}
	for _, tc := range hostileReturnTo {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Check(tc.raw)
			if err == nil {
				t.Fatalf("Check(%q) = %q, want it refused", tc.raw, got)
			}
			if !errors.Is(err, flow.ErrReturnTo) {
				t.Errorf("Check(%q) error = %v, want ErrReturnTo", tc.raw, err)
			}
			if code := httpx.AsError(err).Code; code != http.StatusBadRequest {
				t.Errorf("error code = %d, want 400", code)
			}
		})
	}
}

func TestReturnPolicyAllowsListedValues(t *testing.T) {
	p := policy(t)
	for _, tc := range []struct{ name, raw, want string }{
		{"exact allowed URL", "https://allowed.example/app", "https://allowed.example/app"},
		{"allowed URL with trailing slash", "https://allowed.example/app/", "https://allowed.example/app/"},
		{"sub-path with query and fragment", "https://allowed.example/app/settings?tab=1#top", "https://allowed.example/app/settings?tab=1#top"},
		{"dot segments staying inside", "https://allowed.example/app/./x/../y", "https://allowed.example/app/y"},
		{"host in another case", "https://ALLOWED.example/app/x", "https://ALLOWED.example/app/x"},
		{"scheme in upper case", "HTTPS://allowed.example/app", "https://allowed.example/app"},
		{"explicit default port", "https://allowed.example:443/app", "https://allowed.example:443/app"},
		{"whole origin allowed", "http://localhost:3000/any/where?x=1", "http://localhost:3000/any/where?x=1"},
		{"the default itself", "https://app.example/welcome/", "https://app.example/welcome/"},
		{"second page on the default origin", "https://app.example/dashboard/stats", "https://app.example/dashboard/stats"},
		{"relative path resolves against the default", "profile", "https://app.example/welcome/profile"},
		{"absolute path resolves against the default origin", "/dashboard/stats", "https://app.example/dashboard/stats"},
		{"query only resolves against the default", "?tab=2", "https://app.example/welcome/?tab=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Check(tc.raw)
			if err != nil {
				t.Fatalf("Check(%q): %v, want %q", tc.raw, err, tc.want)
			}
			if got != tc.want {
				t.Errorf("Check(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

func TestNewReturnPolicyRejectsRelativeEntries(t *testing.T) {
	// A relative allow-list entry has no origin to compare against; taking
	// it silently would allow nothing or, worse, everything.
	for _, tc := range []struct {
		def     string
		allowed []string
	}{
		{"https://app.example/", []string{"/dashboard"}},
		{"https://app.example/", []string{"app.example/x"}},
		{"", nil},
		{"welcome", nil},
	} {
		if _, err := flow.NewReturnPolicy(tc.def, tc.allowed, nil); err == nil {
			t.Errorf("NewReturnPolicy(%q, %q) succeeded, want an error", tc.def, tc.allowed)
		}
	}
}

func TestWebReturnToReadsTheQuery(t *testing.T) {
	web := &flow.Web{Returns: policy(t)}
	for _, tc := range []struct {
		query   string
		want    string
		refused bool
	}{
		{query: "", want: ""},
		{query: "return_to=", want: ""},
		{query: "return_to=" + url.QueryEscape("https://allowed.example/app/x"), want: "https://allowed.example/app/x"},
		{query: "return_to=" + url.QueryEscape("https://evil.com/"), refused: true},
		// The first value counts: a second, allowed one must not launder it.
		{query: "return_to=" + url.QueryEscape("https://evil.com/") + "&return_to=" + url.QueryEscape("https://allowed.example/app"), refused: true},
	} {
		r := httptest.NewRequest("GET", "/self-service/login/browser?"+tc.query, nil)
		got, err := web.ReturnTo(r)
		if tc.refused {
			if err == nil {
				t.Errorf("ReturnTo(%q) = %q, want refused", tc.query, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ReturnTo(%q) = %q, %v; want %q", tc.query, got, err, tc.want)
		}
	}
}

func TestWebAfterURLPrecedence(t *testing.T) {
	web := &flow.Web{Returns: policy(t)}
	for _, tc := range []struct {
		name     string
		returnTo string
		kind     flow.Kind
		method   []string
		want     string
	}{
		{"return_to wins", "https://allowed.example/app/x", flow.Login, []string{"password"}, "https://allowed.example/app/x"},
		{"method's after URL", "", flow.Login, []string{"password"}, "https://app.example/welcome/after-password"},
		{"flow's after URL", "", flow.Login, nil, "https://app.example/welcome/after-login"},
		{"flow's after URL for an unknown method", "", flow.Login, []string{"oidc"}, "https://app.example/welcome/after-login"},
		{"default", "", flow.Registration, []string{"password"}, "https://app.example/welcome/"},
	} {
		if got := web.AfterURL(tc.returnTo, tc.kind, tc.method...); got != tc.want {
			t.Errorf("%s: AfterURL = %q, want %q", tc.name, got, tc.want)
		}
	}
}
