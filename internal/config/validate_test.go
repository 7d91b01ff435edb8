package config_test

import (
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

// base is a valid configuration that each case breaks in one place, by a
// second file merged over it.
const base = `
dsn: memory
secrets:
  default: [a-valid-secret-0123456789]
`

// TestBadValuesNameTheKey: an operator must be able to find the mistake
// from the message alone, so every error names the key path.
func TestBadValuesNameTheKey(t *testing.T) {
	for _, tc := range []struct {
		name, overlay, key string
	}{
		{"port not a number", "serve: {public: {port: abc}}", "serve.public.port"},
		{"port out of range", "serve: {public: {port: 70000}}", "serve.public.port"},
		{"admin port negative", "serve: {admin: {port: -1}}", "serve.admin.port"},
		{"base_url not absolute", "serve: {public: {base_url: /relative}}", "serve.public.base_url"},
		{"object given a string", "serve: just-a-string", "serve"},
		{"list given an object", "selfservice: {whitelisted_return_urls: {a: b}}", "selfservice.whitelisted_return_urls"},
		{"return URL not absolute", "selfservice: {whitelisted_return_urls: [/here]}", "selfservice.whitelisted_return_urls[0]"},
		{"ui_url not a URL", "selfservice: {flows: {login: {ui_url: 'not a url'}}}", "selfservice.flows.login.ui_url"},
		{"duration not a duration", "session: {lifespan: forever}", "session.lifespan"},
		{"negative duration", "selfservice: {flows: {login: {lifespan: -1h}}}", "selfservice.flows.login.lifespan"},
		{"unknown hook", "selfservice: {flows: {registration: {after: {password: {hooks: [{hook: send_flowers}]}}}}}", "selfservice.flows.registration.after.password.hooks[0].hook"},
		{"revoke hook on a profile change", "selfservice: {flows: {settings: {after: {profile: {hooks: [{hook: revoke_active_sessions}]}}}}}", "selfservice.flows.settings.after.profile.hooks[0].hook"},
		{"revoke hook for every settings method", "selfservice: {flows: {settings: {after: {hooks: [{hook: revoke_active_sessions}]}}}}", "selfservice.flows.settings.after.hooks[0].hook"},
		{"recovery revocation not a boolean", "selfservice: {flows: {recovery: {revoke_active_sessions: sometimes}}}", "selfservice.flows.recovery.revoke_active_sessions"},
		{"web_hook without url", "selfservice: {flows: {login: {after: {hooks: [{hook: web_hook, config: {method: POST}}]}}}}", "selfservice.flows.login.after.hooks[0]"},
		{"web_hook with bad auth", "selfservice: {flows: {login: {after: {hooks: [{hook: web_hook, config: {url: 'https://h.example', method: POST, auth: {type: magic}}}]}}}}", "selfservice.flows.login.after.hooks[0].config.auth.type"},
		{"short secret", "secrets: {default: [short]}", "secrets[0]"},
		{"same_site unknown", "session: {cookie: {same_site: Sideways}}", "session.cookie.same_site"},
		{"bcrypt cost too high", "hashers: {bcrypt: {cost: 50}}", "hashers.bcrypt.cost"},
		{"unknown algorithm", "hashers: {algorithm: md5}", "hashers.algorithm"},
		{"argon2 memory not a size", "hashers: {algorithm: argon2, argon2: {memory: lots}}", "hashers.argon2.memory"},
		{"argon2 memory too small", "hashers: {algorithm: argon2, argon2: {memory: 64KB}}", "hashers.argon2.memory"},
		{"argon2 parallelism out of range", "hashers: {argon2: {parallelism: 300}}", "hashers.argon2.parallelism"},
		{"min password length too low", "selfservice: {methods: {password: {config: {min_password_length: 3}}}}", "selfservice.methods.password.config.min_password_length"},
		{"boolean not a boolean", "selfservice: {flows: {recovery: {enabled: maybe}}}", "selfservice.flows.recovery.enabled"},
		{"trusted proxy not a CIDR", "serve: {public: {trusted_proxies: [10.0.0.0/8, proxy.example]}}", "serve.public.trusted_proxies[1]"},
		{"log level", "log: {level: loud}", "log.level"},
		{"log format", "log: {format: xml}", "log.format"},
		{"smtp not smtp", "courier: {smtp: {connection_uri: 'http://mail.example'}}", "courier.smtp.connection_uri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := []string{writeFile(t, "base.yml", base), writeFile(t, "overlay.yml", tc.overlay)}
			_, err := config.Load(files, noEnv, false)
			if err == nil {
				t.Fatalf("Load accepted %s", tc.overlay)
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Errorf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

// TestBadEnvironmentValueNamesTheKey: the same holds for a value from the
// environment.
func TestBadEnvironmentValueNamesTheKey(t *testing.T) {
	p := writeFile(t, "base.yml", base)
	_, err := config.Load([]string{p}, env(map[string]string{"SERVE_ADMIN_PORT": "four-four-three-four"}), false)
	if err == nil || !strings.Contains(err.Error(), "serve.admin.port") {
		t.Errorf("Load with SERVE_ADMIN_PORT=four-four-three-four: %v, want an error naming serve.admin.port", err)
	}
}

// TestUnreadableFilesNameTheFile: a missing file or broken YAML says which
// file it is.
func TestUnreadableFilesNameTheFile(t *testing.T) {
	broken := writeFile(t, "broken.yml", "serve:\n  public: [unclosed\n")
	if _, err := config.Load([]string{broken}, noEnv, false); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("broken YAML: %v, want an error naming %s", err, broken)
	}
	if _, err := config.Load([]string{"testdata/does-not-exist.yml"}, noEnv, false); err == nil || !strings.Contains(err.Error(), "does-not-exist.yml") {
		t.Errorf("missing file: %v, want an error naming it", err)
	}
}

// TestAllProblemsAtOnce: several mistakes are reported together, so an
// operator fixes them in one round.
func TestAllProblemsAtOnce(t *testing.T) {
	p := writeFile(t, "many.yml", base+"log: {level: loud, format: xml}\nhashers: {bcrypt: {cost: 99}}\n")
	_, err := config.Load([]string{p}, noEnv, false)
	if err == nil {
		t.Fatal("Load accepted three mistakes")
	}
	for _, key := range []string{"log.level", "log.format", "hashers.bcrypt.cost"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}
