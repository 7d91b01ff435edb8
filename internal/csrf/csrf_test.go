package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/csrf"
)

func TestCookieForIsTheReferences(t *testing.T) {
	for _, tc := range []struct {
		base string
		dev  bool
		want csrf.Cookie
	}{
		{"http://127.0.0.1:4433/", true, csrf.Cookie{Name: "aHR0cDovLzEyNy4wLjAuMTo0NDMzLw_csrf_token", Path: "/", Domain: "127.0.0.1", SameSite: http.SameSiteLaxMode}},
		{"https://auth.example.com/kratos/", false, csrf.Cookie{Name: "aHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tL2tyYXRvcy8_csrf_token", Path: "/kratos/", Domain: "auth.example.com", Secure: true, SameSite: http.SameSiteNoneMode}},
		{"https://auth.example.com", false, csrf.Cookie{Name: "aHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29t_csrf_token", Path: "/", Domain: "auth.example.com", Secure: true, SameSite: http.SameSiteNoneMode}},
		// An IPv6 literal cannot be a cookie domain: the cookie stays host-only.
		{"http://[::1]:4433/", true, csrf.Cookie{Name: "aHR0cDovL1s6OjFdOjQ0MzMv_csrf_token", Path: "/", SameSite: http.SameSiteLaxMode}},
	} {
		if got := csrf.CookieFor(tc.base, tc.dev); got != tc.want {
			t.Errorf("CookieFor(%q, dev=%v) = %+v, want %+v", tc.base, tc.dev, got, tc.want)
		}
	}
}

func TestIssueReplacesAnEarlierCookieOfTheSameAnswer(t *testing.T) {
	g := &csrf.Guard{Cookie: csrf.CookieFor("http://127.0.0.1:4433/", true)}
	var first, second, seen string
	h := g.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "other", Value: "kept"})
		first = g.Ensure(w, r)
		second = g.Issue(w, r)
		seen, _ = g.Token(r)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/login", nil))
	lines := rec.Header().Values("Set-Cookie")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "other=kept") || !strings.HasPrefix(lines[1], g.Cookie.Name+"="+second+";") {
		t.Fatalf("Set-Cookie %q, want the other cookie and one anti-CSRF cookie with the last token", lines)
	}
	if first == second || seen != second {
		t.Errorf("tokens %q, %q, seen %q: a renewed token must replace the first for the rest of the request", first, second, seen)
	}
	if want := "; Path=/; Domain=127.0.0.1; Max-Age=31536000; HttpOnly; SameSite=Lax"; !strings.HasSuffix(lines[1], want) {
		t.Errorf("Set-Cookie %q, want attributes %q", lines[1], want)
	}
}

func TestExemptPaths(t *testing.T) {
	for path, want := range map[string]bool{
		"/self-service/login": true, "/self-service/registration": true, "/self-service/settings": true,
		"/self-service/recovery": true, "/self-service/verification/methods/link": true, "/self-service/login/api": true,
		"/self-service/methods/oidc/callback/google": true, "/sessions/whoami": true, "/sessions": true,
		"/self-service/browser/flows/logout": false, "/self-service/login/browser": false, "/self-service/login/flows": false,
		"/self-service/errors": false, "/ui/login": false, "/": false, "/sessionsx": false,
	} {
		if got := csrf.Exempt(path); got != want {
			t.Errorf("Exempt(%q) = %v, want %v", path, got, want)
		}
	}
}
