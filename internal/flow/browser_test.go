package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/csrf"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
)

// errorStore remembers what the error page would show.
type errorStore struct {
	saved []*httpx.Error
	fail  error
}

func (s *errorStore) SaveError(_ context.Context, e *httpx.Error) (uuid.UUID, error) {
	if s.fail != nil {
		return uuid.Nil, s.fail
	}
	s.saved = append(s.saved, e)
	return uuid.New(), nil
}

func web(store *errorStore, errorUI string) *flow.Web {
	return &flow.Web{
		CSRF:   &csrf.Guard{Cookie: csrf.Cookie{Name: "csrf", Path: "/", Secure: true, SameSite: http.SameSiteLaxMode}},
		Errors: store, ErrorUIURL: errorUI, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func TestTokenSetsTheCookieOnce(t *testing.T) {
	w := web(&errorStore{}, "https://app.example/error")

	rec := httptest.NewRecorder()
	tok := w.Token(rec, httptest.NewRequest("GET", "/", nil), flow.Browser)
	cookies := rec.Result().Cookies()
	if len(tok) != 43 || len(cookies) != 1 {
		t.Fatalf("token %q, cookies %v; want a 43-character token in one cookie", tok, cookies)
	}
	c := cookies[0]
	if c.Name != "csrf" || c.Value != tok || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
		t.Errorf("cookie = %+v, want csrf=<token>; Path=/; HttpOnly; Secure; SameSite=Lax; a positive Max-Age", c)
	}

	// A browser that has the cookie keeps it: every open tab's form must
	// stay valid, so the token is not rotated.
	rec = httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "csrf", Value: tok})
	if again := w.Token(rec, r, flow.Browser); again != tok || len(rec.Result().Cookies()) != 0 {
		t.Errorf("with the cookie: token %q and Set-Cookie %v, want the same token and no new cookie", again, rec.Result().Cookies())
	}

	// A malformed cookie (planted or truncated) is replaced.
	rec = httptest.NewRecorder()
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "csrf", Value: "short"})
	if fresh := w.Token(rec, r, flow.Browser); fresh == "short" || len(fresh) != 43 || len(rec.Result().Cookies()) != 1 {
		t.Errorf("with a malformed cookie: token %q, want a new 43-character one set as a cookie", fresh)
	}

	// Api flows have no CSRF token and set no cookie.
	rec = httptest.NewRecorder()
	if api := w.Token(rec, httptest.NewRequest("GET", "/", nil), flow.API); api != "" || len(rec.Result().Cookies()) != 0 {
		t.Errorf("api flow: token %q, cookies %v; want none", api, rec.Result().Cookies())
	}
}

func TestCheckCSRFNeedsAllThreeEqual(t *testing.T) {
	w := web(&errorStore{}, "https://app.example/error")
	good, other := strings.Repeat("a", 43), strings.Repeat("b", 43)
	for _, tc := range []struct {
		name                       string
		cookie, submitted, flowTok string
		noCookie, noField          bool
		ok                         bool
	}{
		{name: "all equal", cookie: good, submitted: good, flowTok: good, ok: true},
		{name: "field missing", cookie: good, flowTok: good, noField: true},
		{name: "field empty", cookie: good, submitted: "", flowTok: good},
		{name: "cookie missing", submitted: good, flowTok: good, noCookie: true},
		{name: "wrong field", cookie: good, submitted: other, flowTok: good},
		{name: "another browser's cookie and token", cookie: other, submitted: other, flowTok: good},
		{name: "another browser's cookie", cookie: other, submitted: good, flowTok: good},
		{name: "flow without token (api flow)", cookie: "", submitted: "", flowTok: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			if !tc.noCookie {
				r.AddCookie(&http.Cookie{Name: "csrf", Value: tc.cookie})
			}
			sub := flow.Submission{Values: map[string]any{}}
			if !tc.noField {
				sub.Values["csrf_token"] = tc.submitted
			}
			err := w.CheckCSRF(r, &flow.Flow{CSRFToken: tc.flowTok}, sub)
			if tc.ok && err != nil {
				t.Fatalf("CheckCSRF: %v, want success", err)
			}
			if !tc.ok && (err == nil || httpx.AsError(err).Code != http.StatusForbidden) {
				t.Fatalf("CheckCSRF = %v, want a 403", err)
			}
		})
	}
}

func TestHandleSendsBrowsersToTheErrorPage(t *testing.T) {
	fail := func(http.ResponseWriter, *http.Request) error { return flow.ErrCSRF }
	for _, tc := range []struct {
		name          string
		always        bool
		h             httpx.HandlerFunc
		submitTo      flow.Type // a submission to a stored flow of this type, refused for its missing CSRF token
		accept        string
		errorUI       string
		wantRedirect  string // prefix of Location; "" for a JSON answer
		wantStoredErr bool
	}{
		{name: "browser endpoint", always: true, h: fail, errorUI: "https://app.example/error", wantRedirect: "https://app.example/error?error=", wantStoredErr: true},
		{name: "error UI with a query", always: true, h: fail, errorUI: "https://app.example/e?lang=en", wantRedirect: "https://app.example/e?lang=en&error=", wantStoredErr: true},
		{name: "submission to a browser flow", submitTo: flow.Browser, errorUI: "https://app.example/error", wantRedirect: "https://app.example/error?error=", wantStoredErr: true},
		{name: "api client", h: fail, errorUI: "https://app.example/error"},
		{name: "submission to an api flow", submitTo: flow.API, errorUI: "https://app.example/error"},
		{name: "single-page app asking for JSON", always: true, h: fail, accept: "application/json", errorUI: "https://app.example/error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &errorStore{}
			var h http.Handler
			r := httptest.NewRequest("GET", "/self-service/login/browser", nil)
			if tc.submitTo == "" {
				h = web(store, tc.errorUI).Handle(tc.always, tc.h)
			} else {
				h, r = submission(web(store, tc.errorUI), tc.submitTo)
			}
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			res := rec.Result()
			if tc.wantRedirect == "" {
				var env struct {
					Error struct{ Code int } `json:"error"`
				}
				if res.StatusCode != http.StatusForbidden || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Code != 403 {
					t.Fatalf("answer %d %s, want the 403 error envelope", res.StatusCode, rec.Body)
				}
				if len(store.saved) != 0 {
					t.Errorf("stored %d errors for a client that never sees the error page", len(store.saved))
				}
				return
			}
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, tc.wantRedirect) {
				t.Fatalf("answer %d to %q, want 302 to %s<id>", res.StatusCode, loc, tc.wantRedirect)
			}
			u, _ := url.Parse(loc)
			if _, err := uuid.Parse(u.Query().Get("error")); err != nil {
				t.Errorf("Location %q carries no error id: %v", loc, err)
			}
			if len(store.saved) != 1 || store.saved[0].Code != http.StatusForbidden {
				t.Errorf("stored %v, want the one 403", store.saved)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

func TestHandleFallsBackToJSONWhenTheErrorCannotBeStored(t *testing.T) {
	// With the database down, a redirect to an error id nobody can load
	// would be a dead end; the browser gets the error itself instead.
	h := web(&errorStore{fail: errors.New("database down")}, "https://app.example/error").
		Handle(true, func(http.ResponseWriter, *http.Request) error { return flow.ErrCSRF })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusForbidden || rec.Header().Get("Location") != "" {
		t.Errorf("answer %d, Location %q; want the 403 as JSON", rec.Code, rec.Header().Get("Location"))
	}
}

// flows is a Store holding flows in memory.
type flows map[uuid.UUID]*flow.Flow

func (m flows) CreateFlow(_ context.Context, f *flow.Flow) error { m[f.ID] = f; return nil }
func (m flows) UpdateFlow(_ context.Context, f *flow.Flow) error { m[f.ID] = f; return nil }
func (m flows) Flow(_ context.Context, kind flow.Kind, id uuid.UUID) (*flow.Flow, error) {
	if f, ok := m[id]; ok && f.Kind == kind {
		return f, nil
	}
	return nil, store.ErrNotFound
}

// submission is a submit endpoint and a POST to a stored flow of type typ
// that carries no CSRF token: refused with a 403 once the flow is loaded
// (api flows need none, so theirs is refused by the handler).
func submission(web *flow.Web, typ flow.Type) (http.Handler, *http.Request) {
	f := &flow.Flow{ID: uuid.New(), Kind: flow.Login, Type: typ, CSRFToken: strings.Repeat("a", 43), ExpiresAt: time.Now().Add(time.Hour)}
	kit := &flow.Kit{Flows: flows{f.ID: f}, Responder: &flow.Responder{}, Web: web}
	h := kit.Handler(flow.Submit{Kind: flow.Login, Handle: func(http.ResponseWriter, *http.Request, *flow.Flow, flow.Submission) error {
		return flow.ErrCSRF
	}})
	r := httptest.NewRequest("POST", "/self-service/login?flow="+f.ID.String(), strings.NewReader("method=password"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h, r
}
