package oidc_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// uiFlow checks that an answer sends the browser to the app's page of a
// kind and returns the flow id it names.
func (e *env) uiFlow(r sdk.BrowserResponse, kind string) string {
	e.t.Helper()
	loc := r.Location(e.t)
	if !redirect(r.StatusCode) || !strings.HasPrefix(loc.String(), e.app+kind+"?") || loc.Query().Get("flow") == "" {
		e.t.Fatalf("answer %d to %s, want 302 to the %s page with a flow", r.StatusCode, loc, kind)
	}
	return loc.Query().Get("flow")
}

// signedOut asserts an answer that must leave the browser signed out: no
// 500, no session cookie, whoami 401.
func (b *browser) signedOut(what string, r sdk.BrowserResponse) {
	b.T.Helper()
	if r.StatusCode >= 500 {
		b.T.Errorf("%s: answered %d", what, r.StatusCode)
	}
	if c := r.SetCookie("ory_kratos_session"); c != nil && c.MaxAge >= 0 && c.Value != "" {
		b.T.Errorf("%s: set a session cookie", what)
	}
	if status, _ := b.Whoami(); status != http.StatusUnauthorized {
		b.T.Errorf("%s: whoami %d, want 401", what, status)
	}
}

// signUpPassword registers email with a password in this browser, which is
// then signed in, and returns the identity's id.
func (b *browser) signUpPassword(email, password string) string {
	b.T.Helper()
	reg := b.start("registration", "")
	r := b.submit("registration", reg, url.Values{"method": {"password"}, "traits.email": {email}, "password": {password}})
	if !redirect(r.StatusCode) || r.SetCookie("ory_kratos_session") == nil {
		b.T.Fatalf("password sign-up: %d to %s %v", r.StatusCode, r.Header.Get("Location"), messageIDs(b.flow("registration", reg)))
	}
	_, id := b.Whoami()
	return id
}

// passwordSignIn reports whether email and password sign in, in a new
// browser, and the identity it signs in to.
func (e *env) passwordSignIn(email, password string) (bool, string) {
	e.t.Helper()
	b := e.browser()
	login := b.start("login", "")
	r := b.submit("login", login, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {password}})
	if !redirect(r.StatusCode) || r.SetCookie("ory_kratos_session") == nil {
		return false, ""
	}
	_, id := b.Whoami()
	return true, id
}

// completeMissingTraits: the provider sends no email, which the schema
// requires. The same registration flow comes back as a form holding what
// was mapped and asking for the rest; filling it in and going through the
// provider again signs the user up with both.
func completeMissingTraits(t *testing.T, e *env) {
	e.op.users.add("sub-carl", "carl", "", false, "Carl", "Roe")
	before := len(e.identities())
	b := e.browser()
	reg := b.start("registration", "")
	r := b.via("registration", reg, "carl", nil)
	if got := e.uiFlow(r, "registration"); got != reg {
		t.Fatalf("completion went to flow %s, want the same flow %s", got, reg)
	}
	b.signedOut("mapped traits that fail the schema", r)
	f := b.flow("registration", reg)
	email, name := node(f, "traits.email"), node(f, "traits.name")
	if email == nil || name == nil || email["group"] != "oidc" || attr(name, "value") != "Carl Roe" {
		t.Fatalf("completion form = %v, want oidc trait inputs with the mapped name", nodes(f))
	}
	if !hasID(messageIDs(map[string]any{"ui": map[string]any{"nodes": []any{email}}}), 4000002) {
		t.Errorf("traits.email carries %v, want 4000002 (missing)", email["messages"])
	}
	if node(f, "password") != nil || node(f, "provider", "corp") == nil || node(f, "csrf_token") == nil {
		t.Errorf("completion form nodes = %v, want csrf_token, traits and the provider button only", nodes(f))
	}
	if len(e.identities()) != before {
		t.Fatalf("an identity was created before the form was completed")
	}

	r = b.via("registration", reg, "carl", url.Values{"traits.email": {"carl@example.com"}, "traits.name": {"Carl Roe"}})
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" || r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("completed sign-up: %d to %s, want signed in at the return URL", r.StatusCode, loc)
	}
	_, id := b.Whoami()
	i := e.identity(id)
	if len(e.identities()) != before+1 || traits(t, i)["email"] != "carl@example.com" || traits(t, i)["name"] != "Carl Roe" {
		t.Fatalf("identity %+v, want one new, with the typed email and the mapped name", i)
	}
}

// duplicateEmail: a provider account whose email belongs to a password
// account never signs in as it. Sign-up and sign-in answer 4000007 on a
// registration flow holding the mapped values; the existing account keeps
// its password and is not linked.
func duplicateEmail(t *testing.T, e *env) {
	before := len(e.identities())
	owner := e.browser()
	ownerID := owner.signUpPassword("dana@example.com", "Correct-horse-battery-917")
	e.op.users.add("sub-dana", "dana", "dana@example.com", true, "Dana", "")

	for _, kind := range []string{"registration", "login"} {
		b := e.browser()
		id := b.start(kind, "")
		r := b.via(kind, id, "dana", nil)
		reg := e.uiFlow(r, "registration")
		if kind == "registration" && reg != id {
			t.Errorf("%s: 4000007 shown on flow %s, want the same flow", kind, reg)
		}
		b.signedOut(kind+" with a taken email", r)
		f := b.flow("registration", reg)
		if !hasID(messageIDs(f), 4000007) {
			t.Errorf("%s: messages %v, want 4000007", kind, messageIDs(f))
		}
		if n := node(f, "traits.email"); n == nil || attr(n, "value") != "dana@example.com" {
			t.Errorf("%s: traits.email node %v, want the mapped address", kind, n)
		}
	}
	if n := len(e.identities()) - before; n != 1 {
		t.Errorf("admin API shows %d new identities, want the owner's only", n)
	}
	if ok, id := e.passwordSignIn("dana@example.com", "Correct-horse-battery-917"); !ok || id != ownerID {
		t.Errorf("the owner's password no longer signs in (%v, %s)", ok, id)
	}
	// Nothing was linked: the owner's settings still offer to link.
	set := owner.start("settings", "")
	if node(owner.flow("settings", set), "link", "corp") == nil {
		t.Errorf("after the refused sign-up the owner has no link button: the provider was linked")
	}
}

// linkAndUnlink: a password user links the provider in settings (1050002),
// signs in with it, unlinks it (1050003), and then it signs in no more.
func linkAndUnlink(t *testing.T, e *env) {
	b := e.browser()
	id := b.signUpPassword("erin@example.com", "Staple-lantern-orbit-482")
	e.op.users.add("sub-erin", "erin", "erin.elsewhere@example.com", true, "Erin", "")

	set := b.start("settings", "")
	f := b.flow("settings", set)
	ln := node(f, "link", "corp")
	if ln == nil || ln["group"] != "oidc" || ln["meta"].(map[string]any)["label"].(map[string]any)["id"].(float64) != 1050002 {
		t.Fatalf("settings has no link button with 1050002: %v", nodes(f))
	}
	if node(f, "unlink") != nil {
		t.Errorf("settings offers unlink before anything is linked")
	}
	r := b.via("settings", set, "erin", url.Values{"link": {"corp"}})
	if got := e.uiFlow(r, "settings"); got != set {
		t.Fatalf("link came back to flow %s, want %s", got, set)
	}
	f = b.flow("settings", set)
	un := node(f, "unlink", "corp")
	if f["state"] != "success" || !hasID(messageIDs(f), 1050001) || un == nil ||
		un["meta"].(map[string]any)["label"].(map[string]any)["id"].(float64) != 1050003 {
		t.Fatalf("after linking: state %v, messages %v, nodes %v; want success, 1050001 and an unlink button (1050003)", f["state"], messageIDs(f), nodes(f))
	}
	if tr := traits(t, e.identity(id)); tr["email"] != "erin@example.com" {
		t.Errorf("linking changed the traits to %v", tr)
	}

	other := e.browser()
	login := other.start("login", "")
	other.via("login", login, "erin", nil)
	if status, got := other.Whoami(); status != http.StatusOK || got != id {
		t.Fatalf("the linked account signs in to %q (%d), want %s", got, status, id)
	}

	set = b.start("settings", "")
	r = b.submit("settings", set, url.Values{"unlink": {"corp"}})
	if got := e.uiFlow(r, "settings"); got != set {
		t.Fatalf("unlink came back to flow %s, want %s", got, set)
	}
	f = b.flow("settings", set)
	if f["state"] != "success" || node(f, "link", "corp") == nil || node(f, "unlink") != nil {
		t.Fatalf("after unlinking: state %v, nodes %v; want success and the link button back", f["state"], nodes(f))
	}
	third := e.browser()
	login = third.start("login", "")
	third.via("login", login, "erin", nil)
	if _, got := third.Whoami(); got == id {
		t.Errorf("the unlinked account still signs in to the identity")
	}
	if ok, got := e.passwordSignIn("erin@example.com", "Staple-lantern-orbit-482"); !ok || got != id {
		t.Errorf("the password no longer signs in after unlinking")
	}
}

// lastWayRefused: an identity that signs in only with the provider gets
// no unlink button, and an unlink sent anyway is refused (4000001).
func lastWayRefused(t *testing.T, e *env) {
	e.op.users.add("sub-finn", "finn", "finn@example.com", true, "Finn", "")
	b := e.browser()
	reg := b.start("registration", "")
	b.via("registration", reg, "finn", nil)
	_, id := b.Whoami()
	set := b.start("settings", "")
	if f := b.flow("settings", set); node(f, "unlink") != nil || node(f, "link") != nil {
		t.Fatalf("settings of a provider-only identity = %v, want neither link nor unlink for corp", nodes(f))
	}
	r := b.submit("settings", set, url.Values{"unlink": {"corp"}})
	if r.StatusCode >= 500 {
		t.Fatalf("unlink of the last way answered %d", r.StatusCode)
	}
	f := b.flow("settings", set)
	if f["state"] == "success" || !hasID(messageIDs(f), 4000001) {
		t.Errorf("unlink of the last way: state %v, messages %v; want refused with 4000001", f["state"], messageIDs(f))
	}
	again := e.browser()
	login := again.start("login", "")
	again.via("login", login, "finn", nil)
	if _, got := again.Whoami(); got != id {
		t.Errorf("after the refused unlink the provider signs in to %q, want %s", got, id)
	}
}

// loginTurnsRegistrationKeepsReturnTo: an unknown account signing in on a
// login flow with return_to, whose traits need completing, completes them
// on a new registration flow and still lands at the return_to.
func loginTurnsRegistrationKeepsReturnTo(t *testing.T, e *env) {
	e.op.users.add("sub-gus", "gus", "", false, "Gus", "")
	b := e.browser()
	back := e.app + "allowed/after"
	login := b.start("login", "return_to="+url.QueryEscape(back))
	r := b.via("login", login, "gus", nil)
	reg := e.uiFlow(r, "registration")
	b.signedOut("a sign-in that needs completing", r)
	r = b.via("registration", reg, "gus", url.Values{"traits.email": {"gus@example.com"}})
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != back {
		t.Fatalf("completed: %d to %s, want the login flow's return_to %s", r.StatusCode, loc, back)
	}
	if status, _ := b.Whoami(); status != http.StatusOK {
		t.Errorf("not signed in after completing")
	}
}

func TestCompleteMissingTraits(t *testing.T) {
	t.Parallel()
	completeMissingTraits(t, start(t, nil))
}

func TestDuplicateEmailNeverSignsIn(t *testing.T) {
	t.Parallel()
	duplicateEmail(t, start(t, nil))
}

func TestLinkAndUnlinkInSettings(t *testing.T) {
	t.Parallel()
	linkAndUnlink(t, start(t, nil))
}

func TestUnlinkingTheLastWayIsRefused(t *testing.T) {
	t.Parallel()
	lastWayRefused(t, start(t, nil))
}

func TestLoginTurnedRegistrationKeepsReturnTo(t *testing.T) {
	t.Parallel()
	loginTurnsRegistrationKeepsReturnTo(t, start(t, nil))
}

// TestAccountsOnEveryDatabase runs the account stories on each database
// whose DSN is set, one Latchkey per database.
func TestAccountsOnEveryDatabase(t *testing.T) {
	t.Parallel()
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := startOn(t, dsn, nil)
		completeMissingTraits(t, e)
		linkAndUnlink(t, e)
		lastWayRefused(t, e)
		loginTurnsRegistrationKeepsReturnTo(t, e)
		duplicateEmail(t, e)
	})
}

// TestLinkAccountOfAnotherIdentity: a provider account that signs in to
// one identity cannot be linked to another (4000007 on the settings flow);
// it keeps signing in to the first.
func TestLinkAccountOfAnotherIdentity(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-q", "quinn", "quinn@example.com", true, "", "")
	first := e.browser()
	reg := first.start("registration", "")
	first.via("registration", reg, "quinn", nil)
	_, owner := first.Whoami()

	b := e.browser()
	b.signUpPassword("rae@example.com", "Harbor-thistle-canyon-618")
	set := b.start("settings", "")
	r := b.via("settings", set, "quinn", url.Values{"link": {"corp"}})
	if got := e.uiFlow(r, "settings"); got != set {
		t.Fatalf("link came back to flow %s, want %s", got, set)
	}
	if f := b.flow("settings", set); f["state"] == "success" || !hasID(messageIDs(f), 4000007) || node(f, "link", "corp") == nil {
		t.Errorf("linking another identity's account: state %v, messages %v; want 4000007 and the link button still there", f["state"], messageIDs(f))
	}
	again := e.browser()
	login := again.start("login", "")
	again.via("login", login, "quinn", nil)
	if _, got := again.Whoami(); got != owner {
		t.Errorf("the provider account now signs in to %q, want its owner %s", got, owner)
	}
}

// TestRefreshLogin: a login flow with refresh=true goes to the provider
// with prompt=login and issues a new session for the same identity, with
// a new authenticated_at.
func TestRefreshLogin(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-s", "sam", "sam@example.com", true, "", "")
	b := e.browser()
	reg := b.start("registration", "")
	b.via("registration", reg, "sam", nil)
	s1, _, err := b.SDK.PublicApi.ToSession(context.Background()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Clock.Advance(time.Minute)
	login := b.start("login", "refresh=true")
	auth := b.toProvider("login", login, nil)
	if auth.Query().Get("prompt") != "login" {
		t.Errorf("refresh sends prompt=%q, want login", auth.Query().Get("prompt"))
	}
	r := b.Get(b.atProvider(auth, "sam"))
	if !redirect(r.StatusCode) || r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("refresh callback: %d, no new session", r.StatusCode)
	}
	s2, _, err := b.SDK.PublicApi.ToSession(context.Background()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if s2.Identity.Id != s1.Identity.Id || !s2.AuthenticatedAt.After(s1.AuthenticatedAt) {
		t.Errorf("after refresh: identity %s (was %s), authenticated_at %v (was %v); want the same identity, later", s2.Identity.Id, s1.Identity.Id, s2.AuthenticatedAt, s1.AuthenticatedAt)
	}
}

// TestSignedInBrowserRegistrationCallback: a browser that signed in while
// its registration round trip was under way goes to the return URL; no
// second identity is made.
func TestSignedInBrowserRegistrationCallback(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-t", "tess", "tess@example.com", true, "", "")
	e.op.users.add("sub-u", "ugo", "ugo@example.com", true, "", "")
	b := e.browser()
	pending := b.start("registration", "")
	cb := b.atProvider(b.toProvider("registration", pending, nil), "ugo")
	// Meanwhile, in another tab of the same browser, tess signs up.
	reg := b.start("registration", "")
	b.via("registration", reg, "tess", nil)
	_, tess := b.Whoami()
	r := b.Get(cb)
	if r.StatusCode >= 500 {
		t.Fatalf("callback answered %d", r.StatusCode)
	}
	if _, got := b.Whoami(); got != tess {
		t.Errorf("the browser is signed in as %q, want tess %s", got, tess)
	}
	if n := len(e.identities()); n != 1 {
		t.Errorf("%d identities, want tess's only", n)
	}
}
