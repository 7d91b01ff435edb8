package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// OIDCProviderTypes are the values of providers[].provider, as in the
// reference.
var OIDCProviderTypes = []string{"generic", "google", "github", "gitlab", "microsoft", "discord", "slack", "facebook"}

// providerID is what may appear in the callback path and in form values.
var providerID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validate checks each provider on its own, so a mistake names the
// provider and the key; deeper checks (the mapper compiles) happen when the
// strategy is built.
func (m OIDCMethod) validate(bad func(key, format string, args ...any)) {
	seen := map[string]bool{}
	for i, p := range m.Config.Providers {
		at := func(key string) string {
			k := fmt.Sprintf("selfservice.methods.oidc.config.providers[%d].%s", i, key)
			if p.ID != "" {
				k += fmt.Sprintf(" (provider %q)", p.ID)
			}
			return k
		}
		switch {
		case p.ID == "":
			bad(at("id"), "is required")
		case !providerID.MatchString(p.ID):
			bad(at("id"), "%q may only contain letters, digits, '-' and '_' (at most 64)", p.ID)
		case seen[p.ID]:
			bad(at("id"), "%q is used by another provider", p.ID)
		}
		seen[p.ID] = true
		known := false
		for _, t := range OIDCProviderTypes {
			known = known || p.Provider == t
		}
		if !known {
			bad(at("provider"), "%q is not one of %s", p.Provider, strings.Join(OIDCProviderTypes, ", "))
		}
		if p.ClientID == "" {
			bad(at("client_id"), "is required")
		}
		if p.ClientSecret == "" {
			bad(at("client_secret"), "is required")
		}
		if p.MapperURL == "" {
			bad(at("mapper_url"), "is required (a Jsonnet file: file://, base64:// or http(s)://)")
		} else if u, err := url.Parse(p.MapperURL); err != nil || (u.Scheme != "file" && u.Scheme != "base64" && u.Scheme != "http" && u.Scheme != "https") {
			bad(at("mapper_url"), "is not a file://, base64:// or http(s):// URL")
		}
		if p.Provider == "microsoft" && p.Tenant == "" {
			bad(at("tenant"), "is required for microsoft (common, organizations, consumers or a tenant id)")
		}
		if p.Provider == "generic" && p.IssuerURL == "" {
			bad(at("issuer_url"), "is required for generic providers (found by OpenID discovery)")
		}
		for key, v := range map[string]string{"issuer_url": p.IssuerURL, "auth_url": p.AuthURL, "token_url": p.TokenURL} {
			if v == "" {
				continue
			}
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				bad(at(key), "%q is not an absolute http(s) URL", v)
			}
		}
	}
}
