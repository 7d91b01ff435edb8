package config_test

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

const goodProvider = `{id: corp, provider: generic, client_id: app, client_secret: s3cret-value, issuer_url: 'https://idp.example', mapper_url: 'base64://e30='}`

// TestOIDCProvidersAreRead: the reference's keys (and the new
// trust_email_verified) are supported, from a file and from the environment.
func TestOIDCProvidersAreRead(t *testing.T) {
	overlay := `selfservice: {methods: {oidc: {enabled: true, config: {providers: [
  {id: corp, provider: generic, label: Corp, client_id: app, client_secret: s3cret-value, issuer_url: 'https://idp.example',
   mapper_url: 'base64://e30=', scope: [email, profile], requested_claims: {id_token: {email: {essential: true}}}, trust_email_verified: true},
  {id: ms, provider: microsoft, tenant: common, client_id: a, client_secret: b, mapper_url: 'file:///etc/ms.jsonnet'}]}}},
  flows: {registration: {after: {oidc: {hooks: [{hook: session}], default_browser_return_url: 'https://app.example/welcome'}}}}}`
	loaded, err := config.Load([]string{writeFile(t, "base.yml", base), writeFile(t, "oidc.yml", overlay)}, noEnv, false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, w := range loaded.Warnings {
		if strings.Contains(w, "oidc") {
			t.Errorf("an oidc key is reported as unsupported: %s", w)
		}
	}
	m := loaded.Config.SelfService.Methods.OIDC
	if !m.Enabled || len(m.Config.Providers) != 2 {
		t.Fatalf("oidc method = %+v, want enabled with two providers", m)
	}
	p := m.Config.Providers[0]
	if p.ID != "corp" || p.Label != "Corp" || p.IssuerURL != "https://idp.example" || len(p.Scope) != 2 || !p.TrustEmailVerified || p.RequestedClaims["id_token"] == nil {
		t.Errorf("provider = %+v", p)
	}
	if m.Config.Providers[1].Tenant != "common" {
		t.Errorf("tenant = %q", m.Config.Providers[1].Tenant)
	}
	if h := loaded.Config.SelfService.Flows.Registration.After.OIDC.Hooks; len(h) != 1 || h[0].Hook != "session" {
		t.Errorf("registration.after.oidc.hooks = %+v", h)
	}
	if s := p.String(); strings.Contains(s, "s3cret") {
		t.Errorf("a provider prints its client secret: %s", s)
	}

	env := map[string]string{
		"SELFSERVICE_METHODS_OIDC_ENABLED":          "true",
		"SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS": `[{"id":"gh","provider":"github","client_id":"a","client_secret":"b","mapper_url":"base64://e30="}]`,
	}
	loaded, err = config.Load([]string{writeFile(t, "base.yml", base)}, func(k string) string { return env[k] }, false)
	if err != nil {
		t.Fatalf("Load from env: %v", err)
	}
	if ps := loaded.Config.SelfService.Methods.OIDC.Config.Providers; !loaded.Config.SelfService.Methods.OIDC.Enabled || len(ps) != 1 || ps[0].Provider != "github" {
		t.Errorf("from env: %+v", loaded.Config.SelfService.Methods.OIDC)
	}
}

// TestBadOIDCProvidersNameTheProviderAndKey: a mistake in one provider of
// many must be findable from the message alone.
func TestBadOIDCProvidersNameTheProviderAndKey(t *testing.T) {
	for _, tc := range []struct{ name, provider, want string }{
		{"no id", `{provider: github, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, "providers[1].id"},
		{"id unsafe in a URL", `{id: 'a/b', provider: github, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].id (provider "a/b")`},
		{"duplicate id", `{id: corp, provider: github, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].id (provider "corp")`},
		{"unknown type", `{id: x, provider: myspace, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].provider (provider "x")`},
		{"no client id", `{id: x, provider: github, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].client_id (provider "x")`},
		{"no client secret", `{id: x, provider: github, client_id: a, mapper_url: 'base64://e30='}`, `providers[1].client_secret (provider "x")`},
		{"no mapper", `{id: x, provider: github, client_id: a, client_secret: b}`, `providers[1].mapper_url (provider "x")`},
		{"mapper not a URL", `{id: x, provider: github, client_id: a, client_secret: b, mapper_url: '/etc/m.jsonnet'}`, `providers[1].mapper_url (provider "x")`},
		{"microsoft without tenant", `{id: x, provider: microsoft, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].tenant (provider "x")`},
		{"generic without issuer", `{id: x, provider: generic, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].issuer_url (provider "x")`},
		{"issuer not absolute", `{id: x, provider: gitlab, issuer_url: gitlab.example, client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].issuer_url (provider "x")`},
		{"token_url not http", `{id: x, provider: github, token_url: 'ftp://t.example', client_id: a, client_secret: b, mapper_url: 'base64://e30='}`, `providers[1].token_url (provider "x")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			overlay := "selfservice: {methods: {oidc: {enabled: true, config: {providers: [" + goodProvider + ", " + tc.provider + "]}}}}"
			_, err := config.Load([]string{writeFile(t, "base.yml", base), writeFile(t, "oidc.yml", overlay)}, noEnv, false)
			if err == nil {
				t.Fatalf("Load accepted %s", tc.provider)
			}
			if !strings.Contains(err.Error(), "selfservice.methods.oidc.config."+tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows a client secret", err)
			}
		})
	}
}
