package config

import (
	"fmt"
	"net/url"
	"strings"
)

// WebAuthnMethod is security keys and passkeys, with the later versions'
// keys. Off unless enabled.
type WebAuthnMethod struct {
	Enabled bool           `yaml:"enabled"`
	Config  WebAuthnConfig `yaml:"config"`
}

type WebAuthnConfig struct {
	// Passwordless makes a key a first factor (passkeys: sign up and in
	// without a password) and never a second one.
	Passwordless bool       `yaml:"passwordless"`
	RP           WebAuthnRP `yaml:"rp"`
}

// WebAuthnRP is the relying party: the site keys are bound to.
type WebAuthnRP struct {
	ID          string `yaml:"id"`
	DisplayName string `yaml:"display_name"`
	// Origin is the later versions' deprecated single origin; Origins
	// replaced it. At most one of the two is set.
	Origin  string   `yaml:"origin"`
	Origins []string `yaml:"origins"`
}

// AllowedOrigins are the origins a browser may use the keys from: the
// configured ones, else <public scheme>://<rp.id>, with the public base
// URL's port when that URL is on rp.id (so a local setup on
// http://localhost:4433 works without listing its origin).
func (m WebAuthnMethod) AllowedOrigins(publicBase string) []string {
	switch {
	case len(m.Config.RP.Origins) > 0:
		return m.Config.RP.Origins
	case m.Config.RP.Origin != "":
		return []string{m.Config.RP.Origin}
	}
	u, err := url.Parse(publicBase)
	if err != nil || u.Scheme == "" {
		return []string{"https://" + m.Config.RP.ID}
	}
	if u.Hostname() == m.Config.RP.ID {
		return []string{u.Scheme + "://" + u.Host}
	}
	return []string{u.Scheme + "://" + m.Config.RP.ID}
}

func (m WebAuthnMethod) validate(bad func(key, format string, args ...any)) {
	if !m.Enabled {
		return
	}
	const at = "selfservice.methods.webauthn.config."
	rp := m.Config.RP
	if rp.ID == "" {
		bad(at+"rp.id", "is required when webauthn is enabled")
	} else if strings.ContainsAny(rp.ID, ":/ ") {
		bad(at+"rp.id", "%q must be a host name (no scheme, port or path)", rp.ID)
	}
	if rp.DisplayName == "" {
		bad(at+"rp.display_name", "is required when webauthn is enabled")
	}
	if rp.Origin != "" && len(rp.Origins) > 0 {
		bad(at+"rp.origin", "set rp.origin or rp.origins, not both")
	}
	origins, key := rp.Origins, func(i int) string { return fmt.Sprintf(at+"rp.origins[%d]", i) }
	if rp.Origin != "" {
		origins, key = []string{rp.Origin}, func(int) string { return at + "rp.origin" }
	}
	for i, o := range origins {
		if u, err := url.Parse(o); err != nil || u.Scheme == "" || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad(key(i), "%q is not an origin (scheme://host[:port])", o)
		}
	}
}
