package settings_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestNoSession: settings need a session; without one (or with a token
// that is not one) fetches and submissions answer 401, and the api init
// 403, as the reference does.
func TestNoSession(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "me@example.com")
	f := initFlow(t, s, u)
	for _, headers := range [][]string{nil, {"X-Session-Token", "not-a-token"}, {"Authorization", "Bearer not-a-token"}} {
		sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, headers...), http.StatusForbidden)
		sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows?id="+f.ID, "", nil, headers...), http.StatusUnauthorized)
		r := sdk.Submit(t, s, "settings", f.ID, "application/json", profile(t, "me@example.com", "Changed"), headers...)
		sdk.WantError(t, r, http.StatusUnauthorized)
	}
	if got := string(sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+u.id, "", nil).Body); strings.Contains(got, "Changed") {
		t.Errorf("a submission without a session changed the identity: %s", got)
	}
}

// TestInitLayout: the form is pre-filled with the identity's traits, and
// the flow carries the identity and state show_form; both ports serve it.
func TestInitLayout(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "Layout@Example.com")
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", u.token)
	if r.Status != http.StatusOK {
		t.Fatalf("init: %d %s", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	want := []string{"default/csrf_token:hidden", "profile/traits.email:email", "profile/traits.name:text",
		"profile/method:submit=profile", "password/password:password", "password/method:submit=password"}
	if got := f.Layout(); !slices.Equal(got, want) {
		t.Errorf("layout\n got %v\nwant %v", got, want)
	}
	if f.State != "show_form" || f.Type != "api" {
		t.Errorf("state %q type %q, want show_form api", f.State, f.Type)
	}
	if v := f.Node("traits.email").Attributes.Value; v != "Layout@Example.com" {
		t.Errorf("traits.email pre-filled with %v", v)
	}
	if n := f.Node("password"); n.Attributes.Value != nil && n.Attributes.Value != "" {
		t.Errorf("password node has a value: %v", n.Attributes.Value)
	}
	var id struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(f.Identity, &id); err != nil || id.ID != u.id {
		t.Errorf("flow identity = %s, want %s", f.Identity, u.id)
	}
	for _, n := range f.UI.Nodes {
		if n.Attributes.Type == "submit" && (n.Meta.Label == nil || n.Meta.Label.ID != 1070003) {
			t.Errorf("submit %v label %+v, want 1070003", n.Attributes.Value, n.Meta.Label)
		}
	}
	if n := f.Node("password"); n.Meta.Label == nil || n.Meta.Label.ID != 1070001 {
		t.Errorf("password label %+v, want 1070001", n.Meta.Label)
	}
	pub := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows?id="+f.ID, "", nil, "X-Session-Token", u.token)
	adm := sdk.Do(t, http.MethodGet, s.AdminURL+"self-service/settings/flows?id="+f.ID, "", nil)
	for _, got := range []sdk.Response{pub, adm} {
		if got.Status != http.StatusOK || sdk.DecodeFlow(t, got.Body).ID != f.ID {
			t.Errorf("fetch: %d %s", got.Status, got.Body)
		}
	}
}

// TestAnotherIdentity: a flow belongs to its owner. Another identity's
// token is 403, and the answer does not reveal the owner's traits (the
// reference's bug answered 400 with the owner's flow).
func TestAnotherIdentity(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	owner := signUp(t, s, "owner.secret@example.com")
	other := signUp(t, s, "mallory@example.com")
	f := initFlow(t, s, owner)
	fetch := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows?id="+f.ID, "", nil, "X-Session-Token", other.token)
	sub := submitAs(t, s, other, f.ID, profile(t, "mallory@example.com", "Pwned"))
	subPw := submitAs(t, s, other, f.ID, password(t, "Mallory-owns-1t"))
	for _, r := range []sdk.Response{fetch, sub, subPw} {
		sdk.WantError(t, r, http.StatusForbidden)
		if strings.Contains(string(r.Body), "owner.secret") || strings.Contains(string(r.Body), owner.id) {
			t.Errorf("403 reveals the owner: %s", r.Body)
		}
	}
	// Nothing changed: the owner still signs in with the old password and
	// keeps the email.
	li := sdk.Login(t, s, owner.email, sdk.GoodPassword)
	if tr, _ := li.Session.Identity.Traits.(map[string]any); tr["email"] != owner.email || tr["name"] == "Pwned" {
		t.Errorf("owner traits changed: %v", tr)
	}
}

// TestUnknownFlow: unknown, malformed, missing, or another kind's id is
// 404 to fetches; submissions answer 404 for an unknown id and 400 for a
// malformed one.
func TestUnknownFlow(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	u := signUp(t, s, "lost@example.com")
	login := sdk.Init(t, s, "login")
	for _, q := range []string{"?id=2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90", "?id=x", "", "?id=" + login.ID} {
		sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows"+q, "", nil, "X-Session-Token", u.token), http.StatusNotFound)
		sdk.WantError(t, sdk.Do(t, http.MethodGet, s.AdminURL+"self-service/settings/flows"+q, "", nil), http.StatusNotFound)
	}
	for id, status := range map[string]int{login.ID: 404, sdk.Init(t, s, "registration").ID: 404, "nope": 400} {
		sdk.WantError(t, submitAs(t, s, u, id, profile(t, u.email, "X")), status)
	}
}

// TestExpiredFlow: 410 to fetches; a submission goes (302) to a new flow
// carrying 4050001, and changes nothing.
func TestExpiredFlow(t *testing.T) {
	t.Parallel()
	s := testkit.StartSQLite(t, func(c *config.Config) { c.SelfService.Flows.Settings.Lifespan = config.Duration(time.Minute) })
	u := signUp(t, s, "slow@example.com")
	f := initFlow(t, s, u)
	s.Clock.Advance(2 * time.Minute)
	e := sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows?id="+f.ID, "", nil, "X-Session-Token", u.token), http.StatusGone)
	if d, _ := e["details"].(map[string]any); d == nil || d["api"] != s.PublicURL+"self-service/settings/api" {
		t.Errorf("410 details = %v, want api: the init URL", e["details"])
	}
	sdk.WantError(t, sdk.Do(t, http.MethodGet, s.AdminURL+"self-service/settings/flows?id="+f.ID, "", nil), http.StatusGone)

	r := submitAs(t, s, u, f.ID, profile(t, u.email, "Too Late"))
	prefix := s.PublicURL + "self-service/settings/flows?id="
	loc := r.Header.Get("Location")
	if r.Status != http.StatusFound || !strings.HasPrefix(loc, prefix) || strings.HasSuffix(loc, f.ID) {
		t.Fatalf("submit to an expired flow: %d Location %q, want 302 to %s<new id>", r.Status, loc, prefix)
	}
	next := sdk.DecodeFlow(t, sdk.Do(t, http.MethodGet, loc, "", nil, "X-Session-Token", u.token).Body)
	if !next.HasMessage(4050001) || next.State != "show_form" {
		t.Errorf("replacement flow: state %q messages %v, want show_form with 4050001", next.State, next.MessageIDs())
	}
	if v := next.Node("traits.name").Attributes.Value; v == "Too Late" {
		t.Errorf("the expired submission was applied")
	}
	if got := string(sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+u.id, "", nil).Body); strings.Contains(got, "Too Late") {
		t.Errorf("the expired submission changed the identity: %s", got)
	}
}
