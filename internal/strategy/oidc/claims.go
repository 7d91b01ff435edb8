package oidc

import "strings"

// standardClaims are the claims a mapper sees, as in the reference: the
// OpenID Connect standard claims and Google's hd. Anything else a provider
// sends is dropped, so mappers cannot come to depend on it.
var standardClaims = map[string]bool{
	"iss": true, "sub": true, "name": true, "given_name": true, "family_name": true, "last_name": true,
	"middle_name": true, "nickname": true, "preferred_username": true, "profile": true, "picture": true,
	"website": true, "email": true, "email_verified": true, "gender": true, "birthdate": true,
	"zoneinfo": true, "locale": true, "phone_number": true, "phone_number_verified": true,
	"updated_at": true, "hd": true,
}

// Claims is what a provider says about the person signing in.
type Claims map[string]any

// filter keeps the standard claims that carry a value: absent, false,
// empty and null claims are left out, so a mapper tests 'x' in claims.
func filter(raw map[string]any) Claims {
	out := Claims{}
	for k, v := range raw {
		if !standardClaims[k] {
			continue
		}
		switch x := v.(type) {
		case nil:
			continue
		case bool:
			if !x {
				continue
			}
		case string:
			if strings.TrimSpace(x) == "" {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// Subject is the provider's stable id of the account.
func (c Claims) Subject() string { s, _ := c["sub"].(string); return s }

// Email is the address the provider reports, if any.
func (c Claims) Email() string { s, _ := c["email"].(string); return s }

// EmailVerified reports whether the provider says it verified the address.
// Some providers send the claim as a string.
func (c Claims) EmailVerified() bool {
	switch v := c["email_verified"].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}
