package sdk

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"
)

// Browser is one browser profile: a cookie jar, and no automatic
// redirects, so that every Location can be checked. SDK is the reference's
// SDK sending the same cookies, as an app's pages read flows and sessions.
// The browser-flow tests (browsertest, recovery, verification, courier,
// link) all drive Latchkey through it.
type Browser struct {
	T      testing.TB
	Jar    *cookiejar.Jar
	HTTP   *http.Client
	SDK    *client.APIClient
	public string
}

// NewBrowser opens a browser profile on a server's public base URL. rt
// nil is http.DefaultTransport; a test that reaches the server on another
// address than the base URL names passes a transport that dials it.
func NewBrowser(t testing.TB, public string, rt http.RoundTripper) *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Transport: watch(rt), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Browser{T: t, Jar: jar, HTTP: hc, SDK: NewClient(public, hc), public: public}
}

// BrowserResponse is an answer to a browser, with its body read.
type BrowserResponse struct {
	*http.Response
	Body []byte
}

// Location is the redirect target; it fails the test without one.
func (r BrowserResponse) Location(t testing.TB) *url.URL {
	t.Helper()
	loc := r.Header.Get("Location")
	u, err := url.Parse(loc)
	if loc == "" || err != nil {
		t.Fatalf("answer %d has no usable Location (%q); body %s", r.StatusCode, loc, r.Body)
	}
	return u
}

// SetCookie is the Set-Cookie of a name in this answer, or nil.
func (r BrowserResponse) SetCookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Do sends a request from this browser; headers come in name, value pairs
// ("Host" sets the request's Host).
func (b *Browser) Do(method, u, contentType string, body []byte, headers ...string) BrowserResponse {
	b.T.Helper()
	res, raw := send(b.T, b.HTTP, method, u, contentType, body, headers)
	return BrowserResponse{Response: res, Body: raw}
}

// Get loads a URL.
func (b *Browser) Get(u string, headers ...string) BrowserResponse {
	b.T.Helper()
	return b.Do(http.MethodGet, u, "", nil, headers...)
}

// PostForm posts a form.
func (b *Browser) PostForm(u string, v url.Values, headers ...string) BrowserResponse {
	b.T.Helper()
	return b.Do(http.MethodPost, u, "application/x-www-form-urlencoded", []byte(v.Encode()), headers...)
}

// Cookie is the value the jar would send to the public API, "" for none.
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.public)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// Whoami is the status of /sessions/whoami with this browser's cookies
// and the session's identity id when there is one.
func (b *Browser) Whoami() (int, string) {
	b.T.Helper()
	s, res, err := b.SDK.PublicApi.ToSession(context.Background()).Execute()
	if res == nil {
		b.T.Fatalf("whoami: %v", err)
	}
	if res.StatusCode != http.StatusOK || s == nil {
		return res.StatusCode, ""
	}
	return res.StatusCode, s.Identity.Id
}

// CSRFCookieName is the reference's anti-CSRF cookie name for a public
// base URL: its unpadded base64url form plus "_csrf_token".
func CSRFCookieName(publicBase string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(publicBase)) + "_csrf_token"
}

// CSRFToken is the anti-CSRF cookie's value the jar holds, "" for none.
func (b *Browser) CSRFToken() string { return b.Cookie(CSRFCookieName(b.public)) }
