package config

import (
	"fmt"
	"time"
)

// Config mirrors the reference's configuration keys. Field tags carry the
// key names; durations and byte sizes are parsed from the reference's string
// forms ("1h", "128MB").
type Config struct {
	Version      string `yaml:"version"`
	DSN          string `yaml:"dsn"`
	Dev          bool   `yaml:"dev"`
	WatchCourier *bool  `yaml:"watch-courier"`
	// ExposeMetricsPort serves /metrics/prometheus on this port from
	// `courier watch` (the reference's flag and key).
	ExposeMetricsPort int           `yaml:"expose-metrics-port"`
	Serve             Serve         `yaml:"serve"`
	SelfService       SelfService   `yaml:"selfservice"`
	Identity          Identity      `yaml:"identity"`
	Secrets           Secrets       `yaml:"secrets"`
	Session           Session       `yaml:"session"`
	Hashers           Hashers       `yaml:"hashers"`
	Courier           Courier       `yaml:"courier"`
	Log               Log           `yaml:"log"`
	Tracing           Tracing       `yaml:"tracing"`
	UI                UI            `yaml:"ui"`
	Throttle          Throttle      `yaml:"throttle"`
	Notifications     Notifications `yaml:"notifications"`
}

type Serve struct {
	Public   Public   `yaml:"public"`
	Admin    Endpoint `yaml:"admin"`
	Shutdown Shutdown `yaml:"shutdown"`
}

// Shutdown is how a stopping server hands its clients over to other
// instances (not in the reference): for DrainPeriod it keeps answering,
// with /health/ready at 503 and Connection: close on every answer, so a
// load balancer takes it out of rotation and keep-alive clients reconnect
// elsewhere; then requests in flight get Timeout to finish.
type Shutdown struct {
	DrainPeriod *Duration `yaml:"drain_period"`
	Timeout     Duration  `yaml:"timeout"`
}

type Endpoint struct {
	BaseURL string `yaml:"base_url"`
	// Host is an address to listen on, or unix:/path for a unix socket.
	Host   string `yaml:"host"`
	Port   int    `yaml:"port"`
	Socket Socket `yaml:"socket"`
}

// Socket is the owner, group and mode of a unix socket listener.
type Socket struct {
	Owner string `yaml:"owner"`
	Group string `yaml:"group"`
	Mode  *int   `yaml:"mode"`
}

type Public struct {
	Endpoint      `yaml:",inline"`
	CORS          CORS          `yaml:"cors"`
	DomainAliases []DomainAlias `yaml:"domain_aliases"`
	// TrustedProxies are the peers (CIDRs, addresses, or "unix") whose
	// X-Forwarded-For / Forwarded headers name the client address.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// DomainAlias serves requests for another host name under its own base
// URL: scheme://<request host><base_path>.
type DomainAlias struct {
	MatchDomain string `yaml:"match_domain"`
	BasePath    string `yaml:"base_path"`
	Scheme      string `yaml:"scheme"`
}

type CORS struct {
	Enabled          bool     `yaml:"enabled"`
	AllowedOrigins   []string `yaml:"allowed_origins"`
	AllowedMethods   []string `yaml:"allowed_methods"`
	AllowedHeaders   []string `yaml:"allowed_headers"`
	ExposedHeaders   []string `yaml:"exposed_headers"`
	AllowCredentials *bool    `yaml:"allow_credentials"`
	// OptionsPassthrough hands preflight requests on to the routes after
	// answering their CORS headers.
	OptionsPassthrough bool `yaml:"options_passthrough"`
	MaxAge             int  `yaml:"max_age"`
	Debug              bool `yaml:"debug"`
}

type SelfService struct {
	DefaultBrowserReturnURL string   `yaml:"default_browser_return_url"`
	WhitelistedReturnURLs   []string `yaml:"whitelisted_return_urls"`
	Flows                   Flows    `yaml:"flows"`
	Methods                 Methods  `yaml:"methods"`
}

type Flows struct {
	Login        LoginFlow        `yaml:"login"`
	Registration RegistrationFlow `yaml:"registration"`
	Settings     SettingsFlow     `yaml:"settings"`
	Recovery     RecoveryFlow     `yaml:"recovery"`
	Verification VerificationFlow `yaml:"verification"`
	Logout       LogoutFlow       `yaml:"logout"`
	Error        ErrorFlow        `yaml:"error"`
}

// After holds what happens after a flow succeeds, for all methods and per
// method.
type After struct {
	DefaultBrowserReturnURL string      `yaml:"default_browser_return_url"`
	Hooks                   []Hook      `yaml:"hooks"`
	Password                AfterMethod `yaml:"password"`
	Profile                 AfterMethod `yaml:"profile"`
	OIDC                    AfterMethod `yaml:"oidc"`
	WebAuthn                AfterMethod `yaml:"webauthn"`
}

type AfterMethod struct {
	DefaultBrowserReturnURL string `yaml:"default_browser_return_url"`
	Hooks                   []Hook `yaml:"hooks"`
}

type Before struct {
	Hooks []Hook `yaml:"hooks"`
}

// Hook is one entry of a hooks list: session, revoke_active_sessions or
// web_hook with its config.
type Hook struct {
	Hook   string         `yaml:"hook"`
	Config *WebHookConfig `yaml:"config"`
}

type WebHookConfig struct {
	URL    string       `yaml:"url"`
	Method string       `yaml:"method"`
	Body   string       `yaml:"body"`
	Auth   *WebHookAuth `yaml:"auth"`
	// CanInterrupt lets the hook's answer refuse the flow with messages
	// for the user (as later versions of the reference offer).
	CanInterrupt bool            `yaml:"can_interrupt"`
	Response     WebHookResponse `yaml:"response"`
}

// WebHookResponse says what to do with the hook's answer.
type WebHookResponse struct {
	// Ignore runs the hook in the background: the flow neither waits for
	// it nor fails with it; failures are retried, then logged.
	Ignore bool `yaml:"ignore"`
}

type WebHookAuth struct {
	Type   string            `yaml:"type"`
	Config map[string]string `yaml:"config"`
}

type LoginFlow struct {
	UIURL    string   `yaml:"ui_url"`
	Lifespan Duration `yaml:"lifespan"`
	Before   Before   `yaml:"before"`
	After    After    `yaml:"after"`
}

type RegistrationFlow struct {
	UIURL    string   `yaml:"ui_url"`
	Lifespan Duration `yaml:"lifespan"`
	Before   Before   `yaml:"before"`
	After    After    `yaml:"after"`
}

type SettingsFlow struct {
	UIURL                   string   `yaml:"ui_url"`
	Lifespan                Duration `yaml:"lifespan"`
	PrivilegedSessionMaxAge Duration `yaml:"privileged_session_max_age"`
	// RequiredAAL is "aal1" or "highest_available" (the default).
	RequiredAAL string `yaml:"required_aal"`
	After       After  `yaml:"after"`
}

type RecoveryFlow struct {
	Enabled  bool     `yaml:"enabled"`
	UIURL    string   `yaml:"ui_url"`
	Lifespan Duration `yaml:"lifespan"`
	After    After    `yaml:"after"`
	// RevokeActiveSessions (Latchkey's own key, default true) ends the
	// identity's other sessions when a recovery completes: whoever held
	// the account must lose it. The reference keeps them.
	RevokeActiveSessions *bool `yaml:"revoke_active_sessions"`
}

type VerificationFlow struct {
	Enabled  bool     `yaml:"enabled"`
	UIURL    string   `yaml:"ui_url"`
	Lifespan Duration `yaml:"lifespan"`
	After    After    `yaml:"after"`
}

type LogoutFlow struct {
	After After `yaml:"after"`
}

type ErrorFlow struct {
	UIURL string `yaml:"ui_url"`
}

type Methods struct {
	Password PasswordMethod `yaml:"password"`
	Profile  Toggle         `yaml:"profile"`
	Link     Toggle         `yaml:"link"`
	OIDC     OIDCMethod     `yaml:"oidc"`
	// TOTP and LookupSecret are second factors (later versions' keys).
	TOTP         TOTPMethod         `yaml:"totp"`
	LookupSecret LookupSecretMethod `yaml:"lookup_secret"`
	WebAuthn     WebAuthnMethod     `yaml:"webauthn"`
}

// OIDCMethod is social sign-in. Unlike the other methods it is off unless
// enabled, as in the reference.
type OIDCMethod struct {
	Enabled bool       `yaml:"enabled"`
	Config  OIDCConfig `yaml:"config"`
}

type OIDCConfig struct {
	Providers []OIDCProvider `yaml:"providers"`
}

// OIDCProvider is one "Sign in with …" provider, with the reference's keys
// plus TrustEmailVerified.
type OIDCProvider struct {
	ID           string   `yaml:"id"`
	Provider     string   `yaml:"provider"`
	Label        string   `yaml:"label"`
	ClientID     string   `yaml:"client_id"`
	ClientSecret string   `yaml:"client_secret"`
	IssuerURL    string   `yaml:"issuer_url"`
	AuthURL      string   `yaml:"auth_url"`
	TokenURL     string   `yaml:"token_url"`
	MapperURL    string   `yaml:"mapper_url"`
	Scope        []string `yaml:"scope"`
	Tenant       string   `yaml:"tenant"`
	// RequestedClaims is sent as the OpenID Connect "claims" parameter.
	RequestedClaims map[string]any `yaml:"requested_claims"`
	// TrustEmailVerified (not in the reference) marks addresses the provider
	// reports as verified (email_verified: true) verified here too. Off by
	// default: the reference creates them unverified.
	TrustEmailVerified bool `yaml:"trust_email_verified"`
}

// String never shows the client secret, so a provider printed by mistake
// leaks nothing.
func (p OIDCProvider) String() string {
	return fmt.Sprintf("oidc provider %q (%s)", p.ID, p.Provider)
}

type Toggle struct {
	Enabled *bool `yaml:"enabled"`
}

// On reports whether a method is enabled; every method defaults to on.
func (t Toggle) On() bool { return t.Enabled == nil || *t.Enabled }

type PasswordMethod struct {
	Toggle `yaml:",inline"`
	Config PasswordConfig `yaml:"config"`
}

type PasswordConfig struct {
	HaveIBeenPwnedHost    string `yaml:"haveibeenpwned_host"`
	HaveIBeenPwnedEnabled *bool  `yaml:"haveibeenpwned_enabled"`
	// HaveIBeenPwnedTimeout bounds one lookup, so an unreachable service
	// never holds a sign-up for long.
	HaveIBeenPwnedTimeout Duration `yaml:"haveibeenpwned_timeout"`
	MaxBreaches           int      `yaml:"max_breaches"`
	IgnoreNetworkErrors   *bool    `yaml:"ignore_network_errors"`
	MinPasswordLength     int      `yaml:"min_password_length"`
}

type Identity struct {
	DefaultSchemaURL string      `yaml:"default_schema_url"`
	Schemas          []SchemaRef `yaml:"schemas"`
}

type SchemaRef struct {
	ID  string `yaml:"id"`
	URL string `yaml:"url"`
}

type Secrets struct {
	Default []string `yaml:"default"`
	Cookie  []string `yaml:"cookie"`
	// Cipher encrypts TOTP seeds (the later versions' key); the first
	// seals, all open, for rotation.
	Cipher []string `yaml:"cipher"`
}

type Session struct {
	Lifespan Duration      `yaml:"lifespan"`
	Cookie   SessionCookie `yaml:"cookie"`
	Whoami   Whoami        `yaml:"whoami"`
	// WhoamiCache keeps whoami answers in memory (Latchkey's own key). Turn it off behind a PostgreSQL proxy that
	// does not pass notifications on (pgbouncer in transaction mode).
	WhoamiCache *bool `yaml:"whoami_cache"`
}

type SessionCookie struct {
	Name       string `yaml:"name"`
	Domain     string `yaml:"domain"`
	Path       string `yaml:"path"`
	Persistent *bool  `yaml:"persistent"`
	SameSite   string `yaml:"same_site"`
}

type Hashers struct {
	Algorithm string `yaml:"algorithm"`
	Argon2    Argon2 `yaml:"argon2"`
	Bcrypt    Bcrypt `yaml:"bcrypt"`
}

type Argon2 struct {
	Memory      ByteSize `yaml:"memory"`
	Iterations  uint32   `yaml:"iterations"`
	Parallelism uint8    `yaml:"parallelism"`
	SaltLength  uint32   `yaml:"salt_length"`
	KeyLength   uint32   `yaml:"key_length"`
	// ExpectedDuration and ExpectedDeviation bound how long one hash
	// should take: a slower hash is logged. DedicatedMemory is what
	// hashing may use at once; more is warned about at start.
	ExpectedDuration  Duration `yaml:"expected_duration"`
	ExpectedDeviation Duration `yaml:"expected_deviation"`
	DedicatedMemory   ByteSize `yaml:"dedicated_memory"`
}

type Bcrypt struct {
	Cost int `yaml:"cost"`
}

type Courier struct {
	TemplateOverridePath string `yaml:"template_override_path"`
	SMTP                 SMTP   `yaml:"smtp"`
}

type SMTP struct {
	ConnectionURI string `yaml:"connection_uri"`
	FromAddress   string `yaml:"from_address"`
	FromName      string `yaml:"from_name"`
}

type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// UI configures Latchkey's built-in self-service pages (not in the reference).
type UI struct {
	Name    string `yaml:"name"`
	LogoURL string `yaml:"logo_url"`
	// TranslationsPath is a folder of <language>.json catalogs that add
	// languages to the built-in pages or override their texts.
	TranslationsPath string `yaml:"translations_path"`
}

// Duration is a time.Duration written as the reference writes it ("1h").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ByteSize is a size written as the reference writes it ("128MB").
type ByteSize uint64
