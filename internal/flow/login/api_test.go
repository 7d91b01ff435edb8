package login_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestInitLayout: the login form as wire-facts describe it.
func TestInitLayout(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("init: %d %s", r.Status, r.Body)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "type", "expires_at", "issued_at", "request_url", "ui", "created_at", "updated_at", "forced"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("login flow has no %q: %s", k, r.Body)
		}
	}
	f := sdk.DecodeFlow(t, r.Body)
	if f.Forced == nil || *f.Forced {
		t.Errorf("forced = %v, want false", f.Forced)
	}
	want := []string{"default/csrf_token:hidden", "password/password_identifier:text", "password/password:password", "password/method:submit=password"}
	if got := f.Layout(); !slices.Equal(got, want) {
		t.Errorf("layout\n got %v\nwant %v", got, want)
	}
	for name, id := range map[string]int64{"password": 1070001, "method": 1010001} {
		if n := f.Node(name); n == nil || n.Meta.Label == nil || n.Meta.Label.ID != id {
			t.Errorf("node %s label = %+v, want id %d", name, f.Node(name), id)
		}
	}
	if csrf := f.Node("csrf_token"); csrf == nil || csrf.Attributes.Value != "" {
		t.Errorf("api flows carry an empty csrf_token: %+v", csrf)
	}
	for _, base := range []string{s.PublicURL, s.AdminURL} {
		got := sdk.Do(t, http.MethodGet, base+"self-service/login/flows?id="+f.ID, "", nil)
		if got.Status != http.StatusOK || string(got.Body) != string(r.Body) {
			t.Errorf("fetch on %s: %d %s\nwant the flow as initialised: %s", base, got.Status, got.Body, r.Body)
		}
	}
}

// TestFetchUnknownFlow: unknown, malformed, missing, or another kind's id.
func TestFetchUnknownFlow(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Init(t, s, "registration")
	for _, base := range []string{s.PublicURL, s.AdminURL} {
		for _, q := range []string{"?id=2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90", "?id=xyz", "", "?id=" + reg.ID} {
			sdk.WantError(t, sdk.Do(t, http.MethodGet, base+"self-service/login/flows"+q, "", nil), http.StatusNotFound)
		}
	}
	r := sdk.Submit(t, s, "login", reg.ID, "application/json", credentials(t, "a@example.com", sdk.GoodPassword))
	sdk.WantError(t, r, http.StatusNotFound)
}

// TestExpiredFlow: 410 to fetches; a submission is sent to a new flow
// carrying 4010001 and does not sign in.
func TestExpiredFlow(t *testing.T) {
	t.Parallel()
	s := testkit.StartSQLite(t, func(c *config.Config) { c.SelfService.Flows.Login.Lifespan = config.Duration(time.Minute) })
	sdk.Register(t, s, "late@example.com", sdk.GoodPassword)
	f := sdk.Init(t, s, "login")
	s.Clock.Advance(2 * time.Minute)
	for _, base := range []string{s.PublicURL, s.AdminURL} {
		e := sdk.WantError(t, sdk.Do(t, http.MethodGet, base+"self-service/login/flows?id="+f.ID, "", nil), http.StatusGone)
		if d, _ := e["details"].(map[string]any); d == nil || d["api"] != s.PublicURL+"self-service/login/api" {
			t.Errorf("410 details = %v, want api: the init URL", e["details"])
		}
	}
	r := sdk.Submit(t, s, "login", f.ID, "application/json", credentials(t, "late@example.com", sdk.GoodPassword))
	prefix := s.PublicURL + "self-service/login/flows?id="
	loc := r.Header.Get("Location")
	if r.Status != http.StatusFound || !strings.HasPrefix(loc, prefix) || strings.HasSuffix(loc, f.ID) {
		t.Fatalf("submit to an expired flow: %d Location %q, want 302 to %s<new id>", r.Status, loc, prefix)
	}
	if strings.Contains(string(r.Body), "session_token") {
		t.Errorf("an expired flow signed in: %s", r.Body)
	}
	next := sdk.DecodeFlow(t, sdk.Do(t, http.MethodGet, loc, "", nil).Body)
	if !next.HasMessage(4010001) || next.Type != "api" {
		t.Errorf("replacement flow: type %q messages %v, want api with 4010001", next.Type, next.MessageIDs())
	}
}

// TestSuccess: the answer is {session, session_token} and the token works.
func TestSuccess(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "ok@example.com", sdk.GoodPassword)
	r := submit(t, s, "application/json", credentials(t, "ok@example.com", sdk.GoodPassword))
	out := wantSession(t, r)
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(r.Body, &keys)
	if len(keys) != 2 {
		t.Errorf("answer has keys %v, want session and session_token only", keys)
	}
	if out.Session.Identity.ID != reg.Identity.Id || out.SessionToken == reg.SessionToken {
		t.Errorf("login = %s, want a new session of %s", r.Body, reg.Identity.Id)
	}
	if got := sdk.WhoamiStatus(t, s, out.SessionToken); got != http.StatusOK {
		t.Errorf("whoami with the login token: %d", got)
	}
}

// TestEmailCase: emails sign in whatever their case.
func TestEmailCase(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "Alice@Example.COM", sdk.GoodPassword)
	for _, id := range []string{"Alice@Example.COM", "alice@example.com", "ALICE@EXAMPLE.COM"} {
		if li := sdk.Login(t, s, id, sdk.GoodPassword); li.Session.Identity.Id != reg.Identity.Id {
			t.Errorf("%s signed in as %s, want %s", id, li.Session.Identity.Id, reg.Identity.Id)
		}
	}
}

// TestInvalidCredentialsIndistinguishable: an unknown identifier and a wrong
// password get the same answer, byte for byte once ids and times are
// masked, so the answer does not tell which accounts exist.
func TestInvalidCredentialsIndistinguishable(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	const email, tried = "who@example.com", "Wrong-pass-42"
	unknown := submit(t, s, "application/json", credentials(t, email, tried))
	sdk.Register(t, s, email, sdk.GoodPassword)
	wrong := submit(t, s, "application/json", credentials(t, email, tried))
	for _, r := range []sdk.Response{unknown, wrong} {
		f := sdk.WantFlow(t, "login", r)
		if !f.HasMessage(4000006) {
			t.Errorf("messages %v, want 4000006", f.MessageIDs())
		}
		if strings.Contains(string(r.Body), tried) {
			t.Errorf("the password is echoed back: %s", r.Body)
		}
		if f.Node("password_identifier").Attributes.Value != email {
			t.Errorf("identifier not kept: %v", f.Node("password_identifier").Attributes.Value)
		}
	}
	if a, b := sdk.Normalize(unknown.Body), sdk.Normalize(wrong.Body); a != b {
		t.Errorf("unknown identifier and wrong password answer differently:\nunknown %s\n  wrong %s", a, b)
	}
}

// TestRequiredAndMethod: missing inputs are 4000002 on their node; an
// unknown or missing method is 4010002; browser headers are 4000001.
func TestRequiredAndMethod(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	cases := []struct {
		name    string
		body    string
		headers []string
		node    string
		id      int64
	}{
		{"missing identifier", `{"method":"password","password":"x"}`, nil, "password_identifier", 4000002},
		{"missing password", `{"method":"password","password_identifier":"a@example.com"}`, nil, "password", 4000002},
		{"password is a number", `{"method":"password","password_identifier":"a@example.com","password":123}`, nil, "password", 4000002},
		{"unknown method", `{"method":"totp","password_identifier":"a@example.com","password":"x"}`, nil, "", 4010002},
		{"missing method", `{"password_identifier":"a@example.com","password":"x"}`, nil, "", 4010002},
		{"cookie", string(credentials(t, "a@example.com", "x")), []string{"Cookie", "csrf=1"}, "", 4000001},
		{"origin", string(credentials(t, "a@example.com", "x")), []string{"Origin", "https://app.example"}, "", 4000001},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := sdk.WantFlow(t, "login", submit(t, s, "application/json", []byte(c.body), c.headers...))
			if c.node == "" {
				if !f.HasMessage(c.id) {
					t.Errorf("messages %v, want %d", f.MessageIDs(), c.id)
				}
				return
			}
			m := f.NodeMessage(c.node, c.id)
			if m == nil {
				t.Fatalf("node %s has no %d; messages %v", c.node, c.id, f.MessageIDs())
			}
			if c.id == 4000002 && m.Context["property"] != c.node {
				t.Errorf("context.property = %v, want %s", m.Context["property"], c.node)
			}
		})
	}
}

// TestFormBody: api flows accept form-urlencoded bodies too.
func TestFormBody(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	sdk.Register(t, s, "form@example.com", sdk.GoodPassword)
	form := url.Values{"method": {"password"}, "password_identifier": {"form@example.com"}, "password": {sdk.GoodPassword}}
	wantSession(t, submit(t, s, "application/x-www-form-urlencoded", []byte(form.Encode())))
}
