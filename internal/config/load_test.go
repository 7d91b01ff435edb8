package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
)

// noEnv is an environment without any variable set.
func noEnv(string) string { return "" }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// noEffectWarnings picks the warnings about keys without effect.
func noEffectWarnings(all []string) []string {
	var out []string
	for _, w := range all {
		if strings.Contains(w, "has no effect") {
			out = append(out, w)
		}
	}
	return out
}

func fixture(name string) string { return filepath.Join("testdata", name) }

// writeFile writes a config file for one test and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadReferenceShapedFile: a config file written for the reference
// starts Latchkey with every value read under the same key, and no key of
// it is reported as unsupported.
func TestLoadReferenceShapedFile(t *testing.T) {
	loaded, err := config.Load([]string{fixture("kratos.yml")}, noEnv, false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// The example's only key without effect is leak_sensitive_values:
	// Latchkey never logs secrets, so it cannot leak them on request.
	if w := noEffectWarnings(loaded.Warnings); len(w) != 1 || !strings.Contains(w[0], "log.leak_sensitive_values has no effect") {
		t.Errorf("warnings = %q, want one about log.leak_sensitive_values", loaded.Warnings)
	}
	c := loaded.Config
	ss, f := c.SelfService, c.SelfService.Flows
	for _, tc := range []struct{ key, got, want string }{
		{"version", c.Version, "v0.6.3-alpha.1"},
		{"dsn", c.DSN, "memory"},
		{"serve.public.base_url", c.Serve.Public.BaseURL, "http://auth.example.test:4433/"},
		{"serve.admin.base_url", c.Serve.Admin.BaseURL, "http://identity-admin:4434/"},
		{"selfservice.default_browser_return_url", ss.DefaultBrowserReturnURL, "http://app.example.test:3000/"},
		{"selfservice.whitelisted_return_urls", strings.Join(ss.WhitelistedReturnURLs, ","), "http://app.example.test:3000"},
		{"selfservice.flows.error.ui_url", f.Error.UIURL, "http://app.example.test:3000/oops"},
		{"selfservice.flows.settings.ui_url", f.Settings.UIURL, "http://app.example.test:3000/account"},
		{"selfservice.flows.recovery.ui_url", f.Recovery.UIURL, "http://app.example.test:3000/forgot"},
		{"selfservice.flows.verification.ui_url", f.Verification.UIURL, "http://app.example.test:3000/confirm"},
		{"selfservice.flows.verification.after.default_browser_return_url", f.Verification.After.DefaultBrowserReturnURL, "http://app.example.test:3000/welcome"},
		{"selfservice.flows.logout.after.default_browser_return_url", f.Logout.After.DefaultBrowserReturnURL, "http://app.example.test:3000/signed-out"},
		{"selfservice.flows.login.ui_url", f.Login.UIURL, "http://app.example.test:3000/sign-in"},
		{"selfservice.flows.registration.ui_url", f.Registration.UIURL, "http://app.example.test:3000/sign-up"},
		{"log.level", c.Log.Level, "debug"},
		{"log.format", c.Log.Format, "json"},
		{"secrets.cookie", strings.Join(c.SecretList(), ","), "a-cookie-secret-that-is-long-enough"},
		{"identity.default_schema_url", c.Identity.DefaultSchemaURL, "file:///etc/latchkey/identity.schema.json"},
		{"courier.smtp.connection_uri", c.Courier.SMTP.ConnectionURI, "smtps://mailer:secret@mail.example.test:465/"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, tc.got, tc.want)
		}
	}
	if !c.Serve.Public.CORS.Enabled || !ss.Methods.Password.On() || !f.Recovery.Enabled || !f.Verification.Enabled {
		t.Errorf("a boolean was lost: cors %v, password %v, recovery %v, verification %v",
			c.Serve.Public.CORS.Enabled, ss.Methods.Password.On(), f.Recovery.Enabled, f.Verification.Enabled)
	}
	if f.Settings.PrivilegedSessionMaxAge.D() != 20*time.Minute || f.Login.Lifespan.D() != 12*time.Minute || f.Registration.Lifespan.D() != 30*time.Minute {
		t.Errorf("durations: privileged %v, login %v, registration %v", f.Settings.PrivilegedSessionMaxAge.D(), f.Login.Lifespan.D(), f.Registration.Lifespan.D())
	}
	if h := f.Registration.After.Password.Hooks; len(h) != 1 || h[0].Hook != "session" {
		t.Errorf("registration hooks = %+v, want [session]", h)
	}
	a := c.Hashers.Argon2
	if a.Memory != 64<<20 || a.Iterations != 3 || a.Parallelism != 2 || a.SaltLength != 16 || a.KeyLength != 32 {
		t.Errorf("hashers.argon2 = %+v, want 64MB (binary), 3 iterations, 2 threads, 16/32 bytes", a)
	}
	// Keys the file leaves out take the reference's defaults.
	if c.Serve.Public.Port != 4433 || c.Serve.Admin.Port != 4434 || c.Session.Cookie.Name != "ory_kratos_session" || c.Session.Lifespan.D() != 24*time.Hour {
		t.Errorf("defaults: ports %d/%d, cookie %q, lifespan %v", c.Serve.Public.Port, c.Serve.Admin.Port, c.Session.Cookie.Name, c.Session.Lifespan.D())
	}
}

// TestUnsupportedReferenceKeysAreWarnedAboutByName: keys of the
// reference that Latchkey does not act on are named at start, one warning
// per key, and do not stop it; the keys next to them are still read.
func TestUnsupportedReferenceKeysAreWarnedAboutByName(t *testing.T) {
	loaded, err := config.Load([]string{fixture("unknown-keys.yml")}, noEnv, false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	all := strings.Join(loaded.Warnings, "\n")
	for _, key := range []string{`tracing.provider "jaeger" has no effect`, "tracing.providers.jaeger.local_agent_address has no effect"} {
		if !strings.Contains(all, key) {
			t.Errorf("no warning says %q; warnings:\n%s", key, all)
		}
	}
	if len(noEffectWarnings(loaded.Warnings)) != 2 {
		t.Errorf("%d warnings, want one per key:\n%s", len(loaded.Warnings), all)
	}
	if loaded.Config.SelfService.Flows.Login.UIURL != "http://app.example.test/login" {
		t.Errorf("login ui_url = %q", loaded.Config.SelfService.Flows.Login.UIURL)
	}
}

// TestTyposRefuseToStart: a key in neither the reference's schema nor
// Latchkey's is a mistake; Latchkey refuses to start, naming the key and
// the valid one it is closest to, wherever it sits (inside a list item, or
// inside a section Latchkey does not support).
func TestTyposRefuseToStart(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"serve:\n  public:\n    prot: 4455\n", "serve.public.prot is not a key of Latchkey or of the reference; did you mean `port`?"},
		{"serve:\n  pubilc:\n    port: 4455\n", "serve.pubilc is not a key of Latchkey or of the reference; did you mean `public`?"},
		{"selfservice:\n  flows:\n    login:\n      request_lifespan: 1h\n", "selfservice.flows.login.request_lifespan is not a key"},
		{"selfservice:\n  flows:\n    registration:\n      after:\n        password:\n          hooks:\n            - hook: session\n              extra: true\n",
			"selfservice.flows.registration.after.password.hooks[0].extra is not a key"},
		{"tracing:\n  provder: jaeger\n", "tracing.provder is not a key of Latchkey or of the reference; did you mean `provider`?"},
		{"serve:\n  public:\n    tls:\n      cert: x\n", "serve.public.tls is not a key"},
	} {
		p := writeFile(t, "typo.yml", "dsn: memory\nsecrets:\n  default: [a-secret-of-sufficient-length]\n"+tc.yaml)
		_, err := config.Load([]string{p}, noEnv, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v, want an error containing %q", tc.yaml, err, tc.want)
		}
	}
}

// TestLaterFilesOverrideEarlierOnes: -c may be repeated; later files win
// key by key, and lists are replaced, not appended.
func TestLaterFilesOverrideEarlierOnes(t *testing.T) {
	over := writeFile(t, "over.yml", `
serve:
  public:
    port: 5533
selfservice:
  whitelisted_return_urls: [https://other.example.test]
  flows:
    login:
      lifespan: 1h
`)
	loaded, err := config.Load([]string{fixture("kratos.yml"), over}, noEnv, false)
	if err != nil {
		t.Fatal(err)
	}
	c := loaded.Config
	if c.Serve.Public.Port != 5533 || c.Serve.Public.BaseURL != "http://auth.example.test:4433/" {
		t.Errorf("port %d, base_url %q: the override must change the port and keep the base URL", c.Serve.Public.Port, c.Serve.Public.BaseURL)
	}
	if got := c.SelfService.WhitelistedReturnURLs; len(got) != 1 || got[0] != "https://other.example.test" {
		t.Errorf("whitelisted_return_urls = %q, want only the later file's", got)
	}
	if c.SelfService.Flows.Login.Lifespan.D() != time.Hour || c.SelfService.Flows.Login.UIURL != "http://app.example.test:3000/sign-in" {
		t.Errorf("login = %+v", c.SelfService.Flows.Login)
	}
}

// TestJSONConfigFile: the reference accepts JSON config files too.
func TestJSONConfigFile(t *testing.T) {
	p := writeFile(t, "kratos.json", `{"dsn":"memory","secrets":{"default":["a-json-secret-long-enough"]},"serve":{"admin":{"port":9444}}}`)
	loaded, err := config.Load([]string{p}, noEnv, false)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Config.Serve.Admin.Port != 9444 || loaded.Config.SecretList()[0] != "a-json-secret-long-enough" {
		t.Errorf("JSON file not read: %+v", loaded.Config.Serve.Admin)
	}
}

// TestSecretsAreRequiredOutsideDev: instances must share a secret; Latchkey
// refuses to start without one rather than invent one per process.
func TestSecretsAreRequiredOutsideDev(t *testing.T) {
	_, err := config.Load([]string{fixture("no-secrets.yml")}, noEnv, false)
	if !errors.Is(err, config.ErrNoSecrets) {
		t.Fatalf("Load without secrets = %v, want ErrNoSecrets", err)
	}
	// The same file in dev mode starts, and says it uses a public secret.
	loaded, err := config.Load([]string{fixture("no-secrets.yml")}, noEnv, true)
	if err != nil {
		t.Fatalf("dev Load: %v", err)
	}
	if len(loaded.Config.SecretList()) == 0 || !strings.Contains(strings.Join(loaded.Warnings, "\n"), "secret") {
		t.Errorf("dev mode: secrets %q, warnings %q; want a secret and a warning about it", loaded.Config.SecretList(), loaded.Warnings)
	}
	// That public secret is refused outside dev mode, even if copied.
	p := writeFile(t, "copied.yml", "dsn: memory\nsecrets:\n  default: ["+loaded.Config.SecretList()[0]+"]\n")
	if _, err := config.Load([]string{p}, noEnv, false); err == nil || !strings.Contains(err.Error(), "secrets[0]") {
		t.Errorf("the dev secret outside dev mode: %v, want an error naming secrets[0]", err)
	}
}

// TestDevDefaults: `serve --dev` without any file starts a usable server
// on loopback with SQLite next to it.
func TestDevDefaults(t *testing.T) {
	loaded, err := config.Load(nil, noEnv, true)
	if err != nil {
		t.Fatalf("Load(dev): %v", err)
	}
	c := loaded.Config
	if !c.Dev || c.DSN != config.DefaultDevDSN || !strings.HasPrefix(c.DSN, "sqlite://") {
		t.Errorf("dev %v, dsn %q", c.Dev, c.DSN)
	}
	if c.Serve.Public.Host != "127.0.0.1" || c.Serve.Admin.Host != "127.0.0.1" {
		t.Errorf("dev mode listens on %q/%q, want loopback only", c.Serve.Public.Host, c.Serve.Admin.Host)
	}
	if c.Serve.Public.BaseURL != "http://127.0.0.1:4433/" || c.Serve.Admin.BaseURL != "http://127.0.0.1:4434/" {
		t.Errorf("base URLs %q, %q", c.Serve.Public.BaseURL, c.Serve.Admin.BaseURL)
	}
	if c.SelfService.Flows.Login.UIURL != "http://127.0.0.1:4433/ui/login" {
		t.Errorf("login ui_url = %q, want the built-in pages", c.SelfService.Flows.Login.UIURL)
	}
	if h := c.SelfService.Flows.Registration.After.Password.Hooks; len(h) != 1 || h[0].Hook != "session" {
		t.Errorf("dev registration hooks = %+v, want sign-up to log in", h)
	}
	if !c.SelfService.Flows.Recovery.Enabled || !c.SelfService.Flows.Verification.Enabled {
		t.Error("dev mode should enable recovery and verification")
	}
	if c.Hashers.Algorithm != "bcrypt" || c.Hashers.Bcrypt.Cost != 12 || c.Session.Lifespan.D() != 24*time.Hour {
		t.Errorf("hashers %+v, session lifespan %v", c.Hashers, c.Session.Lifespan.D())
	}
	// Outside dev mode the same defaults listen on every interface.
	p := writeFile(t, "plain.yml", "dsn: memory\nsecrets:\n  default: [a-production-secret-123]\n")
	loaded, err = config.Load([]string{p}, noEnv, false)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Config.Dev || loaded.Config.Serve.Public.Host != "0.0.0.0" || loaded.Config.Serve.Public.BaseURL != "http://127.0.0.1:4433/" {
		t.Errorf("non-dev: dev %v, host %q, base %q", loaded.Config.Dev, loaded.Config.Serve.Public.Host, loaded.Config.Serve.Public.BaseURL)
	}
}

// TestDSNReadsOnlyTheDSN: `migrate sql -e` needs the dsn and nothing else,
// so it works with a file that would not validate for serving.
func TestDSNReadsOnlyTheDSN(t *testing.T) {
	p := writeFile(t, "migrate.yml", "dsn: postgres://u@db/kratos\nhashers:\n  algorithm: nonsense\n")
	if dsn, err := config.DSN([]string{p}, noEnv); err != nil || dsn != "postgres://u@db/kratos" {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
	if dsn, err := config.DSN([]string{p}, env(map[string]string{"DSN": "mysql://root@tcp(db)/x"})); err != nil || dsn != "mysql://root@tcp(db)/x" {
		t.Errorf("DSN with $DSN = %q, %v; the environment wins", dsn, err)
	}
	if _, err := config.DSN(nil, noEnv); err == nil || !strings.Contains(err.Error(), "dsn") {
		t.Errorf("DSN without any = %v, want an error naming dsn", err)
	}
}

// TestFromStructDefaultsAndValidates: a Config built in code gets the same
// defaults and checks as a file.
func TestFromStructDefaultsAndValidates(t *testing.T) {
	c, err := config.FromStruct(config.Config{DSN: "memory", Secrets: config.Secrets{Default: []string{"struct-secret-0123456789"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Serve.Public.Port != 4433 || c.Session.Cookie.Name != "ory_kratos_session" {
		t.Errorf("defaults not applied: %+v", c.Serve.Public)
	}
	if _, err := config.FromStruct(config.Config{DSN: "memory"}); !errors.Is(err, config.ErrNoSecrets) {
		t.Errorf("FromStruct without secrets = %v, want ErrNoSecrets", err)
	}
}

// TestDevModeWorksOffline: dev mode asks the breached-password service only
// when its host is configured; outside dev mode the check is on by default.
func TestDevModeWorksOffline(t *testing.T) {
	t.Parallel()
	enabled := func(files []string, dev bool) bool {
		t.Helper()
		loaded, err := config.Load(files, noEnv, dev)
		if err != nil {
			t.Fatal(err)
		}
		return *loaded.Config.SelfService.Methods.Password.Config.HaveIBeenPwnedEnabled
	}
	if enabled(nil, true) {
		t.Error("serve --dev without a haveibeenpwned_host calls out to the breach service")
	}
	withHost := writeFile(t, "hibp.yml", "selfservice:\n  methods:\n    password:\n      config:\n        haveibeenpwned_host: http://127.0.0.1:9/\n")
	if !enabled([]string{withHost}, true) {
		t.Error("dev mode with an explicit haveibeenpwned_host does not check breaches")
	}
	prod := writeFile(t, "prod.yml", "dsn: memory\nsecrets:\n  default: [a-production-secret-123]\n")
	if !enabled([]string{prod}, false) {
		t.Error("outside dev mode the breach check is off by default")
	}
}

// TestTOMLAndCommaSeparatedFiles: the reference takes TOML files too, and
// -c a.yml,b.toml as well as repeated -c flags.
func TestTOMLAndCommaSeparatedFiles(t *testing.T) {
	base := writeFile(t, "base.yml", "dsn: memory\nsecrets:\n  default: [a-secret-of-sufficient-length]\nserve:\n  public:\n    port: 5000\n")
	over := writeFile(t, "over.toml", "[serve.admin]\nport = 5001\n\n[session]\nlifespan = \"2h\"\n")
	loaded, err := config.Load([]string{base + "," + over}, noEnv, false)
	if err != nil {
		t.Fatal(err)
	}
	c := loaded.Config
	if c.Serve.Public.Port != 5000 || c.Serve.Admin.Port != 5001 || c.Session.Lifespan.D() != 2*time.Hour {
		t.Errorf("ports %d/%d, lifespan %v: want 5000 from YAML, 5001 and 2h from TOML", c.Serve.Public.Port, c.Serve.Admin.Port, c.Session.Lifespan.D())
	}
	if !strings.Contains(strings.Join(loaded.Notes, "\n"), "restart") {
		t.Errorf("notes = %q, want the start-up note that changes need a restart", loaded.Notes)
	}
	bad := writeFile(t, "bad.toml", "[serve\n")
	if _, err := config.Load([]string{bad}, noEnv, false); err == nil || !strings.Contains(err.Error(), "not valid TOML") {
		t.Errorf("bad TOML: %v", err)
	}
}
