package registration_test

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

// TestInitLayout: the form an app renders, node by node, as wire-facts
// describe it for the default schema (email and name).
func TestInitLayout(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/registration/api", "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("init: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "type", "expires_at", "issued_at", "request_url", "ui"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("flow has no %q: %s", k, r.Body)
		}
	}
	f := sdk.DecodeFlow(t, r.Body)
	want := []string{"default/csrf_token:hidden", "password/traits.email:email", "password/password:password",
		"password/traits.name:text", "password/method:submit=password"}
	if got := f.Layout(); !slices.Equal(got, want) {
		t.Errorf("layout\n got %v\nwant %v", got, want)
	}
	labels := map[string]int64{"traits.email": 1070002, "password": 1070001, "traits.name": 1070002, "method": 1040001}
	for name, id := range labels {
		if n := f.Node(name); n == nil || n.Meta.Label == nil || n.Meta.Label.ID != id {
			t.Errorf("node %s label = %+v, want id %d", name, f.Node(name), id)
		}
	}
	if csrf := f.Node("csrf_token"); csrf == nil || csrf.Attributes.Value != "" {
		t.Errorf("api flows carry an empty csrf_token: %+v", csrf)
	}
	for _, n := range f.UI.Nodes {
		if n.Messages != nil {
			t.Errorf("node %s has messages before any submission: %v", n.Attributes.Name, n.Messages)
		}
	}
}

// TestFetchUnknownFlow: an unknown, malformed or missing id, or the id of a
// flow of another kind, is 404 on both ports.
func TestFetchUnknownFlow(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	login := sdk.Init(t, s, "login")
	for _, base := range []string{s.PublicURL, s.AdminURL} {
		for _, q := range []string{"?id=2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90", "?id=not-a-uuid", "", "?id=", "?id=" + login.ID} {
			r := sdk.Do(t, http.MethodGet, base+"self-service/registration/flows"+q, "", nil)
			sdk.WantError(t, r, http.StatusNotFound)
		}
	}
}

// TestExpiredFlow: past its lifespan a flow answers 410 to fetches, and a
// submission is sent (302) to a new flow that says why.
func TestExpiredFlow(t *testing.T) {
	t.Parallel()
	s := testkit.StartSQLite(t, func(c *config.Config) { c.SelfService.Flows.Registration.Lifespan = config.Duration(time.Minute) })
	f := sdk.Init(t, s, "registration")
	s.Clock.Advance(2 * time.Minute)
	for _, base := range []string{s.PublicURL, s.AdminURL} {
		e := sdk.WantError(t, sdk.Do(t, http.MethodGet, base+"self-service/registration/flows?id="+f.ID, "", nil), http.StatusGone)
		if d, _ := e["details"].(map[string]any); d == nil || d["api"] != s.PublicURL+"self-service/registration/api" {
			t.Errorf("410 details = %v, want api: the init URL", e["details"])
		}
	}
	r := sdk.Submit(t, s, "registration", f.ID, "application/json", body(t, "password", "late@example.com", sdk.GoodPassword))
	loc := r.Header.Get("Location")
	prefix := s.PublicURL + "self-service/registration/flows?id="
	if r.Status != http.StatusFound || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("submit to an expired flow: %d Location %q, want 302 to %s<new id>", r.Status, loc, prefix)
	}
	newID := strings.TrimPrefix(loc, prefix)
	if newID == f.ID {
		t.Fatal("the replacement flow has the expired flow's id")
	}
	next := sdk.DecodeFlow(t, sdk.Do(t, http.MethodGet, loc, "", nil).Body)
	if next.ID != newID || !next.HasMessage(4040001) {
		t.Errorf("replacement flow %s has messages %v, want 4040001", next.ID, next.MessageIDs())
	}
	wantNoIdentities(t, s)
}

// TestSuccessWithoutSessionHook: without the session hook the answer is
// the identity alone, and no session exists for it.
func TestSuccessWithoutSessionHook(t *testing.T) {
	s := testkit.StartSQLite(t, withHooks())
	r := submit(t, s, body(t, "password", "solo@example.com", sdk.GoodPassword))
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys["identity"] == nil {
		t.Errorf("answer keys = %v, want only identity: %s", mapKeys(keys), r.Body)
	}
	if strings.Contains(string(r.Body), "credentials") || strings.Contains(string(r.Body), sdk.GoodPassword) {
		t.Errorf("answer exposes credentials: %s", r.Body)
	}
	sdk.Login(t, s, "solo@example.com", sdk.GoodPassword) // the password was stored
}

func mapKeys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestValidation: each broken submission answers 400 with the same flow,
// the message on the right node, the submitted traits kept and the
// password never echoed; nothing is written.
func TestValidation(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	cases := []struct {
		name, email, password string
		node                  string
		id                    int64
	}{
		{"missing email", "", sdk.GoodPassword, "traits.email", 4000002},
		{"missing password", "nopw@example.com", "", "password", 4000002},
		{"email format", "not-an-email", sdk.GoodPassword, "traits.email", 4000001},
		{"short password", "short@example.com", "aB3$xy", "password", 4000005},
		{"password is the email", "carol.jones@example.com", "carol.jones@example.com", "password", 4000005},
		{"password like the email", "carol.jones@example.com", "Carol.Jones2024", "password", 4000005},
		{"common password", "common@example.com", "password123", "password", 4000005},
		{"common password, other case", "common@example.com", "PASSWORD123", "password", 4000005},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			traits := map[string]any{"name": "Carol"}
			if c.email != "" {
				traits["email"] = c.email
			}
			b, _ := json.Marshal(map[string]any{"method": "password", "password": c.password, "traits": traits})
			f := sdk.WantFlow(t, "registration", submit(t, s, b))
			m := f.NodeMessage(c.node, c.id)
			if m == nil || m.Type != "error" || m.Text == "" {
				t.Fatalf("node %s has no %d error; messages %v: %+v", c.node, c.id, f.MessageIDs(), f.Node(c.node))
			}
			if c.id == 4000002 {
				if want := strings.TrimPrefix(c.node, "traits."); m.Context["property"] != want {
					t.Errorf("context.property = %v, want %q", m.Context["property"], want)
				}
			}
			if v := f.Node("password").Attributes.Value; v != nil && v != "" {
				t.Errorf("the password is echoed back: %v", v)
			}
			if c.email != "" && f.Node("traits.email").Attributes.Value != c.email {
				t.Errorf("traits.email value = %v, want the submitted %q", f.Node("traits.email").Attributes.Value, c.email)
			}
			if f.Node("traits.name").Attributes.Value != "Carol" {
				t.Errorf("traits.name value = %v, want the submitted Carol", f.Node("traits.name").Attributes.Value)
			}
		})
	}
	wantNoIdentities(t, s)
}

// TestDuplicateEmail: an email that exists, in any case, is 4000007 and
// creates nothing.
func TestDuplicateEmail(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	sdk.Register(t, s, "Alice@Example.COM", sdk.GoodPassword)
	for _, email := range []string{"Alice@Example.COM", "alice@example.com", "ALICE@EXAMPLE.COM"} {
		f := sdk.WantFlow(t, "registration", submit(t, s, body(t, "password", email, "other-"+sdk.GoodPassword)))
		if !f.HasMessage(4000007) {
			t.Errorf("%q: messages %v, want 4000007", email, f.MessageIDs())
		}
	}
	if n := sdk.CountIdentities(t, s); n != 1 {
		t.Errorf("%d identities, want 1", n)
	}
}

// TestMethodAndBrowserHeaders: an unknown or missing method is 4010003; an
// api flow sent with a browser's Cookie or Origin is 4000001.
func TestMethodAndBrowserHeaders(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	good := body(t, "password", "m@example.com", sdk.GoodPassword)
	cases := []struct {
		name    string
		body    []byte
		headers []string
		id      int64
	}{
		{"unknown method", body(t, "oidc", "m@example.com", sdk.GoodPassword), nil, 4010003},
		{"missing method", []byte(`{"password":"` + sdk.GoodPassword + `","traits":{"email":"m@example.com"}}`), nil, 4010003},
		{"method of another type", []byte(`{"method":1,"password":"` + sdk.GoodPassword + `","traits":{"email":"m@example.com"}}`), nil, 4010003},
		{"cookie", good, []string{"Cookie", "ory_kratos_session=abc"}, 4000001},
		{"origin", good, []string{"Origin", "https://evil.example"}, 4000001},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := sdk.WantFlow(t, "registration", submit(t, s, c.body, c.headers...))
			if !slices.Contains(f.MessageIDs(), c.id) {
				t.Errorf("messages %v, want %d", f.MessageIDs(), c.id)
			}
			if len(c.headers) > 0 && (len(f.UI.Messages) == 0 || !strings.Contains(f.UI.Messages[0].Text, c.headers[0])) {
				t.Errorf("the message does not name the %s header: %+v", c.headers[0], f.UI.Messages)
			}
		})
	}
	wantNoIdentities(t, s)
}

// TestFormBody: api flows accept form-urlencoded bodies with dotted names.
func TestFormBody(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	f := sdk.Init(t, s, "registration")
	form := url.Values{"method": {"password"}, "password": {sdk.GoodPassword}, "traits.email": {"form@example.com"}, "traits.name": {"Form"}}
	r := sdk.Submit(t, s, "registration", f.ID, "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var out struct {
		Identity struct {
			Traits map[string]string `json:"traits"`
		} `json:"identity"`
		SessionToken string `json:"session_token"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || out.Identity.Traits["name"] != "Form" || out.SessionToken == "" {
		t.Errorf("answer = %s", r.Body)
	}
}

// TestSignedInClient: a client that holds a session cannot start or submit
// a registration.
func TestSignedInClient(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "in@example.com", sdk.GoodPassword)
	sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/registration/api", "", nil, "X-Session-Token", reg.SessionToken), http.StatusBadRequest)
	f := sdk.Init(t, s, "registration")
	r := sdk.Submit(t, s, "registration", f.ID, "application/json", body(t, "password", "second@example.com", sdk.GoodPassword), "X-Session-Token", reg.SessionToken)
	sdk.WantError(t, r, http.StatusBadRequest)
	if n := sdk.CountIdentities(t, s); n != 1 {
		t.Errorf("%d identities, want 1", n)
	}
}
