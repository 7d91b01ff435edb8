package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Validate checks values the type system cannot: ranges, enums, URLs,
// secrets. Every message names the key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.DSN == "" {
		bad("dsn", "is required (or run with --dev to use ./latchkey.db)")
	}
	for key, port := range map[string]int{"serve.public.port": c.Serve.Public.Port, "serve.admin.port": c.Serve.Admin.Port} {
		if port < 1 || port > 65535 {
			bad(key, "%d is not a TCP port (1-65535)", port)
		}
	}
	absURL := func(key, v string) {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(key, "%q is not an absolute http(s) URL", v)
		}
	}
	absURL("serve.public.base_url", c.Serve.Public.BaseURL)
	absURL("serve.admin.base_url", c.Serve.Admin.BaseURL)
	ss := c.SelfService
	absURL("selfservice.default_browser_return_url", ss.DefaultBrowserReturnURL)
	for key, v := range map[string]string{
		"selfservice.flows.login.ui_url":        ss.Flows.Login.UIURL,
		"selfservice.flows.registration.ui_url": ss.Flows.Registration.UIURL,
		"selfservice.flows.settings.ui_url":     ss.Flows.Settings.UIURL,
		"selfservice.flows.recovery.ui_url":     ss.Flows.Recovery.UIURL,
		"selfservice.flows.verification.ui_url": ss.Flows.Verification.UIURL,
		"selfservice.flows.error.ui_url":        ss.Flows.Error.UIURL,
	} {
		absURL(key, v)
	}
	for i, v := range ss.WhitelistedReturnURLs {
		if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
			bad(fmt.Sprintf("selfservice.whitelisted_return_urls[%d]", i), "%q is not an absolute URL", v)
		}
	}
	hooks := map[string][]Hook{
		"selfservice.flows.login.after.hooks":                 ss.Flows.Login.After.Hooks,
		"selfservice.flows.login.after.password.hooks":        ss.Flows.Login.After.Password.Hooks,
		"selfservice.flows.registration.after.hooks":          ss.Flows.Registration.After.Hooks,
		"selfservice.flows.registration.after.password.hooks": ss.Flows.Registration.After.Password.Hooks,
		"selfservice.flows.settings.after.hooks":              ss.Flows.Settings.After.Hooks,
		"selfservice.flows.settings.after.password.hooks":     ss.Flows.Settings.After.Password.Hooks,
		"selfservice.flows.settings.after.profile.hooks":      ss.Flows.Settings.After.Profile.Hooks,
		"selfservice.flows.verification.after.hooks":          ss.Flows.Verification.After.Hooks,
		"selfservice.flows.recovery.after.hooks":              ss.Flows.Recovery.After.Hooks,
	}
	for key, list := range hooks {
		for i, h := range list {
			k := fmt.Sprintf("%s[%d]", key, i)
			switch h.Hook {
			case "session", "revoke_active_sessions":
			case "web_hook":
				if h.Config == nil || h.Config.URL == "" || h.Config.Method == "" {
					bad(k, "web_hook needs config.url and config.method")
				} else if u, err := url.Parse(h.Config.URL); err != nil || u.Host == "" {
					bad(k+".config.url", "%q is not an absolute URL", h.Config.URL)
				} else if a := h.Config.Auth; a != nil && a.Type != "api_key" && a.Type != "basic_auth" {
					bad(k+".config.auth.type", "%q is not api_key or basic_auth", a.Type)
				}
			default:
				bad(k+".hook", "%q is not a known hook (session, revoke_active_sessions, web_hook)", h.Hook)
			}
		}
	}
	if c.SelfService.Methods.Password.Config.MinPasswordLength < 6 {
		bad("selfservice.methods.password.config.min_password_length", "must be at least 6")
	}
	if c.SelfService.Methods.Password.Config.MaxBreaches < 0 {
		bad("selfservice.methods.password.config.max_breaches", "must not be negative")
	}
	secrets := c.SecretList()
	if len(secrets) == 0 {
		errs = append(errs, ErrNoSecrets)
	}
	for i, s := range secrets {
		if len(s) < 16 {
			bad(fmt.Sprintf("secrets[%d]", i), "is %d characters long; use at least 16", len(s))
		}
		if s == devSecret && !c.Dev {
			bad(fmt.Sprintf("secrets[%d]", i), "is the public dev-mode secret; set your own")
		}
	}
	if c.Session.Lifespan <= 0 {
		bad("session.lifespan", "must be positive")
	}
	switch c.Session.Cookie.SameSite {
	case "Strict", "Lax", "None":
	default:
		bad("session.cookie.same_site", "%q is not Strict, Lax or None", c.Session.Cookie.SameSite)
	}
	switch c.Hashers.Algorithm {
	case "bcrypt":
		if cost := c.Hashers.Bcrypt.Cost; cost < 4 || cost > 31 {
			bad("hashers.bcrypt.cost", "%d is outside 4-31", cost)
		}
	case "argon2":
		a := c.Hashers.Argon2
		if a.Memory < 1<<20 || a.Memory > 1<<32 {
			bad("hashers.argon2.memory", "%d bytes is outside 1MB-4GB", a.Memory)
		}
		if a.SaltLength < 16 {
			bad("hashers.argon2.salt_length", "must be at least 16")
		}
		if a.KeyLength < 16 {
			bad("hashers.argon2.key_length", "must be at least 16")
		}
	default:
		bad("hashers.algorithm", "%q is not bcrypt or argon2", c.Hashers.Algorithm)
	}
	switch strings.ToLower(c.Log.Level) {
	case "trace", "debug", "info", "warn", "warning", "error", "fatal", "panic":
	default:
		bad("log.level", "%q is not one of trace, debug, info, warning, error, fatal, panic", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if u := c.Courier.SMTP.ConnectionURI; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "smtp" && p.Scheme != "smtps") || p.Host == "" {
			bad("courier.smtp.connection_uri", "is not an smtp:// or smtps:// URL")
		}
	}
	return errors.Join(errs...)
}
