package totp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestTOTPJourney: a user turns TOTP on in settings (QR code and secret,
// confirmed with a code), after which a password alone no longer passes
// whoami; stepping up with a code upgrades the same session to aal2. A
// code works once, a slow phone one step behind still works, and turning
// TOTP off restores the v0.6.3 behaviour.
func TestTOTPJourney(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := start(t, dsn, nil)
		ctx := context.Background()
		reg := sdk.Register(t, s, "totp@example.com", sdk.GoodPassword)
		if w := who(t, s, reg.SessionToken); w.Status != 200 || w.AAL != "aal1" {
			t.Fatalf("before TOTP whoami = %+v", w)
		}

		f := settingsFlow(t, s, reg.SessionToken)
		qr, secret := f.media("totp", "img"), f.media("totp", "text")
		if qr == nil || !strings.HasPrefix(qr.Attributes.Src, "data:image/png;base64,") {
			t.Fatalf("no QR image node: %+v", f.UI.Nodes)
		}
		if secret == nil || secret.Attributes.Text.ID != 1050006 || len(secret.Attributes.Text.Text) != 32 || !f.has("totp_code") {
			t.Fatalf("no secret text node or code input: %+v", f.UI.Nodes)
		}
		key := secret.Attributes.Text.Text
		// The same flow keeps its key when fetched again.
		again := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/flows?id="+f.ID, "", nil, "X-Session-Token", reg.SessionToken)
		if got := decode(t, again.Body).media("totp", "text"); got == nil || got.Attributes.Text.Text != key {
			t.Errorf("the flow's key changed on fetch")
		}
		submit := func(body map[string]any) sdk.Response {
			return sdk.Submit(t, s, "settings", f.ID, "application/json", sdk.Marshal(t, body), "X-Session-Token", reg.SessionToken)
		}
		r := submit(map[string]any{"method": "totp"})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4000002") {
			t.Errorf("no code: %d %s", r.Status, r.Body)
		}
		r = submit(map[string]any{"method": "totp", "totp_code": "000000"})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4000008") {
			t.Errorf("wrong code: %d %s", r.Status, r.Body)
		}
		enrolCode := code(t, key, s.Clock.Now())
		if r = submit(map[string]any{"method": "totp", "totp_code": enrolCode}); r.Status != http.StatusOK {
			t.Fatalf("enable: %d %s", r.Status, r.Body)
		}
		if !decode(t, r.Body).has("totp_unlink") {
			t.Errorf("after enabling, the form has no totp_unlink: %s", r.Body)
		}
		// Enabling proved the code: this session is aal2 now.
		if w := who(t, s, reg.SessionToken); w.Status != 200 || w.AAL != "aal2" || w.methods() != "password,totp" {
			t.Errorf("after enabling whoami = %+v", w)
		}
		// The seed is stored sealed, never as it was shown.
		var cfg string
		db := s.App.DB
		if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT config FROM identity_credentials WHERE type = ?`), "totp").Scan(&cfg); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(cfg, key) || strings.Contains(cfg, "otpauth") {
			t.Errorf("the TOTP seed is stored readable: %s", cfg)
		}

		// A password alone now gives an aal1 session that whoami refuses.
		li := sdk.Login(t, s, "totp@example.com", sdk.GoodPassword)
		if li.Session.Identity.Id != "" {
			t.Errorf("an aal1 login shows the identity: %+v", li.Session.Identity)
		}
		w := who(t, s, li.SessionToken)
		if w.Status != http.StatusForbidden || w.Error.ID != "session_aal2_required" ||
			w.RedirectBrowserTo != s.PublicURL+"self-service/login/browser?aal=aal2" || w.Error.Details["redirect_browser_to"] != w.RedirectBrowserTo {
			t.Fatalf("aal1 whoami = %+v", w)
		}

		step := func(c string) sdk.Response {
			t.Helper()
			init := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api?aal=aal2", "", nil, "X-Session-Token", li.SessionToken)
			lf := decode(t, init.Body)
			if init.Status != 200 || !lf.has("totp_code") || lf.has("password") {
				t.Fatalf("aal2 flow: %d %s", init.Status, init.Body)
			}
			return sdk.Submit(t, s, "login", lf.ID, "application/json",
				sdk.Marshal(t, map[string]any{"method": "totp", "totp_code": c}), "X-Session-Token", li.SessionToken)
		}
		// The code that enabled TOTP was spent there.
		if r := step(enrolCode); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4000008") {
			t.Errorf("replayed enrolment code: %d %s", r.Status, r.Body)
		}
		s.Clock.Advance(30 * time.Second)
		c := code(t, key, s.Clock.Now())
		r = step(c)
		var up struct {
			SessionToken string `json:"session_token"`
			Session      struct {
				ID string `json:"id"`
			} `json:"session"`
		}
		if err := json.Unmarshal(r.Body, &up); err != nil || r.Status != 200 || up.SessionToken != li.SessionToken || up.Session.ID != li.Session.Id {
			t.Fatalf("step-up: %d %s", r.Status, r.Body)
		}
		if w := who(t, s, li.SessionToken); w.Status != 200 || w.AAL != "aal2" || w.methods() != "password,totp" {
			t.Errorf("after step-up whoami = %+v", w)
		}
		sdk.WantError(t, sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api?aal=aal2", "", nil, "X-Session-Token", li.SessionToken), http.StatusBadRequest)

		// A code is never accepted twice, even on another session.
		li = sdk.Login(t, s, "totp@example.com", sdk.GoodPassword)
		if r := step(c); r.Status != http.StatusBadRequest {
			t.Errorf("replayed code: %d %s", r.Status, r.Body)
		}
		// A phone one step slow is still accepted.
		s.Clock.Advance(90 * time.Second)
		if r := step(code(t, key, s.Clock.Now().Add(-30*time.Second))); r.Status != 200 {
			t.Errorf("code one step old: %d %s", r.Status, r.Body)
		}

		// Turning TOTP off (from an aal2 session) brings back aal1 answers.
		off := settingsFlow(t, s, li.SessionToken)
		if !off.has("totp_unlink") || off.media("totp", "img") != nil {
			t.Fatalf("settings with TOTP: %+v", off.UI.Nodes)
		}
		r = sdk.Submit(t, s, "settings", off.ID, "application/json", sdk.Marshal(t, map[string]any{"method": "totp", "totp_unlink": true}), "X-Session-Token", li.SessionToken)
		if r.Status != 200 || decode(t, r.Body).media("totp", "img") == nil {
			t.Fatalf("unlink: %d %s", r.Status, r.Body)
		}
		plain := sdk.Login(t, s, "totp@example.com", sdk.GoodPassword)
		if w := who(t, s, plain.SessionToken); w.Status != 200 || w.AAL != "aal1" || plain.Session.Identity.Id == "" {
			t.Errorf("after unlink, password login whoami = %+v", w)
		}
	})
}

// TestWhoamiAAL1Policy: with session.whoami.required_aal: aal1, an aal1
// session of a TOTP user passes whoami, but settings (highest_available)
// still send it to step up.
func TestWhoamiAAL1Policy(t *testing.T) {
	s := start(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) { c.Session.Whoami.RequiredAAL = "aal1" })
	reg := sdk.Register(t, s, "lenient@example.com", sdk.GoodPassword)
	enrol(t, s, reg.SessionToken)
	li := sdk.Login(t, s, "lenient@example.com", sdk.GoodPassword)
	if li.Session.Identity.Id == "" {
		t.Errorf("with required_aal aal1 the login shows no identity")
	}
	if w := who(t, s, li.SessionToken); w.Status != 200 || w.AAL != "aal1" {
		t.Errorf("aal1 whoami under aal1 policy = %+v", w)
	}
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", li.SessionToken)
	e := sdk.WantError(t, r, http.StatusForbidden)
	if e["id"] != "session_aal2_required" {
		t.Errorf("settings at aal1: %s", r.Body)
	}
}
