package login_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSessionsCarryTheirAssurance: a password sign-in is aal1 with one
// method, as the later versions show it, and the v0.6.3 SDK still reads
// the session.
func TestSessionsCarryTheirAssurance(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, nil))
		sdk.Register(t, s, "aal@example.com", sdk.GoodPassword)
		li := sdk.Login(t, s, "aal@example.com", sdk.GoodPassword)
		if li.Session.Identity.Id == "" {
			t.Fatalf("the SDK read no identity: %+v", li.Session)
		}
		r := sdk.Do(t, http.MethodGet, s.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", li.SessionToken)
		var got struct {
			AAL     string `json:"authenticator_assurance_level"`
			Methods []struct {
				Method      string `json:"method"`
				AAL         string `json:"aal"`
				CompletedAt string `json:"completed_at"`
			} `json:"authentication_methods"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != 200 {
			t.Fatalf("whoami: %d %s", r.Status, r.Body)
		}
		if got.AAL != "aal1" || len(got.Methods) != 1 || got.Methods[0].Method != "password" || got.Methods[0].AAL != "aal1" || got.Methods[0].CompletedAt == "" {
			t.Errorf("assurance = %+v, want aal1 by password", got)
		}
	})
}

// TestStepUpInit: ?aal= takes aal1 or aal2; aal2 needs a session, and an
// identity without a second factor gets a flow with no first factor in it.
func TestStepUpInit(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "stepup@example.com", sdk.GoodPassword)
	initURL := s.PublicURL + "self-service/login/api"

	sdk.WantError(t, sdk.Do(t, http.MethodGet, initURL+"?aal=aal3", "", nil), http.StatusBadRequest)
	e := sdk.WantError(t, sdk.Do(t, http.MethodGet, initURL+"?aal=aal2", "", nil), http.StatusUnauthorized)
	if id, _ := e["id"].(string); id != "session_aal1_required" {
		t.Errorf("error id = %q, want session_aal1_required", id)
	}
	r := sdk.Do(t, http.MethodGet, initURL+"?aal=aal2", "", nil, "X-Session-Token", reg.SessionToken)
	if r.Status != http.StatusOK {
		t.Fatalf("init aal2: %d %s", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	var extra struct {
		RequestedAAL string `json:"requested_aal"`
	}
	_ = json.Unmarshal(r.Body, &extra)
	if extra.RequestedAAL != "aal2" || !f.HasMessage(1010004) || f.Node("password") != nil {
		t.Errorf("aal2 flow: requested_aal %q, messages %v, layout %v", extra.RequestedAAL, f.MessageIDs(), f.Layout())
	}
	plain := sdk.Init(t, s, "login")
	if plain.Node("password") == nil {
		t.Errorf("an aal1 flow lost its password input: %v", plain.Layout())
	}
}
