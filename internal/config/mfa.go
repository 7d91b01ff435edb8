package config

import (
	"fmt"
	"net/url"
)

// Second factors and assurance levels: the later reference versions' keys.

// Whoami is session.whoami.
type Whoami struct {
	// RequiredAAL is "aal1" or "highest_available" (the default): whoami
	// refuses an aal1 session of an identity that has a second factor.
	RequiredAAL string `yaml:"required_aal"`
}

// TOTPMethod is selfservice.methods.totp, off unless enabled.
type TOTPMethod struct {
	Enabled bool       `yaml:"enabled"`
	Config  TOTPConfig `yaml:"config"`
}

type TOTPConfig struct {
	// Issuer names the account in authenticator apps; the public base
	// URL's host name by default.
	Issuer string `yaml:"issuer"`
}

// LookupSecretMethod is selfservice.methods.lookup_secret (recovery
// codes), off unless enabled.
type LookupSecretMethod struct {
	Enabled bool `yaml:"enabled"`
}

const requireHighestAvailable = "highest_available"

func applyMFADefaults(c *Config) {
	def(&c.Session.Whoami.RequiredAAL, requireHighestAvailable)
	def(&c.SelfService.Flows.Settings.RequiredAAL, requireHighestAvailable)
	if u, err := url.Parse(c.Serve.Public.BaseURL); err == nil {
		def(&c.SelfService.Methods.TOTP.Config.Issuer, u.Hostname())
	}
}

func validateRequiredAAL(p *problems, key, v string) {
	if v != "aal1" && v != requireHighestAvailable {
		p.add(key, "%q is not aal1 or highest_available", v)
	}
}

func (c Config) validateMFA(p *problems) {
	validateRequiredAAL(p, "session.whoami.required_aal", c.Session.Whoami.RequiredAAL)
	validateRequiredAAL(p, "selfservice.flows.settings.required_aal", c.SelfService.Flows.Settings.RequiredAAL)
	for i, s := range c.Secrets.Cipher {
		if len(s) < 16 {
			p.add(fmt.Sprintf("secrets.cipher[%d]", i), "is %d characters long; use at least 16", len(s))
		}
	}
}

// CipherSecrets are the keys that encrypt TOTP seeds: secrets.cipher, or
// the default secrets when it is empty, as the later versions fall back.
func (c Config) CipherSecrets() []string {
	if len(c.Secrets.Cipher) > 0 {
		return c.Secrets.Cipher
	}
	return c.SecretList()
}
