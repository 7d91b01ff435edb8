package lookup_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

type rawFlow struct {
	ID string `json:"id"`
	UI struct {
		Nodes []struct {
			Type       string `json:"type"`
			Group      string `json:"group"`
			Attributes struct {
				Name string `json:"name"`
				Text *struct {
					ID      int64  `json:"id"`
					Text    string `json:"text"`
					Context struct {
						Secrets []struct {
							ID      int64          `json:"id"`
							Context map[string]any `json:"context"`
						} `json:"secrets"`
					} `json:"context"`
				} `json:"text"`
			} `json:"attributes"`
		} `json:"nodes"`
		Messages []struct {
			ID int64 `json:"id"`
		} `json:"messages"`
	} `json:"ui"`
}

func decode(t *testing.T, b []byte) rawFlow {
	t.Helper()
	var f rawFlow
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("flow: %v %s", err, b)
	}
	if f.ID == "" {
		var w struct {
			Flow rawFlow `json:"flow"`
		}
		_ = json.Unmarshal(b, &w)
		f = w.Flow
	}
	return f
}

// names lists the lookup_secret group's nodes: inputs by name, the codes
// text node as "codes".
func (f rawFlow) names() []string {
	var out []string
	for _, n := range f.UI.Nodes {
		if n.Group != "lookup_secret" {
			continue
		}
		if n.Type == "text" {
			out = append(out, "codes")
			continue
		}
		out = append(out, n.Attributes.Name)
	}
	return out
}

func (f rawFlow) codes() (string, []int64) {
	for _, n := range f.UI.Nodes {
		if n.Group == "lookup_secret" && n.Type == "text" {
			var ids []int64
			for _, s := range n.Attributes.Text.Context.Secrets {
				ids = append(ids, s.ID)
			}
			return n.Attributes.Text.Text, ids
		}
	}
	return "", nil
}

// TestRecoveryCodes: codes are made, shown once, saved on confirm (hashed),
// each works once at aal2; reveal shows only which are used; disabling
// removes the factor.
func TestRecoveryCodes(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, func(c *config.Config) { c.SelfService.Methods.LookupSecret.Enabled = true }))
		ctx := context.Background()
		reg := sdk.Register(t, s, "codes@example.com", sdk.GoodPassword)
		tok := reg.SessionToken
		_, resp, err := sdk.Public(s, "X-Session-Token", tok).PublicApi.InitializeSelfServiceSettingsForNativeApps(ctx).Execute()
		sdk.Want(t, "init settings with the v0.6.3 SDK", resp, err, http.StatusOK)
		r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", tok)
		f := decode(t, r.Body)
		if got := f.names(); !slices.Equal(got, []string{"lookup_secret_regenerate"}) {
			t.Fatalf("without codes: %v", got)
		}
		post := func(body map[string]any) sdk.Response {
			body["method"] = "lookup_secret"
			return sdk.Submit(t, s, "settings", f.ID, "application/json", sdk.Marshal(t, body), "X-Session-Token", tok)
		}
		if r := post(map[string]any{"lookup_secret_confirm": true}); r.Status != http.StatusBadRequest {
			t.Errorf("confirm before regenerate: %d %s", r.Status, r.Body)
		}
		r = post(map[string]any{"lookup_secret_regenerate": true})
		shown := decode(t, r.Body)
		list, ids := shown.codes()
		codes := strings.Split(list, ", ")
		if r.Status != 200 || len(codes) != 12 || len(codes[0]) != 8 || len(ids) != 12 || ids[0] != 1050009 ||
			!slices.Equal(shown.names(), []string{"codes", "lookup_secret_confirm"}) {
			t.Fatalf("regenerate: %d %v %v %s", r.Status, shown.names(), codes, r.Body)
		}
		// Not saved before confirm: a password login is still enough.
		if w := sdk.WhoamiStatus(t, s, sdk.Login(t, s, "codes@example.com", sdk.GoodPassword).SessionToken); w != 200 {
			t.Errorf("unconfirmed codes already count: whoami %d", w)
		}
		r = post(map[string]any{"lookup_secret_confirm": true})
		if r.Status != 200 || !slices.Equal(decode(t, r.Body).names(), []string{"lookup_secret_reveal", "lookup_secret_disable"}) {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		var stored string
		db := s.App.DB
		if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT config FROM identity_credentials WHERE type = ?`), "lookup_secret").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if strings.Contains(stored, c) {
				t.Fatalf("code %s stored readable: %s", c, stored)
			}
		}

		li := sdk.Login(t, s, "codes@example.com", sdk.GoodPassword)
		if got := sdk.WhoamiStatus(t, s, li.SessionToken); got != http.StatusForbidden {
			t.Errorf("aal1 whoami with codes: %d", got)
		}
		step := func(code string) sdk.Response {
			t.Helper()
			init := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api?aal=aal2", "", nil, "X-Session-Token", li.SessionToken)
			if !slices.Contains(decode(t, init.Body).names(), "lookup_secret") {
				t.Fatalf("aal2 flow: %s", init.Body)
			}
			return sdk.Submit(t, s, "login", decode(t, init.Body).ID, "application/json",
				sdk.Marshal(t, map[string]any{"method": "lookup_secret", "lookup_secret": code}), "X-Session-Token", li.SessionToken)
		}
		for code, want := range map[string]string{"zzzzzzzz": "4000016", strings.ToUpper(codes[0]): "4000016"} {
			if r := step(code); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), want) {
				t.Errorf("code %q: %d %s", code, r.Status, r.Body)
			}
		}
		if r := step(codes[0]); r.Status != 200 {
			t.Fatalf("first use: %d %s", r.Status, r.Body)
		}
		if got := sdk.WhoamiStatus(t, s, li.SessionToken); got != 200 {
			t.Errorf("whoami after a recovery code: %d", got)
		}
		li = sdk.Login(t, s, "codes@example.com", sdk.GoodPassword)
		if r := step(codes[0]); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4000012") {
			t.Errorf("second use: %d %s", r.Status, r.Body)
		}

		// Reveal: the used code says so, the others are hidden for good.
		r = sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", tok)
		f = decode(t, r.Body)
		r = post(map[string]any{"lookup_secret_reveal": true})
		rev := decode(t, r.Body)
		text, ids := rev.codes()
		if r.Status != 200 || ids[0] != 1050014 || strings.Contains(text, codes[1]) || !strings.HasPrefix(text, "used, ") {
			t.Errorf("reveal: %d %v %q", r.Status, ids, text)
		}
		if r = post(map[string]any{"lookup_secret_disable": true}); r.Status != 200 || !slices.Equal(decode(t, r.Body).names(), []string{"lookup_secret_regenerate"}) {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		if got := sdk.WhoamiStatus(t, s, sdk.Login(t, s, "codes@example.com", sdk.GoodPassword).SessionToken); got != 200 {
			t.Errorf("whoami after disabling: %d", got)
		}
	})
}
