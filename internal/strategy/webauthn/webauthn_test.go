package webauthn_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/strategy/webauthn"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// env is Latchkey on localhost with passkeys on, driven as a browser
// drives it (cookie jar, form posts, one redirect at a time) with the
// software authenticator answering for the script.
type env struct {
	t      *testing.T
	srv    *testkit.Server
	public string
	origin string
}

func start(t *testing.T, dialect string, passwordless bool) *env {
	t.Helper()
	cfg := testkit.Config(t, testkit.NewDatabase(t, dialect), func(c *config.Config) {
		c.Notifications.SecondFactor = true
		c.SelfService.Methods.WebAuthn = config.WebAuthnMethod{Enabled: true, Config: config.WebAuthnConfig{
			Passwordless: passwordless, RP: config.WebAuthnRP{ID: "localhost", DisplayName: "Latchkey test"},
		}}
		c.SelfService.Flows.Registration.After.WebAuthn.Hooks = []config.Hook{{Hook: "session"}}
	})
	srv := testkit.StartWith(t, cfg, testkit.Options{PublicHost: "localhost"})
	return &env{t: t, srv: srv, public: srv.PublicURL, origin: strings.TrimSuffix(srv.PublicURL, "/")}
}

func (e *env) browser() *sdk.Browser { return sdk.NewBrowser(e.t, e.public, nil) }

// flow starts a browser flow and returns its id.
func (e *env) flow(b *sdk.Browser, kind string) string {
	e.t.Helper()
	r := b.Get(e.public + "self-service/" + kind + "/browser")
	id := r.Location(e.t).Query().Get("flow")
	if r.StatusCode != http.StatusFound || id == "" {
		e.t.Fatalf("%s/browser answered %d to %s, want a redirect to the UI with a flow", kind, r.StatusCode, r.Header.Get("Location"))
	}
	return id
}

// shown is a flow as its UI would read it.
type shown struct {
	UI struct {
		Messages []struct {
			ID int64 `json:"id"`
		} `json:"messages"`
		Nodes []struct {
			Group      string `json:"group"`
			Type       string `json:"type"`
			Attributes struct {
				Name     string `json:"name"`
				Value    any    `json:"value"`
				Disabled bool   `json:"disabled"`
			} `json:"attributes"`
		} `json:"nodes"`
	} `json:"ui"`
}

func (e *env) fetch(b *sdk.Browser, kind, id string) shown {
	e.t.Helper()
	r := b.Get(e.public + "self-service/" + kind + "/flows?id=" + id)
	var f shown
	if r.StatusCode != http.StatusOK || json.Unmarshal(r.Body, &f) != nil {
		e.t.Fatalf("fetch %s flow: %d %s", kind, r.StatusCode, r.Body)
	}
	return f
}

func (f shown) value(name string) string {
	for _, n := range f.UI.Nodes {
		if n.Attributes.Name == name && n.Group == webauthn.Method {
			s, _ := n.Attributes.Value.(string)
			return s
		}
	}
	return ""
}

func (f shown) has(id int64) bool {
	return slices.ContainsFunc(f.UI.Messages, func(m struct {
		ID int64 `json:"id"`
	}) bool {
		return m.ID == id
	})
}

// submit posts a form to a flow; withCSRF adds the browser's token.
func (e *env) submit(b *sdk.Browser, kind, id string, form url.Values, withCSRF bool) sdk.BrowserResponse {
	e.t.Helper()
	if withCSRF {
		form.Set("csrf_token", b.CSRFToken())
	}
	return b.PostForm(e.public+"self-service/"+kind+"?flow="+id, form)
}

// shownAgain checks an answer sends the browser back to the flow's UI and
// that the flow says msg.
func (e *env) shownAgain(b *sdk.Browser, r sdk.BrowserResponse, kind, id string, msg int64, what string) shown {
	e.t.Helper()
	if r.StatusCode != http.StatusFound || r.Location(e.t).Query().Get("flow") != id {
		e.t.Fatalf("%s: answer %d to %s, want the flow's UI again", what, r.StatusCode, r.Header.Get("Location"))
	}
	f := e.fetch(b, kind, id)
	if !f.has(msg) {
		e.t.Fatalf("%s: the flow says %+v, want message %d", what, f.UI.Messages, msg)
	}
	return f
}

func (e *env) identities(t *testing.T) int {
	t.Helper()
	r := e.browser().Get(e.srv.AdminURL + "identities")
	var list []json.RawMessage
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("list identities: %s", r.Body)
	}
	return len(list)
}

// signUp registers who with a new authenticator and returns it.
func (e *env) signUp(who string) (*authenticator, *sdk.Browser) {
	e.t.Helper()
	b := e.browser()
	id := e.flow(b, "registration")
	key := newAuthenticator(e.t, e.origin, "localhost")
	resp := key.create(e.fetch(b, "registration", id).value("webauthn_register_trigger"), "")
	r := e.submit(b, "registration", id, url.Values{"traits.email": {who}, "webauthn_register": {resp}}, true)
	if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
		e.t.Fatalf("passkey sign-up answered %d to %s without a session; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return key, b
}

// askKey runs the identifier step of a passkey sign-in and returns the
// request options the flow now offers.
func (e *env) askKey(b *sdk.Browser, id, who string) string {
	e.t.Helper()
	r := e.submit(b, "login", id, url.Values{"method": {"webauthn"}, "identifier": {who}}, true)
	f := e.shownAgain(b, r, "login", id, 1010012, "identifier step")
	opts := f.value("webauthn_login_trigger")
	if opts == "" {
		e.t.Fatalf("after the identifier the flow offers no webauthn_login_trigger: %+v", f.UI.Nodes)
	}
	return opts
}

func dialects(t *testing.T, run func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			run(t, d)
		})
	}
}

// TestPasskeySignUpErrors: a sign-up without the anti-CSRF token, with an
// answer to another challenge, or sent again after it succeeded creates
// nobody (the second time it is refused: its challenge is spent).
func TestPasskeySignUpErrors(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := start(t, dialect, true)
		b := e.browser()
		id := e.flow(b, "registration")
		key := newAuthenticator(t, e.origin, "localhost")
		opts := e.fetch(b, "registration", id).value("webauthn_register_trigger")

		r := e.submit(b, "registration", id, url.Values{"traits.email": {"a@example.org"}, "webauthn_register": {key.create(opts, "")}}, false)
		if r.StatusCode != http.StatusFound || !strings.Contains(r.Header.Get("Location"), "/ui/error") {
			t.Fatalf("sign-up without csrf_token answered %d to %s, want the error page", r.StatusCode, r.Header.Get("Location"))
		}
		if n := e.identities(t); n != 0 {
			t.Fatalf("a sign-up without csrf_token created %d identities", n)
		}

		bad := key.create(opts, b64.EncodeToString([]byte("a challenge this flow never showed")))
		r = e.submit(b, "registration", id, url.Values{"traits.email": {"a@example.org"}, "webauthn_register": {bad}}, true)
		f := e.shownAgain(b, r, "registration", id, 4000043, "answer to another challenge")
		if fresh := f.value("webauthn_register_trigger"); fresh == "" || key.parse(fresh).PublicKey.Challenge == key.parse(opts).PublicKey.Challenge {
			t.Errorf("after a refused answer the flow offers the same or no challenge: %q", fresh)
		}
		if n := e.identities(t); n != 0 {
			t.Fatalf("an answer to another challenge created %d identities", n)
		}

		// The first challenge was spent by the refused answer: its
		// correct answer is refused too; the fresh one's is accepted.
		r = e.submit(b, "registration", id, url.Values{"traits.email": {"a@example.org"}, "webauthn_register": {key.create(opts, "")}}, true)
		f = e.shownAgain(b, r, "registration", id, 4000043, "answer to a spent challenge")
		good := key.create(f.value("webauthn_register_trigger"), "")
		r = e.submit(b, "registration", id, url.Values{"traits.email": {"a@example.org"}, "webauthn_register": {good}}, true)
		if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("sign-up with the fresh challenge answered %d to %s without a session", r.StatusCode, r.Header.Get("Location"))
		}
		if code, _ := b.Whoami(); code != http.StatusOK {
			t.Fatalf("whoami after a passkey sign-up: %d", code)
		}

		// The same answer on the same flow from another browser: the
		// challenge is gone.
		other := e.browser()
		_ = e.flow(other, "registration") // for its anti-CSRF cookie
		r = e.submit(other, "registration", id, url.Values{"traits.email": {"b@example.org"}, "webauthn_register": {good}, "csrf_token": {b.CSRFToken()}}, false)
		if r.StatusCode == http.StatusFound && r.SetCookie("ory_kratos_session") != nil {
			t.Fatal("a replayed sign-up answer signed someone in")
		}
		if n := e.identities(t); n != 1 {
			t.Fatalf("after a replayed sign-up there are %d identities, want 1", n)
		}
	})
}

// TestPasskeySignInErrors: unknown address, unknown key, another
// challenge, a replayed answer and a missing anti-CSRF token never sign
// anyone in; the right answer does, and moves the stored sign count.
func TestPasskeySignInErrors(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := start(t, dialect, true)
		const who = "pk@example.org"
		key, _ := e.signUp(who)

		b := e.browser()
		id := e.flow(b, "login")
		r := e.submit(b, "login", id, url.Values{"method": {"webauthn"}, "identifier": {"nobody@example.org"}}, true)
		e.shownAgain(b, r, "login", id, 4000015, "unknown address")

		// A script driving the browser flow is told to send the browser
		// to the flow's UI, where the key answers.
		js := b.Do(http.MethodPost, e.public+"self-service/login?flow="+id, "application/json",
			[]byte(`{"method":"webauthn","identifier":"`+who+`","csrf_token":"`+b.CSRFToken()+`"}`), "Accept", "application/json")
		var change struct {
			Error struct {
				ID   string `json:"id"`
				Code int    `json:"code"`
			} `json:"error"`
			RedirectBrowserTo string `json:"redirect_browser_to"`
		}
		if err := json.Unmarshal(js.Body, &change); err != nil || js.StatusCode != http.StatusUnprocessableEntity ||
			change.Error.ID != "browser_location_change_required" || !strings.Contains(change.RedirectBrowserTo, "flow="+id) {
			t.Fatalf("JSON identifier step: %d %s, want 422 browser_location_change_required to the flow's UI", js.StatusCode, js.Body)
		}
		opts := e.askKey(b, id, who)
		stranger := newAuthenticator(t, e.origin, "localhost")
		stranger.handle = key.handle
		r = e.submit(b, "login", id, url.Values{"webauthn_login": {stranger.get(opts, "")}}, true)
		opts2 := e.shownAgain(b, r, "login", id, 4000043, "unknown key").value("webauthn_login_trigger")

		r = e.submit(b, "login", id, url.Values{"webauthn_login": {key.get(opts2, b64.EncodeToString([]byte("not this flow's challenge")))}}, true)
		opts3 := e.shownAgain(b, r, "login", id, 4000043, "answer to another challenge").value("webauthn_login_trigger")

		r = e.submit(b, "login", id, url.Values{"webauthn_login": {key.get(opts3, "")}}, false)
		if r.StatusCode != http.StatusFound || !strings.Contains(r.Header.Get("Location"), "/ui/error") {
			t.Fatalf("sign-in without csrf_token answered %d to %s, want the error page", r.StatusCode, r.Header.Get("Location"))
		}
		if code, _ := b.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("whoami after refused sign-ins: %d, want 401", code)
		}

		answer := key.get(opts3, "")
		r = e.submit(b, "login", id, url.Values{"webauthn_login": {answer}}, true)
		if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("sign-in with the key answered %d to %s without a session; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		_, cred, err := e.srv.App.Store.IdentityByIdentifier(context.Background(), webauthn.CredentialType, []string{who})
		if err != nil {
			t.Fatal(err)
		}
		var cfg webauthn.Config
		_ = json.Unmarshal(cred.Config, &cfg)
		if len(cfg.Credentials) != 1 || cfg.Credentials[0].Authenticator.SignCount != key.counter {
			t.Fatalf("stored keys %+v, want one key with sign count %d", cfg.Credentials, key.counter)
		}

		// The challenge the answer used is gone from the stored flow.
		fid, _ := uuid.Parse(id)
		stored, err := e.srv.App.Store.Flow(context.Background(), flow.Login, fid)
		if err != nil {
			t.Fatal(err)
		}
		var left any
		if stored.GetInternal("webauthn", &left) {
			t.Errorf("after a sign-in the flow still keeps a ceremony: %s", stored.Internal)
		}

		// The same answer again, on the same flow (from a browser holding
		// its anti-CSRF cookie but no session) and on a new one.
		same := e.browser()
		u, _ := url.Parse(e.public)
		same.Jar.SetCookies(u, []*http.Cookie{{Name: sdk.CSRFCookieName(e.public), Value: b.CSRFToken(), Path: "/"}})
		r = e.submit(same, "login", id, url.Values{"webauthn_login": {answer}}, true)
		if r.SetCookie("ory_kratos_session") != nil {
			t.Fatal("a replayed answer on its own flow signed in")
		}
		if code, _ := same.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("a replayed answer on its own flow signed in (whoami %d)", code)
		}
		again := e.browser()
		id2 := e.flow(again, "login")
		_ = e.askKey(again, id2, who)
		r = e.submit(again, "login", id2, url.Values{"webauthn_login": {answer}}, true)
		e.shownAgain(again, r, "login", id2, 4000043, "replayed answer on a new flow")
		if code, _ := again.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("a replayed answer signed in (whoami %d)", code)
		}

		// A fresh answer whose sign count goes back (a cloned key) is
		// refused too.
		cloned := e.browser()
		id3 := e.flow(cloned, "login")
		opts4 := e.askKey(cloned, id3, who)
		key.counter = 0
		r = e.submit(cloned, "login", id3, url.Values{"webauthn_login": {key.get(opts4, "")}}, true)
		e.shownAgain(cloned, r, "login", id3, 4000043, "a sign count that went back")
		if code, _ := cloned.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("a cloned key signed in (whoami %d)", code)
		}
	})
}

// TestKeysStayOffAPIFlows: api flows offer no key nodes, and browser flows
// carry the later versions' nodes, the script pinned by its digest, which
// is served as JavaScript.
func TestKeysStayOffAPIFlows(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite", true)
	b := e.browser()
	for _, kind := range []string{"login", "registration"} {
		r := b.Get(e.public + "self-service/" + kind + "/api")
		if strings.Contains(string(r.Body), `"group":"webauthn"`) {
			t.Errorf("the %s api flow has webauthn nodes: %s", kind, r.Body)
		}
	}
	id := e.flow(b, "registration")
	var f struct {
		UI struct {
			Nodes []struct {
				Type       string
				Attributes struct{ Src, Integrity, Crossorigin, Referrerpolicy string }
			}
		}
	}
	if err := json.Unmarshal(b.Get(e.public+"self-service/registration/flows?id="+id).Body, &f); err != nil {
		t.Fatal(err)
	}
	var src, integrity string
	for _, n := range f.UI.Nodes {
		if n.Type == "script" {
			src, integrity = n.Attributes.Src, n.Attributes.Integrity
			if n.Attributes.Crossorigin != "anonymous" || n.Attributes.Referrerpolicy != "no-referrer" {
				t.Errorf("script node %+v, want crossorigin anonymous and referrerpolicy no-referrer", n.Attributes)
			}
		}
	}
	if src != e.public+".well-known/ory/webauthn.js" || !strings.HasPrefix(integrity, "sha512-") {
		t.Fatalf("script node src %q integrity %q", src, integrity)
	}
	r := b.Get(src)
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/javascript; charset=UTF-8" || !strings.Contains(string(r.Body), "oryWebAuthnRegistration") {
		t.Fatalf("GET %s: %d %s", src, r.StatusCode, r.Header.Get("Content-Type"))
	}
}

// TestPasskeyFollowsTheAddress: after the address changes in settings,
// the passkey signs in with the new address and not the old one; an
// identity without keys gains no webauthn credential from the change.
func TestPasskeyFollowsTheAddress(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := start(t, dialect, true)
		key, b := e.signUp("old@example.org")
		sid := e.flow(b, "settings")
		r := e.submit(b, "settings", sid, url.Values{"method": {"profile"}, "traits.email": {"new@example.org"}}, true)
		e.shownAgain(b, r, "settings", sid, 1050001, "changing the address")

		b2 := e.browser()
		id := e.flow(b2, "login")
		r = e.submit(b2, "login", id, url.Values{"method": {"webauthn"}, "identifier": {"old@example.org"}}, true)
		e.shownAgain(b2, r, "login", id, 4000015, "the old address")
		opts := e.askKey(b2, id, "new@example.org")
		r = e.submit(b2, "login", id, url.Values{"webauthn_login": {key.get(opts, "")}}, true)
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("passkey sign-in with the new address: %d %s", r.StatusCode, r.Header.Get("Location"))
		}

		// A password account changing its address gets no key record.
		pb := e.browser()
		rid := e.flow(pb, "registration")
		r = e.submit(pb, "registration", rid, url.Values{"method": {"password"}, "traits.email": {"pw@example.org"}, "password": {password}}, true)
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("password sign-up: %d", r.StatusCode)
		}
		sid = e.flow(pb, "settings")
		r = e.submit(pb, "settings", sid, url.Values{"method": {"profile"}, "traits.email": {"pw2@example.org"}}, true)
		e.shownAgain(pb, r, "settings", sid, 1050001, "changing a password account's address")
		if _, _, err := e.srv.App.Store.IdentityByIdentifier(context.Background(), webauthn.CredentialType, []string{"pw2@example.org"}); err == nil {
			t.Error("a profile change gave a password account a webauthn credential")
		}
	})
}

// TestImportedPasskeySignsIn: an identity created through the admin API
// with the later versions' credentials.webauthn.config signs in with that
// key; a malformed config and a config on update are refused with 400.
func TestImportedPasskeySignsIn(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite", true)
	key := newAuthenticator(t, e.origin, "localhost")
	key.handle = []byte("0123456789abcdef")
	cfg, _ := json.Marshal(webauthn.Config{UserHandle: key.handle, Credentials: []webauthn.Key{{
		ID: key.credID, PublicKey: key.cose(), AttestationType: "none", DisplayName: "Imported", IsPasswordless: true,
		Flags: &webauthn.Flags{UserPresent: true, UserVerified: true},
	}}})
	admin := e.browser()
	body := `{"schema_id":"default","traits":{"email":"imported@example.org"},"credentials":{"webauthn":{"config":` + string(cfg) + `}}}`
	r := admin.Do(http.MethodPost, e.srv.AdminURL+"identities", "application/json", []byte(body))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	var created struct{ ID string }
	_ = json.Unmarshal(r.Body, &created)

	b := e.browser()
	id := e.flow(b, "login")
	opts := e.askKey(b, id, "imported@example.org")
	r = e.submit(b, "login", id, url.Values{"webauthn_login": {key.get(opts, "")}}, true)
	if r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("sign-in with the imported key: %d %s", r.StatusCode, r.Header.Get("Location"))
	}

	for _, bad := range []string{
		`{"schema_id":"default","traits":{"email":"x@example.org"},"credentials":{"webauthn":{"config":{"credentials":[]}}}}`,
		`{"schema_id":"default","traits":{"email":"x@example.org"},"credentials":{"webauthn":{"config":{"credentials":[{"id":"AAEC"}]}}}}`,
	} {
		if r := admin.Do(http.MethodPost, e.srv.AdminURL+"identities", "application/json", []byte(bad)); r.StatusCode != http.StatusBadRequest {
			t.Errorf("import %s: %d, want 400", bad, r.StatusCode)
		}
	}
	if r := admin.Do(http.MethodPut, e.srv.AdminURL+"identities/"+created.ID, "application/json", []byte(body)); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a webauthn config on update: %d %s, want 400", r.StatusCode, r.Body)
	}
}
