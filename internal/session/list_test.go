package session_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

type listedSession struct {
	ID      string `json:"id"`
	Active  bool   `json:"active"`
	Devices []struct {
		IPAddress string `json:"ip_address"`
		UserAgent string `json:"user_agent"`
	} `json:"devices"`
}

func listSessions(t *testing.T, url, tok string) ([]listedSession, sdk.Response) {
	t.Helper()
	r := do(t, "GET", url, "", nil, "X-Session-Token", tok)
	var out []listedSession
	if r.Status == http.StatusOK {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatalf("GET sessions: %v %s", err, r.Body)
		}
	}
	return out, r
}

// TestListAndRevokeAcrossInstances: a user signed in on two devices sees
// the other in GET /sessions on either instance, with the device it signed
// in from; revoking it on one instance is refused by the other at its next
// whoami; DELETE /sessions without a body ends all others; the admin port
// lists, reads, extends and revokes an identity's sessions.
func TestListAndRevokeAcrossInstances(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		cfg := testkit.Config(t, dsn, func(c *config.Config) { c.Serve.Public.TrustedProxies = []string{"127.0.0.1"} })
		a, b := testkit.Start(t, cfg), testkit.Start(t, cfg)
		sdk.Register(t, a, "two@example.com", sdk.GoodPassword)
		login := func(s *testkit.Server, addr, agent string) (tok, id string) {
			f := sdk.Init(t, s, "login")
			r := sdk.Submit(t, s, "login", f.ID, "application/json",
				sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": "two@example.com", "password": sdk.GoodPassword}),
				"X-Forwarded-For", addr, "User-Agent", agent)
			var out struct {
				Token   string `json:"session_token"`
				Session struct {
					ID string `json:"id"`
				} `json:"session"`
			}
			if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
				t.Fatalf("login: %d %s", r.Status, r.Body)
			}
			return out.Token, out.Session.ID
		}
		phone, phoneID := login(a, "198.51.100.1", "Phone/1.0")
		laptop, laptopID := login(b, "203.0.113.2", "Laptop/2.0")
		third, _ := login(a, "192.0.2.3", "Tablet/3.0")

		list, r := listSessions(t, b.PublicURL+"sessions", laptop)
		if r.Status != http.StatusOK || r.Header.Get("X-Total-Count") != "3" {
			t.Fatalf("GET /sessions: %d, total %q, want 200 and 3 others (the registration's too): %s", r.Status, r.Header.Get("X-Total-Count"), r.Body)
		}
		found := false
		for _, s := range list {
			if s.ID == laptopID {
				t.Error("the caller's own session is listed")
			}
			if s.ID == phoneID {
				found = len(s.Devices) == 1 && s.Devices[0].IPAddress == "198.51.100.1" && s.Devices[0].UserAgent == "Phone/1.0"
			}
		}
		if !found {
			t.Errorf("the phone's session with its device is not listed: %s", r.Body)
		}

		if r := do(t, "DELETE", b.PublicURL+"sessions/"+laptopID, "", nil, "X-Session-Token", laptop); r.Status != http.StatusBadRequest {
			t.Errorf("revoking one's own session by id: %d, want 400", r.Status)
		}
		if r := do(t, "DELETE", b.PublicURL+"sessions/not-a-uuid", "", nil, "X-Session-Token", laptop); r.Status != http.StatusBadRequest {
			t.Errorf("a non-UUID id: %d, want 400", r.Status)
		}
		if r := do(t, "DELETE", b.PublicURL+"sessions/"+phoneID, "", nil, "X-Session-Token", laptop); r.Status != http.StatusNoContent {
			t.Fatalf("revoke the phone: %d %s", r.Status, r.Body)
		}
		if got := sdk.WhoamiStatus(t, a, phone); got != http.StatusUnauthorized {
			t.Errorf("the revoked phone on the other instance: whoami %d, want 401", got)
		}
		if got := sdk.WhoamiStatus(t, a, laptop); got != http.StatusOK {
			t.Errorf("the laptop after revoking the phone: whoami %d", got)
		}

		// Admin: the identity's sessions, one read, extend, revoke.
		var who struct {
			Identity struct {
				ID string `json:"id"`
			} `json:"identity"`
		}
		w := do(t, "GET", a.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", laptop)
		_ = json.Unmarshal(w.Body, &who)
		all, r := listSessions(t, a.AdminURL+"identities/"+who.Identity.ID+"/sessions?active=true", "")
		if r.Status != http.StatusOK || len(all) != 3 {
			t.Errorf("admin list of active sessions: %d, %d sessions, want 3: %s", r.Status, len(all), r.Body)
		}
		if r := do(t, "GET", b.AdminURL+"admin/sessions/"+laptopID, "", nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), who.Identity.ID) {
			t.Errorf("admin read: %d %s", r.Status, r.Body)
		}
		if r := do(t, "PATCH", a.AdminURL+"sessions/"+laptopID+"/extend", "", nil); r.Status != http.StatusOK {
			t.Errorf("admin extend: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", a.AdminURL+"sessions/00000000-0000-0000-0000-000000000001", "", nil); r.Status != http.StatusNotFound {
			t.Errorf("admin read of an unknown session: %d, want 404", r.Status)
		}

		// DELETE /sessions with no body ends every other session.
		r = do(t, "DELETE", b.PublicURL+"sessions", "", nil, "X-Session-Token", laptop)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"count":2`) {
			t.Errorf("DELETE /sessions without a body: %d %s, want 200 {count:2}", r.Status, r.Body)
		}
		if got := sdk.WhoamiStatus(t, a, third); got != http.StatusUnauthorized {
			t.Errorf("the tablet after 'sign out everywhere else': whoami %d, want 401", got)
		}
		if r := do(t, "DELETE", a.AdminURL+"sessions/"+laptopID, "", nil); r.Status != http.StatusNoContent {
			t.Errorf("admin revoke: %d", r.Status)
		}
		if got := sdk.WhoamiStatus(t, b, laptop); got != http.StatusUnauthorized {
			t.Errorf("the laptop after an admin revoke: whoami %d, want 401", got)
		}
		// An instance trusting no proxy records the peer, whatever the
		// client claims.
		direct := testkit.Start(t, testkit.Config(t, dsn, nil))
		f := sdk.Init(t, direct, "login")
		r = sdk.Submit(t, direct, "login", f.ID, "application/json",
			sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": "two@example.com", "password": sdk.GoodPassword}),
			"X-Forwarded-For", "198.51.100.99", "Forwarded", "for=198.51.100.98")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"ip_address":"127.0.0.1"`) {
			t.Errorf("sign-in with spoofed headers from an untrusted peer: %d, want the device at 127.0.0.1: %s", r.Status, r.Body)
		}
		var signed struct {
			Token string `json:"session_token"`
		}
		_ = json.Unmarshal(r.Body, &signed)
		if r := do(t, "DELETE", direct.PublicURL+"sessions", "application/json", sdk.Marshal(t, map[string]string{"session_token": signed.Token})); r.Status != http.StatusNoContent {
			t.Errorf("token logout of the direct sign-in: %d %s", r.Status, r.Body)
		}

		m := do(t, "GET", a.AdminURL+"metrics/prometheus", "", nil)
		for _, want := range []string{"latchkey_active_sessions 0", `latchkey_throttled_attempts_total{flow="login"} 0`} {
			if !strings.Contains(string(m.Body), want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if r := do(t, "DELETE", a.AdminURL+"identities/"+who.Identity.ID+"/sessions", "", nil); r.Status != http.StatusNoContent {
			t.Errorf("admin delete of the identity's sessions: %d", r.Status)
		}
		if _, r := listSessions(t, a.PublicURL+"sessions", laptop); r.Status != http.StatusUnauthorized {
			t.Errorf("GET /sessions without a valid session: %d, want 401", r.Status)
		}
	})
}
