package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// Every way a round trip can go wrong ends in a clear answer: a message
// on the flow, a new flow, or the error page; never a 500, never a
// session.

// callbackWith is the callback URL cb with query values replaced.
func callbackWith(t *testing.T, cb string, set url.Values) string {
	t.Helper()
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, v := range set {
		if len(v) == 0 {
			q.Del(k)
		} else {
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// TestProviderError: the user denies access at the provider. The login
// flow is shown again with 4000001 naming the provider's error, keeping
// its nodes; a registration flow too (the reference empties it).
func TestProviderError(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	for _, kind := range []string{"login", "registration"} {
		b := e.browser()
		id := b.start(kind, "")
		auth := b.toProvider(kind, id, nil)
		cb := e.public + "self-service/methods/oidc/callback/corp?" + url.Values{
			"error": {"access_denied"}, "error_description": {"The user denied the request"}, "state": {auth.Query().Get("state")},
		}.Encode()
		r := b.Get(cb)
		if got := e.uiFlow(r, kind); got != id {
			t.Errorf("%s: provider error shown on flow %s, want %s", kind, got, id)
		}
		b.signedOut(kind+": access_denied", r)
		f := b.flow(kind, id)
		if !hasID(messageIDs(f), 4000001) || !strings.Contains(string(mustJSON(t, f["ui"])), "access_denied") {
			t.Errorf("%s: messages %v, want 4000001 naming access_denied", kind, f["ui"].(map[string]any)["messages"])
		}
		if node(f, "provider", "corp") == nil || node(f, "csrf_token") == nil {
			t.Errorf("%s: after the provider error the flow lost its buttons: %v", kind, nodes(f))
		}
		if node(f, "password") == nil {
			t.Errorf("%s: after the provider error the password form is gone", kind)
		}
	}
}

// TestTamperedState: a callback whose state was changed matches no round
// trip (400 on the error page); the genuine callback still works, since
// guessing at states must not let anyone cancel someone's sign-in.
func TestTamperedState(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-h", "hana", "hana@example.com", true, "", "")
	b := e.browser()
	login := b.start("login", "")
	cb := b.atProvider(b.toProvider("login", login, nil), "hana")
	state := mustQuery(t, cb).Get("state")
	for _, bad := range []string{state[:len(state)-1] + flip(state[len(state)-1]), "", state + "x"} {
		set := url.Values{"state": {bad}}
		if bad == "" {
			set = url.Values{"state": nil}
		}
		r := b.Get(callbackWith(t, cb, set))
		if code := e.errorAt(b, r); code != http.StatusBadRequest {
			t.Errorf("state %q: error %d, want 400", bad, code)
		}
		b.signedOut("tampered state", r)
	}
	r := b.Get(cb)
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" {
		t.Fatalf("genuine callback after tampered ones: %d to %s", r.StatusCode, loc)
	}
}

// TestReplayedCallback: a callback URL works once. Used again, in the same
// browser or in another (a leaked URL), it is a 400 and signs nobody in.
func TestReplayedCallback(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-i", "ivan", "ivan@example.com", true, "", "")
	b := e.browser()
	reg := b.start("registration", "")
	cb := b.atProvider(b.toProvider("registration", reg, nil), "ivan")
	if r := b.Get(cb); r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("first use of the callback: %d, no session", r.StatusCode)
	}
	r := b.Get(cb)
	if code := e.errorAt(b, r); code != http.StatusBadRequest {
		t.Errorf("replay in the same browser: error %d, want 400", code)
	}
	if r.SetCookie("ory_kratos_session") != nil {
		t.Errorf("replay in the same browser issued a session")
	}
	thief := e.browser()
	r = thief.Get(cb)
	if code := e.errorAt(thief, r); code != http.StatusBadRequest {
		t.Errorf("replay in another browser: error %d, want 400", code)
	}
	thief.signedOut("replay in another browser", r)

	// A callback begun in one browser and finished in another is refused
	// the same way, and used up: the first browser cannot finish it either.
	other := e.browser()
	login := other.start("login", "")
	cb = other.atProvider(other.toProvider("login", login, nil), "ivan")
	stranger := e.browser()
	r = stranger.Get(cb)
	if code := e.errorAt(stranger, r); code != http.StatusBadRequest {
		t.Errorf("callback in a browser that did not start it: error %d, want 400", code)
	}
	stranger.signedOut("callback in another browser", r)
	if n := len(e.identities()); n != 1 {
		t.Errorf("admin API shows %d identities, want 1", n)
	}
}

// TestFailedCodeExchange: the provider refuses the code (forged, or used
// already). The flow is shown again with 4000001; the reference's 500 is
// a defect.
func TestFailedCodeExchange(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-j", "jo", "jo@example.com", true, "", "")
	b := e.browser()
	login := b.start("login", "")
	cb := b.atProvider(b.toProvider("login", login, nil), "jo")
	r := b.Get(callbackWith(t, cb, url.Values{"code": {"forged-code"}}))
	if got := e.uiFlow(r, "login"); got != login {
		t.Errorf("failed exchange shown on flow %s, want %s", got, login)
	}
	b.signedOut("failed code exchange", r)
	if f := b.flow("login", login); !hasID(messageIDs(f), 4000001) {
		t.Errorf("messages %v, want 4000001", messageIDs(f))
	}

	// No code at all is the same.
	cb = b.atProvider(b.toProvider("login", login, nil), "jo")
	r = b.Get(callbackWith(t, cb, url.Values{"code": nil}))
	if got := e.uiFlow(r, "login"); got != login {
		t.Errorf("callback without a code shown on flow %s, want %s", got, login)
	}
	b.signedOut("callback without a code", r)
	if len(e.identities()) != 0 {
		t.Errorf("an identity was created")
	}
}

// TestFlowExpiredDuringRoundTrip: the user took longer at the provider
// than the flow lives. The browser gets a new flow saying so (4010001,
// 4040001) with the old one's return_to, not an error page.
func TestFlowExpiredDuringRoundTrip(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *config.Config, _ *env) {
		c.SelfService.Flows.Login.Lifespan = config.Duration(10 * time.Minute)
		c.SelfService.Flows.Registration.Lifespan = config.Duration(10 * time.Minute)
	})
	e.op.users.add("sub-k", "kim", "kim@example.com", true, "", "")
	for n, c := range []struct {
		kind string
		msg  int
	}{{"registration", 4040001}, {"login", 4010001}} {
		kind, msg := c.kind, c.msg
		b := e.browser()
		back := e.app + "allowed/" + kind
		id := b.start(kind, "return_to="+url.QueryEscape(back))
		cb := b.atProvider(b.toProvider(kind, id, nil), "kim")
		e.srv.Clock.Advance(11 * time.Minute)
		r := b.Get(cb)
		next := e.uiFlow(r, kind)
		if next == id {
			t.Errorf("%s: the expired flow was shown again", kind)
		}
		b.signedOut(kind+": flow expired at the provider", r)
		if f := b.flow(kind, next); !hasID(messageIDs(f), msg) {
			t.Errorf("%s: new flow messages %v, want %d", kind, messageIDs(f), msg)
		}
		if len(e.identities()) != n {
			t.Fatalf("%s: an identity was created from an expired flow", kind)
		}
		// The new flow finishes where the old one was asked to go.
		r = b.via(kind, next, "kim", nil)
		if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != back {
			t.Errorf("%s: the new flow finished at %s, want the old flow's return_to %s", kind, loc, back)
		}
	}
}

// TestCallbackWithoutRoundTrip: a callback nobody started (no state, or
// an unknown provider) is an error page, not a 500.
func TestCallbackWithoutRoundTrip(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	b := e.browser()
	for path, want := range map[string]int{
		"self-service/methods/oidc/callback/corp":                             http.StatusBadRequest,
		"self-service/methods/oidc/callback/corp?code=abc&state=never-issued": http.StatusBadRequest,
		"self-service/methods/oidc/callback/nope?code=abc&state=x":            http.StatusNotFound,
	} {
		r := b.Get(e.public + path)
		if code := e.errorAt(b, r); code != want {
			t.Errorf("%s: error %d, want %d", path, code, want)
		}
		b.signedOut(path, r)
		r = b.PostForm(e.public+path, url.Values{"code": {"abc"}})
		if r.StatusCode >= 500 {
			t.Errorf("POST %s: %d", path, r.StatusCode)
		}
	}
}

// TestCSRFChecked: a social submit, link or unlink without the flow's
// anti-CSRF token is refused (403) before anything reaches the provider;
// the reference forgets this check.
func TestCSRFChecked(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-l", "lee", "lee.elsewhere@example.com", true, "", "")
	b := e.browser()
	for _, kind := range []string{"login", "registration"} {
		id := b.start(kind, "")
		for _, token := range []string{"", "not-the-token"} {
			v := url.Values{"provider": {"corp"}}
			if token != "" {
				v.Set("csrf_token", token)
			}
			r := b.PostForm(e.public+"self-service/"+kind+"?flow="+id, v)
			if code := e.errorAt(b, r); code != http.StatusForbidden {
				t.Errorf("%s with csrf_token %q: error %d, want 403", kind, token, code)
			}
			if r.SetCookie("ory_kratos_continuity") != nil {
				t.Errorf("%s with csrf_token %q: a round trip was started", kind, token)
			}
		}
	}

	id := b.signUpPassword("lee@example.com", "Quartz-meadow-violin-305")
	set := b.start("settings", "")
	r := b.PostForm(e.public+"self-service/settings?flow="+set, url.Values{"link": {"corp"}})
	if code := e.errorAt(b, r); code != http.StatusForbidden || r.SetCookie("ory_kratos_continuity") != nil {
		t.Errorf("link without csrf_token: error %d, want 403 and no round trip", code)
	}
	b.via("settings", set, "lee", url.Values{"link": {"corp"}})
	set = b.start("settings", "")
	r = b.PostForm(e.public+"self-service/settings?flow="+set, url.Values{"unlink": {"corp"}})
	if code := e.errorAt(b, r); code != http.StatusForbidden {
		t.Errorf("unlink without csrf_token: error %d, want 403", code)
	}
	if node(b.flow("settings", b.start("settings", "")), "unlink", "corp") == nil {
		t.Errorf("unlink without csrf_token unlinked the provider")
	}
	other := e.browser()
	login := other.start("login", "")
	other.via("login", login, "lee", nil)
	if _, got := other.Whoami(); got != id {
		t.Errorf("after the refused unlink the provider signs in to %q, want %s", got, id)
	}
}

// TestErrorPathsOnEveryDatabase: a provider error and a replay on each
// database (the state store's take-once is the database's work).
func TestErrorPathsOnEveryDatabase(t *testing.T) {
	t.Parallel()
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := startOn(t, dsn, nil)
		e.op.users.add("sub-m", "mo", "mo@example.com", true, "", "")
		b := e.browser()
		login := b.start("login", "")
		cb := b.atProvider(b.toProvider("login", login, nil), "mo")
		denied := callbackWith(t, cb, url.Values{"error": {"access_denied"}, "code": nil})
		b2 := e.browser()
		login2 := b2.start("login", "")
		cb2 := b2.atProvider(b2.toProvider("login", login2, nil), "mo")
		if r := b.Get(denied); e.uiFlow(r, "login") != login {
			t.Errorf("access_denied not shown on the flow")
		}
		if r := b.Get(denied); e.errorAt(b, r) != http.StatusBadRequest {
			t.Errorf("replayed denial not refused")
		}
		b.signedOut("denied", b.Get(e.public+"self-service/login/flows?id="+login))
		if r := b2.Get(cb2); r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("the other browser's sign-up failed: %d", r.StatusCode)
		}
		if r := b2.Get(cb2); e.errorAt(b2, r) != http.StatusBadRequest {
			t.Errorf("replayed callback not refused")
		}
		if n := len(e.identities()); n != 1 {
			t.Errorf("%d identities, want 1", n)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// flip changes one character of a state.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// TestRoundTripExpired: the flow still lives, but the round trip (30
// minutes) is over: the provider's answer is not used, and the browser
// gets a new flow rather than an error page.
func TestRoundTripExpired(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *config.Config, _ *env) {
		c.SelfService.Flows.Login.Lifespan = config.Duration(2 * time.Hour)
	})
	e.op.users.add("sub-p", "pia", "pia@example.com", true, "", "")
	b := e.browser()
	login := b.start("login", "")
	cb := b.atProvider(b.toProvider("login", login, nil), "pia")
	e.srv.Clock.Advance(31 * time.Minute)
	r := b.Get(cb)
	if next := e.uiFlow(r, "login"); next == login {
		t.Errorf("the flow whose round trip expired was shown again")
	} else if f := b.flow("login", next); !hasID(messageIDs(f), 4010001) {
		t.Errorf("new flow messages %v, want 4010001", messageIDs(f))
	}
	b.signedOut("round trip expired", r)
	if len(e.identities()) != 0 {
		t.Errorf("an identity was created from an expired round trip")
	}
}

// TestCallbackWhoseFlowIsGone: the round trip is genuine but its flow was
// deleted meanwhile (cleaned up, or the database restored): a 400 on the
// error page, nobody signed in.
func TestCallbackWhoseFlowIsGone(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-w", "wen", "wen@example.com", true, "", "")
	b := e.browser()
	login := b.start("login", "")
	cb := b.atProvider(b.toProvider("login", login, nil), "wen")
	db := e.srv.App.Store.DB()
	if _, err := db.SQL.Exec(db.Q(`DELETE FROM selfservice_flows WHERE id = ?`), login); err != nil {
		t.Fatal(err)
	}
	r := b.Get(cb)
	if code := e.errorAt(b, r); code != http.StatusBadRequest {
		t.Errorf("callback of a deleted flow: error %d, want 400", code)
	}
	b.signedOut("callback of a deleted flow", r)
}
