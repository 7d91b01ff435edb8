package webauthn_test

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const password = "key-Passw0rd-forty-2"

// notices counts the queued mail of one template.
func (e *env) notices(t *testing.T, tt courier.TemplateType) int {
	t.Helper()
	msgs, err := e.srv.App.Store.Messages(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.TemplateType == tt {
			n++
		}
	}
	return n
}

// aal is the assurance level whoami reports for a browser's session.
func (e *env) aal(b *sdk.Browser) string {
	e.t.Helper()
	r := b.Get(e.public + "sessions/whoami")
	var s struct {
		AAL string `json:"authenticator_assurance_level"`
	}
	_ = json.Unmarshal(r.Body, &s)
	if r.StatusCode != http.StatusOK {
		return r.Status
	}
	return s.AAL
}

// follow walks redirects on the public API until one leaves it, and
// returns the flow id the UI is sent with.
func (e *env) follow(b *sdk.Browser, r sdk.BrowserResponse) string {
	e.t.Helper()
	for k := 0; k < 5 && r.StatusCode == http.StatusFound; k++ {
		loc := r.Location(e.t)
		if id := loc.Query().Get("flow"); id != "" && strings.Contains(loc.Path, "/ui/") {
			return id
		}
		r = b.Get(loc.String())
	}
	e.t.Fatalf("no flow UI at the end of the redirects: %d %s", r.StatusCode, r.Header.Get("Location"))
	return ""
}

// TestSecurityKeyAsSecondFactor: a password account adds a key in
// settings (the session becomes aal2); signing in again takes the key
// after the password, and a stranger's key, an answer to another
// challenge, a missing anti-CSRF token and a replayed answer are refused.
func TestSecurityKeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := start(t, dialect, false)
		const who = "mfa@example.org"
		b := e.browser()
		id := e.flow(b, "registration")
		if f := e.fetch(b, "registration", id); f.value("webauthn_register_trigger") != "" {
			t.Fatal("with passwordless off, sign-up offers a key")
		}
		r := e.submit(b, "registration", id, url.Values{"method": {"password"}, "traits.email": {who}, "password": {password}}, true)
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("password sign-up: %d %s", r.StatusCode, r.Header.Get("Location"))
		}

		key := newAuthenticator(t, e.origin, "localhost")
		sid := e.flow(b, "settings")
		opts := e.fetch(b, "settings", sid).value("webauthn_register_trigger")
		r = e.submit(b, "settings", sid, url.Values{"webauthn_register": {key.create(opts, "")}, "webauthn_register_displayname": {"Blue key"}}, true)
		f := e.shownAgain(b, r, "settings", sid, 1050001, "adding a key")
		if got := e.aal(b); got != "aal2" {
			t.Errorf("after adding a key the session is %s, want aal2", got)
		}
		removeID := f.value("webauthn_remove")
		if removeID != hex.EncodeToString(key.credID) {
			t.Errorf("remove button value %q, want the key's hex id %x", removeID, key.credID)
		}

		// Sign in again: the password leads to the key prompt.
		b2 := e.browser()
		lid := e.flow(b2, "login")
		r = e.submit(b2, "login", lid, url.Values{"method": {"password"}, "password_identifier": {who}, "password": {password}}, true)
		aalID := e.follow(b2, r)
		if got := e.aal(b2); got != "aal1" && !strings.HasPrefix(got, "403") {
			t.Errorf("after the password alone whoami says %s, want an aal1 session refused", got)
		}
		opts = e.fetch(b2, "login", aalID).value("webauthn_login_trigger")
		if opts == "" {
			t.Fatalf("the aal2 flow offers no key: %+v", e.fetch(b2, "login", aalID).UI.Nodes)
		}

		stranger := newAuthenticator(t, e.origin, "localhost")
		stranger.handle = key.handle
		r = e.submit(b2, "login", aalID, url.Values{"webauthn_login": {stranger.get(opts, "")}}, true)
		opts = e.shownAgain(b2, r, "login", aalID, 4000043, "a stranger's key").value("webauthn_login_trigger")
		key.handle = key.handle[:0] // a security key sends no user handle
		r = e.submit(b2, "login", aalID, url.Values{"webauthn_login": {key.get(opts, b64.EncodeToString([]byte("elsewhere")))}}, true)
		opts = e.shownAgain(b2, r, "login", aalID, 4000043, "an answer to another challenge").value("webauthn_login_trigger")
		r = e.submit(b2, "login", aalID, url.Values{"webauthn_login": {key.get(opts, "")}}, false)
		if r.StatusCode != http.StatusFound || !strings.Contains(r.Header.Get("Location"), "/ui/error") {
			t.Fatalf("second factor without csrf_token answered %d to %s, want the error page", r.StatusCode, r.Header.Get("Location"))
		}
		if got := e.aal(b2); got == "aal2" {
			t.Fatal("a refused key answer raised the session to aal2")
		}
		answer := key.get(opts, "")
		r = e.submit(b2, "login", aalID, url.Values{"webauthn_login": {answer}}, true)
		if r.StatusCode != http.StatusFound {
			t.Fatalf("second factor with the key: %d %s", r.StatusCode, r.Body)
		}
		if got := e.aal(b2); got != "aal2" {
			t.Fatalf("after the key the session is %s, want aal2", got)
		}

		// The same answer on a new browser's aal2 flow is refused.
		b3 := e.browser()
		lid = e.flow(b3, "login")
		r = e.submit(b3, "login", lid, url.Values{"method": {"password"}, "password_identifier": {who}, "password": {password}}, true)
		aal3 := e.follow(b3, r)
		_ = e.fetch(b3, "login", aal3)
		r = e.submit(b3, "login", aal3, url.Values{"webauthn_login": {answer}}, true)
		e.shownAgain(b3, r, "login", aal3, 4000043, "a replayed answer")
		if got := e.aal(b3); got == "aal2" {
			t.Fatal("a replayed key answer raised the session to aal2")
		}

		// Removing an unknown key is refused; removing the key works.
		sid = e.flow(b2, "settings")
		r = e.submit(b2, "settings", sid, url.Values{"webauthn_remove": {"00ff"}}, true)
		e.shownAgain(b2, r, "settings", sid, 4000013, "removing an unknown key")
		r = e.submit(b2, "settings", sid, url.Values{"webauthn_remove": {removeID}}, true)
		if f := e.shownAgain(b2, r, "settings", sid, 1050001, "removing the key"); f.value("webauthn_remove") != "" {
			t.Errorf("after removing the only key the flow still lists one")
		}
	})
}

// TestLastPasskeyStays: the only passkey of an account without a password
// cannot be removed, whatever the form says.
func TestLastPasskeyStays(t *testing.T) {
	t.Parallel()
	e := start(t, "sqlite", true)
	key, b := e.signUp("last@example.org")
	sid := e.flow(b, "settings")
	f := e.fetch(b, "settings", sid)
	r := e.submit(b, "settings", sid, url.Values{"webauthn_remove": {hex.EncodeToString(key.credID)}}, true)
	e.shownAgain(b, r, "settings", sid, 4000001, "removing the last passkey")
	if f.value("webauthn_remove") == "" {
		t.Fatal("settings lists no key")
	}
	if after := e.fetch(b, "settings", sid); after.value("webauthn_remove") != hex.EncodeToString(key.credID) {
		t.Fatal("the last passkey is gone")
	}
}

// TestAdminSeesAndRemovesTheKey: the admin API lists the webauthn
// credential with its identifiers and no key material, and removing it
// (a lost key) lets the password alone sign in again.
func TestAdminSeesAndRemovesTheKey(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := start(t, dialect, false)
		const who = "lost@example.org"
		b := e.browser()
		id := e.flow(b, "registration")
		r := e.submit(b, "registration", id, url.Values{"method": {"password"}, "traits.email": {who}, "password": {password}}, true)
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("password sign-up: %d", r.StatusCode)
		}
		key := newAuthenticator(t, e.origin, "localhost")
		sid := e.flow(b, "settings")
		r = e.submit(b, "settings", sid, url.Values{"webauthn_register": {key.create(e.fetch(b, "settings", sid).value("webauthn_register_trigger"), "")}}, true)
		e.shownAgain(b, r, "settings", sid, 1050001, "adding a key")
		if n := e.notices(t, courier.SecondFactorAdded); n != 1 {
			t.Errorf("adding a key queued %d second-factor notices, want 1", n)
		}

		var me struct {
			Identity struct{ ID string } `json:"identity"`
		}
		_ = json.Unmarshal(b.Get(e.public+"sessions/whoami").Body, &me)
		admin := e.browser()
		r = admin.Get(e.srv.AdminURL + "identities/" + me.Identity.ID + "?include_credential=webauthn")
		var view struct {
			Credentials map[string]struct {
				Type        string   `json:"type"`
				Identifiers []string `json:"identifiers"`
			} `json:"credentials"`
		}
		if err := json.Unmarshal(r.Body, &view); err != nil || view.Credentials["webauthn"].Type != "webauthn" || len(view.Credentials["webauthn"].Identifiers) != 1 || view.Credentials["webauthn"].Identifiers[0] != who {
			t.Fatalf("admin identity with credentials: %d %s", r.StatusCode, r.Body)
		}
		x := b64.EncodeToString(pad32(key.key.X.Bytes()))
		for _, secret := range []string{"public_key", "user_handle", "sign_count", x[:16], b64.EncodeToString(key.credID)[:16]} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("the admin view shows key material (%s): %s", secret, r.Body)
			}
		}
		plain := admin.Get(e.srv.AdminURL + "identities/" + me.Identity.ID)
		if strings.Contains(string(plain.Body), `"credentials"`) {
			t.Errorf("without include_credential the identity shows credentials: %s", plain.Body)
		}

		r = admin.Do(http.MethodDelete, e.srv.AdminURL+"identities/"+me.Identity.ID+"/credentials/webauthn", "", nil)
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("admin removal of the key: %d %s", r.StatusCode, r.Body)
		}
		if n := e.notices(t, courier.SecondFactorRemoved); n != 1 {
			t.Errorf("the admin's removal queued %d removal notices, want 1", n)
		}
		b2 := e.browser()
		lid := e.flow(b2, "login")
		r = e.submit(b2, "login", lid, url.Values{"method": {"password"}, "password_identifier": {who}, "password": {password}}, true)
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("password sign-in after the key was removed: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if got := e.aal(b2); got != "aal1" {
			t.Fatalf("after the admin removed the key, the password sign-in gives %s, want aal1 accepted by whoami", got)
		}
	})
}
