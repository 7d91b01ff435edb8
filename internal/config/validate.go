package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// problems collects what is wrong with a configuration, each naming its
// key, so one start reports every mistake at once.
type problems struct{ errs []error }

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (p *problems) absURL(key, v string) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(key, "%q is not an absolute http(s) URL", v)
	}
}

// Validate checks values the type system cannot: ranges, enums, URLs,
// secrets. Each section checks its own keys; every message names the key.
func (c Config) Validate() error {
	var p problems
	if c.DSN == "" {
		p.add("dsn", "is required (or run with --dev to use ./latchkey.db)")
	}
	if c.Version != "" && !versionPattern.MatchString(c.Version) {
		p.add("version", "%q is not a version such as v0.6.3-alpha.1", c.Version)
	}
	if c.ExposeMetricsPort < 0 || c.ExposeMetricsPort > 65535 {
		p.add("expose-metrics-port", "%d is not a TCP port (1-65535)", c.ExposeMetricsPort)
	}
	c.Serve.validate(&p)
	c.SelfService.validate(&p)
	c.validateSecrets(&p)
	c.Session.validate(&p)
	c.validateMFA(&p)
	c.Hashers.validate(&p)
	c.Log.validate(&p)
	c.Courier.validate(&p)
	c.Throttle.validate(&p)
	c.Tracing.validate(&p)
	return errors.Join(p.errs...)
}

// versionPattern is the reference's: SemVer with a leading v.
var versionPattern = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

func (s Serve) validate(p *problems) {
	s.Public.Endpoint.validate(p, "serve.public")
	s.Admin.validate(p, "serve.admin")
	for i, tp := range s.Public.TrustedProxies {
		if !validProxy(tp) {
			p.add(fmt.Sprintf("serve.public.trusted_proxies[%d]", i), "%q is not a CIDR (10.0.0.0/8), an IP address or \"unix\"", tp)
		}
	}
	for i, a := range s.Public.DomainAliases {
		key := fmt.Sprintf("serve.public.domain_aliases[%d]", i)
		if a.MatchDomain == "" || strings.ContainsAny(a.MatchDomain, "/:") {
			p.add(key+".match_domain", "%q is not a host name", a.MatchDomain)
		}
		if a.Scheme != "http" && a.Scheme != "https" {
			p.add(key+".scheme", "%q is not http or https", a.Scheme)
		}
		if !strings.HasPrefix(a.BasePath, "/") {
			p.add(key+".base_path", "%q does not start with /", a.BasePath)
		}
	}
}

func (e Endpoint) validate(p *problems, key string) {
	if _, unix := e.SocketPath(); !unix && (e.Port < 1 || e.Port > 65535) {
		p.add(key+".port", "%d is not a TCP port (1-65535)", e.Port)
	}
	if m := e.Socket.Mode; m != nil && (*m < 0 || *m > 0o777) {
		p.add(key+".socket.mode", "%d is not a file mode (0-511, such as 493 for 0755)", *m)
	}
	p.absURL(key+".base_url", e.BaseURL)
}

// validProxy accepts what httpx.ParseTrustedProxies reads.
func validProxy(s string) bool {
	if s == "unix" {
		return true
	}
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// SocketPath returns the unix socket path when host is unix:/path.
func (e Endpoint) SocketPath() (string, bool) {
	return strings.CutPrefix(e.Host, "unix:")
}

func (s SelfService) validate(p *problems) {
	p.absURL("selfservice.default_browser_return_url", s.DefaultBrowserReturnURL)
	for i, v := range s.WhitelistedReturnURLs {
		if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
			p.add(fmt.Sprintf("selfservice.whitelisted_return_urls[%d]", i), "%q is not an absolute URL", v)
		}
	}
	s.Flows.validate(p)
	s.Methods.OIDC.validate(p.add)
	s.Methods.WebAuthn.validate(p.add)
	pw := s.Methods.Password.Config
	if pw.MinPasswordLength < 6 {
		p.add("selfservice.methods.password.config.min_password_length", "must be at least 6")
	}
	if pw.MaxBreaches < 0 {
		p.add("selfservice.methods.password.config.max_breaches", "must not be negative")
	}
}

func (h Hook) validate(p *problems, key string, allowed []string) {
	if !slices.Contains(allowed, h.Hook) {
		p.add(key+".hook", "%q is not a hook this list takes (%s)", h.Hook, strings.Join(allowed, ", "))
		return
	}
	if h.Hook != "web_hook" {
		return
	}
	c := h.Config
	switch {
	case c == nil || c.URL == "" || c.Method == "":
		p.add(key, "web_hook needs config.url and config.method")
	case !isAbsURL(c.URL):
		p.add(key+".config.url", "%s is not an absolute URL", RedactURL(c.URL))
	case c.Auth != nil && c.Auth.Type != "api_key" && c.Auth.Type != "basic_auth":
		p.add(key+".config.auth.type", "%q is not api_key or basic_auth", c.Auth.Type)
	case c.Auth != nil && c.Auth.Type == "api_key" && c.Auth.Config["in"] != "" && c.Auth.Config["in"] != "header" && c.Auth.Config["in"] != "cookie":
		p.add(key+".config.auth.config.in", "%q is not header or cookie", c.Auth.Config["in"])
	case c.CanInterrupt && c.Response.Ignore:
		p.add(key+".config.can_interrupt", "a hook whose answer is ignored (response.ignore) cannot interrupt the flow")
	}
}

func isAbsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https")
}

// RedactURL hides a URL's password (and query values, which often carry
// tokens) so a hook's address can be logged.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(an unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword("xxxxx", "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q.Set(k, "xxxxx")
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func (c Config) validateSecrets(p *problems) {
	secrets := c.SecretList()
	if len(secrets) == 0 {
		p.errs = append(p.errs, ErrNoSecrets)
	}
	for i, s := range secrets {
		if len(s) < 16 {
			p.add(fmt.Sprintf("secrets[%d]", i), "is %d characters long; use at least 16", len(s))
		}
		if s == devSecret && !c.Dev {
			p.add(fmt.Sprintf("secrets[%d]", i), "is the public dev-mode secret; set your own")
		}
	}
}

func (s Session) validate(p *problems) {
	if s.Lifespan <= 0 {
		p.add("session.lifespan", "must be positive")
	}
	switch s.Cookie.SameSite {
	case "Strict", "Lax", "None":
	default:
		p.add("session.cookie.same_site", "%q is not Strict, Lax or None", s.Cookie.SameSite)
	}
}

func (h Hashers) validate(p *problems) {
	switch h.Algorithm {
	case "bcrypt":
		if cost := h.Bcrypt.Cost; cost < 4 || cost > 31 {
			p.add("hashers.bcrypt.cost", "%d is outside 4-31", cost)
		}
	case "argon2":
		a := h.Argon2
		if a.Memory < 1<<20 || a.Memory > 1<<32 {
			p.add("hashers.argon2.memory", "%d bytes is outside 1MB-4GB", a.Memory)
		}
		if a.SaltLength < 16 {
			p.add("hashers.argon2.salt_length", "must be at least 16")
		}
		if a.KeyLength < 16 {
			p.add("hashers.argon2.key_length", "must be at least 16")
		}
	default:
		p.add("hashers.algorithm", "%q is not bcrypt or argon2", h.Algorithm)
	}
}

func (l Log) validate(p *problems) {
	switch strings.ToLower(l.Level) {
	case "trace", "debug", "info", "warn", "warning", "error", "fatal", "panic":
	default:
		p.add("log.level", "%q is not one of trace, debug, info, warning, error, fatal, panic", l.Level)
	}
	switch l.Format {
	case "text", "json":
	default:
		p.add("log.format", "%q is not text or json", l.Format)
	}
}

func (c Courier) validate(p *problems) {
	if u := c.SMTP.ConnectionURI; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "smtp" && pu.Scheme != "smtps") || pu.Host == "" {
			p.add("courier.smtp.connection_uri", "is not an smtp:// or smtps:// URL")
		}
	}
}

func hasAny(s, sub string) bool { return strings.Contains(s, sub) }
