package config_test

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

// TestEnvironmentOverridesFile: containers configure the reference through
// variables named after the key path (serve.public.port ->
// SERVE_PUBLIC_PORT); they win over the file.
func TestEnvironmentOverridesFile(t *testing.T) {
	loaded, err := config.Load([]string{fixture("kratos.yml")}, env(map[string]string{
		"SERVE_PUBLIC_PORT":              "8433",
		"SERVE_ADMIN_BASE_URL":           "https://admin.example.test/",
		"SELFSERVICE_FLOWS_LOGIN_UI_URL": "https://app.example.test/login",
		"DSN":                            "postgres://kratos@db:5432/kratos?sslmode=disable",
		"SERVE_PUBLIC_CORS_ENABLED":      "false",
		"SESSION_LIFESPAN":               "2h",
		"LOG_LEVEL":                      "warning",
	}), false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	c := loaded.Config
	for _, tc := range []struct{ key, got, want string }{
		{"dsn", c.DSN, "postgres://kratos@db:5432/kratos?sslmode=disable"},
		{"serve.admin.base_url", c.Serve.Admin.BaseURL, "https://admin.example.test/"},
		{"selfservice.flows.login.ui_url", c.SelfService.Flows.Login.UIURL, "https://app.example.test/login"},
		{"log.level", c.Log.Level, "warning"},
		// Untouched keys keep the file's value.
		{"selfservice.flows.registration.ui_url", c.SelfService.Flows.Registration.UIURL, "http://app.example.test:3000/sign-up"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, tc.got, tc.want)
		}
	}
	if c.Serve.Public.Port != 8433 {
		t.Errorf("serve.public.port = %d, want 8433", c.Serve.Public.Port)
	}
	if c.Serve.Public.CORS.Enabled {
		t.Error("SERVE_PUBLIC_CORS_ENABLED=false did not override the file's true")
	}
	if c.Session.Lifespan.D().String() != "2h0m0s" {
		t.Errorf("session.lifespan = %v", c.Session.Lifespan.D())
	}
}

// TestSecretsFromEnvironment: SECRETS_DEFAULT holds a list, as JSON or
// comma-separated.
func TestSecretsFromEnvironment(t *testing.T) {
	for name, value := range map[string]string{
		"JSON list":  `["first-secret-0123456789","second-secret-0123456789"]`,
		"comma list": `first-secret-0123456789, second-secret-0123456789`,
	} {
		t.Run(name, func(t *testing.T) {
			loaded, err := config.Load([]string{fixture("no-secrets.yml")}, env(map[string]string{"SECRETS_DEFAULT": value}), false)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := loaded.Config.SecretList()
			if strings.Join(got, "|") != "first-secret-0123456789|second-secret-0123456789" {
				t.Errorf("secrets = %q", got)
			}
		})
	}
}

// TestStructuredValuesFromEnvironment: hook and schema lists come from the
// environment as JSON.
func TestStructuredValuesFromEnvironment(t *testing.T) {
	loaded, err := config.Load([]string{fixture("kratos.yml")}, env(map[string]string{
		"SELFSERVICE_FLOWS_REGISTRATION_AFTER_PASSWORD_HOOKS": `[{"hook":"session"},{"hook":"web_hook","config":{"url":"https://hooks.example.test/signup","method":"POST","auth":{"type":"api_key","config":{"name":"X-Key","value":"k"}}}}]`,
		"SELFSERVICE_FLOWS_LOGIN_AFTER_HOOKS":                 `[{"hook":"revoke_active_sessions"}]`,
		"IDENTITY_SCHEMAS":                                    `[{"id":"customer","url":"file:///etc/customer.json"}]`,
	}), false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	c := loaded.Config
	reg := c.SelfService.Flows.Registration.After.Password.Hooks
	if len(reg) != 2 || reg[0].Hook != "session" || reg[1].Hook != "web_hook" || reg[1].Config == nil ||
		reg[1].Config.URL != "https://hooks.example.test/signup" || reg[1].Config.Auth == nil || reg[1].Config.Auth.Config["name"] != "X-Key" {
		t.Errorf("registration hooks = %+v", reg)
	}
	if h := c.SelfService.Flows.Login.After.Hooks; len(h) != 1 || h[0].Hook != "revoke_active_sessions" {
		t.Errorf("login hooks = %+v", h)
	}
	if s := c.Identity.Schemas; len(s) != 1 || s[0].ID != "customer" || s[0].URL != "file:///etc/customer.json" {
		t.Errorf("identity.schemas = %+v", s)
	}
}

// TestEnvironmentNames: the variable name is the key path in upper case
// with dots and dashes as underscores.
func TestEnvironmentNames(t *testing.T) {
	for path, want := range map[string]string{
		"serve.public.port":              "SERVE_PUBLIC_PORT",
		"selfservice.flows.login.ui_url": "SELFSERVICE_FLOWS_LOGIN_UI_URL",
		"watch-courier":                  "WATCH_COURIER",
		"dsn":                            "DSN",
	} {
		if got := config.EnvName(path); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestUnsupportedKeysFromEnvironmentAreNamed: Kubernetes setups configure
// mostly by environment; a reference key Latchkey does not act on is named
// there too, with the variable that set it, once.
func TestUnsupportedKeysFromEnvironmentAreNamed(t *testing.T) {
	loaded, err := config.Load([]string{fixture("no-secrets.yml")}, env(map[string]string{
		"SECRETS_DEFAULT": "a-secret-of-sufficient-length",
		"TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS": "127.0.0.1:6831",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(loaded.Warnings, "\n")
	for _, want := range []string{
		"tracing.providers.jaeger.local_agent_address (set by TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS) has no effect",
	} {
		if strings.Count(all, want) != 1 {
			t.Errorf("want one warning %q; warnings:\n%s", want, all)
		}
	}
}
