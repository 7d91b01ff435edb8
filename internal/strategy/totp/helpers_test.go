package totp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	pqtotp "github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

func start(t *testing.T, dsn string, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	return testkit.Start(t, testkit.Config(t, dsn, func(c *config.Config) {
		c.SelfService.Methods.TOTP.Enabled = true
		c.SelfService.Methods.TOTP.Config.Issuer = "Latchkey Test"
		if mutate != nil {
			mutate(c)
		}
	}))
}

// rawNode is a node as a later-version client reads it.
type rawNode struct {
	Type       string `json:"type"`
	Group      string `json:"group"`
	Attributes struct {
		Name string `json:"name"`
		Src  string `json:"src"`
		Text *struct {
			ID      int64          `json:"id"`
			Text    string         `json:"text"`
			Context map[string]any `json:"context"`
		} `json:"text"`
	} `json:"attributes"`
}

type rawFlow struct {
	ID string `json:"id"`
	UI struct {
		Nodes    []rawNode `json:"nodes"`
		Messages []struct {
			ID int64 `json:"id"`
		} `json:"messages"`
	} `json:"ui"`
}

func decode(t *testing.T, body []byte) rawFlow {
	t.Helper()
	var f rawFlow
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("flow JSON: %v: %s", err, body)
	}
	if f.ID == "" {
		// settings answers {flow, identity} after a submission
		var wrapped struct {
			Flow rawFlow `json:"flow"`
		}
		_ = json.Unmarshal(body, &wrapped)
		f = wrapped.Flow
	}
	return f
}

func (f rawFlow) media(group, typ string) *rawNode {
	for k, n := range f.UI.Nodes {
		if n.Group == group && n.Type == typ {
			return &f.UI.Nodes[k]
		}
	}
	return nil
}

func (f rawFlow) has(name string) bool {
	for _, n := range f.UI.Nodes {
		if n.Attributes.Name == name {
			return true
		}
	}
	return false
}

// code is what an authenticator app shows for secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := pqtotp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// settingsFlow starts an api settings flow with the v0.6.3 SDK (which
// must decode its image and text nodes) and returns it raw too.
func settingsFlow(t *testing.T, s *testkit.Server, tok string) rawFlow {
	t.Helper()
	_, resp, err := sdk.Public(s, "X-Session-Token", tok).PublicApi.InitializeSelfServiceSettingsForNativeApps(context.Background()).Execute()
	sdk.Want(t, "init settings with the v0.6.3 SDK", resp, err, http.StatusOK)
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", tok)
	if r.Status != http.StatusOK {
		t.Fatalf("init settings: %d %s", r.Status, r.Body)
	}
	return decode(t, r.Body)
}

// enrol turns TOTP on for the session tok and returns the secret.
func enrol(t *testing.T, s *testkit.Server, tok string) string {
	t.Helper()
	f := settingsFlow(t, s, tok)
	secret := f.media("totp", "text")
	if secret == nil || secret.Attributes.Text == nil {
		t.Fatalf("settings flow has no TOTP secret: %+v", f.UI.Nodes)
	}
	key := secret.Attributes.Text.Text
	r := sdk.Submit(t, s, "settings", f.ID, "application/json",
		sdk.Marshal(t, map[string]any{"method": "totp", "totp_code": code(t, key, s.Clock.Now())}), "X-Session-Token", tok)
	if r.Status != http.StatusOK {
		t.Fatalf("enable TOTP: %d %s", r.Status, r.Body)
	}
	return key
}

type whoami struct {
	Status int
	ID     string `json:"id"`
	AAL    string `json:"authenticator_assurance_level"`
	AMR    []struct {
		Method string `json:"method"`
	} `json:"authentication_methods"`
	Error struct {
		ID      string         `json:"id"`
		Details map[string]any `json:"details"`
	} `json:"error"`
	RedirectBrowserTo string `json:"redirect_browser_to"`
}

func who(t *testing.T, s *testkit.Server, tok string) whoami {
	t.Helper()
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", tok)
	var w whoami
	_ = json.Unmarshal(r.Body, &w)
	w.Status = r.Status
	return w
}

func (w whoami) methods() string {
	var m []string
	for _, a := range w.AMR {
		m = append(m, a.Method)
	}
	return strings.Join(m, ",")
}
