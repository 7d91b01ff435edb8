package settings_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestProfileChange: a new name is saved and shown in the answer, the
// flow, and the session; the addresses stay as they were.
func TestProfileChange(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "prof@example.com")
	f := initFlow(t, s, u)
	out := wantSaved(t, submitAs(t, s, u, f.ID, profile(t, "prof@example.com", "Professor Plum")))
	if out.Identity.Traits["name"] != "Professor Plum" || out.Flow.Node("traits.name").Attributes.Value != "Professor Plum" {
		t.Errorf("answer traits %v, form name %v", out.Identity.Traits, out.Flow.Node("traits.name").Attributes.Value)
	}
	if len(out.Identity.VerifiableAddresses) != 1 || out.Identity.VerifiableAddresses[0].Value != "prof@example.com" {
		t.Errorf("addresses changed: %+v", out.Identity.VerifiableAddresses)
	}
	who := sdk.Do(t, http.MethodGet, s.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", u.token)
	if !strings.Contains(string(who.Body), "Professor Plum") {
		t.Errorf("whoami does not show the new name: %s", who.Body)
	}
	// The same flow can be submitted again.
	wantSaved(t, submitAs(t, s, u, f.ID, profile(t, "prof@example.com", "Plum")))
}

// TestEmailChange: a new email replaces the verifiable and recovery
// addresses (unverified) and becomes the only login identifier.
func TestEmailChange(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "old@example.com")
	f := initFlow(t, s, u)
	out := wantSaved(t, submitAs(t, s, u, f.ID, profile(t, "New@Example.com", "N")))
	va, ra := out.Identity.VerifiableAddresses, out.Identity.RecoveryAddresses
	if len(va) != 1 || va[0].Value != "new@example.com" || va[0].Verified {
		t.Errorf("verifiable_addresses = %+v, want only new@example.com, unverified", va)
	}
	if len(ra) != 1 || ra[0].Value != "new@example.com" {
		t.Errorf("recovery_addresses = %+v, want only new@example.com", ra)
	}
	sdk.Login(t, s, "new@example.com", sdk.GoodPassword)
	_, resp, err := sdk.TryLogin(t, s, "old@example.com", sdk.GoodPassword)
	if got := sdk.Status(t, resp, err); got != http.StatusBadRequest {
		t.Errorf("the old email still signs in: %d", got)
	}
	// The old email is free again.
	sdk.Register(t, s, "old@example.com", sdk.GoodPassword)
}

// TestPasswordChange: the new password signs in, the old one does not; a
// password the policy refuses changes nothing.
func TestPasswordChange(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "pw.changer@example.com")
	f := initFlow(t, s, u)
	for _, c := range []struct {
		pw string
		id int64
	}{
		{"", 4000002}, {"short", 4000005}, {"password123", 4000005}, {"pw.changer@example.com", 4000005}, {"Pw.Changer99", 4000005},
	} {
		g := sdk.WantFlow(t, "settings", submitAs(t, s, u, f.ID, password(t, c.pw)))
		if g.NodeMessage("password", c.id) == nil {
			t.Errorf("password %q: messages %v, want %d on password", c.pw, g.MessageIDs(), c.id)
		}
		if v := g.Node("password").Attributes.Value; c.pw != "" && v == c.pw {
			t.Errorf("password %q echoed back", c.pw)
		}
	}
	sdk.Login(t, s, u.email, sdk.GoodPassword) // unchanged so far
	const next = "Zt8@uw4#Pq1x"
	wantSaved(t, submitAs(t, s, u, f.ID, password(t, next)))
	sdk.Login(t, s, u.email, next)
	if _, resp, err := sdk.TryLogin(t, s, u.email, sdk.GoodPassword); sdk.Status(t, resp, err) != http.StatusBadRequest {
		t.Errorf("the old password still signs in")
	}
}

// TestPrivilegedSessionMaxAge: once the sign-in is older than
// privileged_session_max_age, the password and the email (a password
// identifier) cannot change (403) but the name can; signing in again
// (refresh) unlocks them.
func TestPrivilegedSessionMaxAge(t *testing.T) {
	t.Parallel()
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.SelfService.Flows.Settings.PrivilegedSessionMaxAge = config.Duration(10 * time.Minute)
	})
	u := signUp(t, s, "stale@example.com")
	f := initFlow(t, s, u)
	s.Clock.Advance(11 * time.Minute) // past the max age, within the flow's lifespan

	sdk.WantError(t, submitAs(t, s, u, f.ID, password(t, "Zt8@uw4#Pq1x")), http.StatusForbidden)
	sdk.WantError(t, submitAs(t, s, u, f.ID, profile(t, "other@example.com", "Stale")), http.StatusForbidden)
	wantSaved(t, submitAs(t, s, u, f.ID, profile(t, "stale@example.com", "Still Me")))
	sdk.Login(t, s, "stale@example.com", sdk.GoodPassword) // neither refused change happened

	fresh := sdk.Login(t, s, "stale@example.com", sdk.GoodPassword)
	u.token = fresh.SessionToken
	wantSaved(t, submitAs(t, s, u, f.ID, password(t, "Zt8@uw4#Pq1x")))
	sdk.Login(t, s, "stale@example.com", "Zt8@uw4#Pq1x")
}

// TestValidation: broken profiles and unusable methods answer 400 with the
// flow; the submitted values stay in the form and nothing is saved.
func TestValidation(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	signUp(t, s, "Taken@Example.com")
	u := signUp(t, s, "valid@example.com")
	cases := []struct {
		name    string
		body    string
		headers []string
		node    string // "" = anywhere
		id      int64
	}{
		{"email format", `{"method":"profile","traits":{"email":"nope","name":"V"}}`, nil, "traits.email", 4000001},
		{"missing email", `{"method":"profile","traits":{"name":"V"}}`, nil, "traits.email", 4000002},
		{"unknown trait", `{"method":"profile","traits":{"email":"valid@example.com","role":"admin"}}`, nil, "", 4000001},
		{"traits is a string", `{"method":"profile","traits":"x"}`, nil, "", 4000001},
		{"duplicate email, other case", `{"method":"profile","traits":{"email":"taken@example.COM","name":"V"}}`, nil, "", 4000007},
		{"unknown method", `{"method":"oidc","traits":{"email":"valid@example.com"}}`, nil, "", 4010004},
		{"missing method", `{"traits":{"email":"valid@example.com"}}`, nil, "", 4010004},
		{"cookie", `{"method":"profile","traits":{"email":"valid@example.com","name":"C"}}`, []string{"Cookie", "ory_kratos_session=x"}, "", 4000001},
		{"origin", `{"method":"profile","traits":{"email":"valid@example.com","name":"O"}}`, []string{"Origin", "https://evil.example"}, "", 4000001},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := sdk.WantFlow(t, "settings", submitAs(t, s, u, initFlow(t, s, u).ID, []byte(c.body), c.headers...))
			if c.node != "" && f.NodeMessage(c.node, c.id) == nil || !f.HasMessage(c.id) {
				t.Errorf("messages %v, want %d (on %q)", f.MessageIDs(), c.id, c.node)
			}
			if f.State != "show_form" {
				t.Errorf("state %q, want show_form", f.State)
			}
		})
	}
	kept := sdk.WantFlow(t, "settings", submitAs(t, s, u, initFlow(t, s, u).ID, []byte(`{"method":"profile","traits":{"email":"nope","name":"Kept"}}`)))
	if kept.Node("traits.email").Attributes.Value != "nope" || kept.Node("traits.name").Attributes.Value != "Kept" {
		t.Errorf("submitted values not kept: email %v name %v", kept.Node("traits.email").Attributes.Value, kept.Node("traits.name").Attributes.Value)
	}
	who := string(sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+u.id, "", nil).Body)
	for _, bad := range []string{"nope", "admin", "taken@", "Kept", `"C"`, `"O"`} {
		if strings.Contains(who, bad) {
			t.Errorf("a refused submission was saved (%s): %s", bad, who)
		}
	}
}

// TestFormBody: api settings flows accept form-urlencoded bodies.
func TestFormBody(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "form@example.com")
	f := initFlow(t, s, u)
	form := url.Values{"method": {"profile"}, "traits.email": {"form@example.com"}, "traits.name": {"Formal"}}
	r := sdk.Submit(t, s, "settings", f.ID, "application/x-www-form-urlencoded", []byte(form.Encode()), "X-Session-Token", u.token)
	if out := wantSaved(t, r); out.Identity.Traits["name"] != "Formal" {
		t.Errorf("traits %v", out.Identity.Traits)
	}
}

// TestBadInput: broken bodies are a clear 4xx and change nothing: the
// flow with a 4000001 when the body cannot be read, 413 when it is too big.
func TestBadInput(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "bad@example.com")
	mb := strings.Repeat("a", 1<<20)
	cases := []struct {
		name, body string
		status     int
	}{
		{"malformed JSON", `{"method":"profile",`, 400},
		{"duplicate key", `{"method":"profile","traits":{"email":"bad@example.com","name":"A","name":"B"}}`, 400},
		{"NUL in name", `{"method":"profile","traits":{"email":"bad@example.com","name":"A\u0000B"}}`, 400},
		{"invalid UTF-8", "{\"method\":\"profile\",\"traits\":{\"email\":\"bad@example.com\",\"name\":\"\xc0\xaf\"}}", 400},
		{"1 MB trait", `{"method":"profile","traits":{"email":"bad@example.com","name":"` + mb + `"}}`, 413},
		{"1 MB password", `{"method":"password","password":"` + mb + `"}`, 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := submitAs(t, s, u, initFlow(t, s, u).ID, []byte(c.body))
			if c.status != http.StatusBadRequest {
				sdk.WantError(t, r, c.status)
				return
			}
			// Unreadable: the flow again, with a 4000001 saying why.
			if f := sdk.WantFlow(t, "settings", r); f.UI.Messages == nil || f.UI.Messages[0].ID != 4000001 {
				t.Errorf("messages %v, want 4000001 on the form", f.MessageIDs())
			}
		})
	}
	sdk.Login(t, s, "bad@example.com", sdk.GoodPassword)
	if got := string(sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+u.id, "", nil).Body); !strings.Contains(got, `"name":"Test User"`) {
		t.Errorf("a refused body changed the identity: %s", got)
	}
}
