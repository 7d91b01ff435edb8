package totp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestAdminSeesAndRemovesTheFactor: the v0.6.3 identity JSON is unchanged;
// ?include_credential= lists which methods are set up without secrets;
// an admin can remove the second factor of a user who lost the phone, but
// not a password through that route.
func TestAdminSeesAndRemovesTheFactor(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, nil)
		reg := sdk.Register(t, s, "lost@example.com", sdk.GoodPassword)
		key := enrol(t, s, reg.SessionToken)
		id := reg.Identity.Id
		plain := sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+id, "", nil)
		if plain.Status != 200 || strings.Contains(string(plain.Body), "credentials") {
			t.Errorf("v0.6.3 identity JSON changed: %s", plain.Body)
		}
		with := sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+id+"?include_credential=totp", "", nil)
		creds, _ := sdk.DecodeObject(t, with.Body)["credentials"].(map[string]any)
		totp, _ := creds["totp"].(map[string]any)
		ids, _ := totp["identifiers"].([]any)
		if totp == nil || creds["password"] == nil || len(ids) != 1 || ids[0] != id {
			t.Errorf("credentials = %s", with.Body)
		}
		if b := string(with.Body); strings.Contains(b, key) || strings.Contains(b, "config") || strings.Contains(b, "hashed_password") {
			t.Errorf("the credentials list shows secrets: %s", b)
		}

		del := func(typ string) int {
			return sdk.Do(t, http.MethodDelete, s.AdminURL+"identities/"+id+"/credentials/"+typ, "", nil).Status
		}
		if got := del("password"); got != http.StatusBadRequest {
			t.Errorf("delete password: %d, want 400", got)
		}
		li := sdk.Login(t, s, "lost@example.com", sdk.GoodPassword)
		if w := who(t, s, li.SessionToken); w.Status != http.StatusForbidden {
			t.Fatalf("aal1 whoami before removal: %d", w.Status)
		}
		if got := del("totp"); got != http.StatusNoContent {
			t.Fatalf("delete totp: %d", got)
		}
		if got := del("totp"); got != http.StatusNotFound {
			t.Errorf("delete totp again: %d, want 404", got)
		}
		if w := who(t, s, li.SessionToken); w.Status != 200 {
			t.Errorf("after the admin removed TOTP, the password session: %d", w.Status)
		}
	})
}

// TestSessionListNeedsTheSecondFactor: GET /sessions follows
// session.whoami.required_aal, as the later versions do.
func TestSessionListNeedsTheSecondFactor(t *testing.T) {
	s := start(t, testkit.NewDatabase(t, "sqlite"), nil)
	reg := sdk.Register(t, s, "list@example.com", sdk.GoodPassword)
	enrol(t, s, reg.SessionToken)
	if r := sdk.Do(t, http.MethodGet, s.PublicURL+"sessions", "", nil, "X-Session-Token", reg.SessionToken); r.Status != 200 {
		t.Errorf("aal2 session lists sessions: %d %s", r.Status, r.Body)
	}
	li := sdk.Login(t, s, "list@example.com", sdk.GoodPassword)
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"sessions", "", nil, "X-Session-Token", li.SessionToken)
	if e := sdk.WantError(t, r, http.StatusForbidden); e["id"] != "session_aal2_required" {
		t.Errorf("aal1 session lists sessions: %s", r.Body)
	}
}
