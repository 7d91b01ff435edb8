package schema

import (
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// extension is the ory.sh/kratos keyword found at one trait path.
type extension struct {
	path         []string // property names; "[]" steps into array items
	identifier   bool
	webauthn     bool   // credentials.webauthn.identifier
	verification string // "email" or ""
	recovery     string
	email        bool // the trait is an email address, so it is case-folded
}

func collectExtensions(node map[string]any, path []string) ([]extension, error) {
	var out []extension
	if raw, ok := node["ory.sh/kratos"]; ok {
		ext, err := parseExtension(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(append([]string{"traits"}, path...), "."), err)
		}
		ext.path = append([]string(nil), path...)
		format, _ := node["format"].(string)
		ext.email = format == "email" || ext.verification == "email" || ext.recovery == "email"
		out = append(out, ext)
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for name, p := range props {
			if pm, ok := p.(map[string]any); ok {
				sub, err := collectExtensions(pm, append(path, name))
				if err != nil {
					return nil, err
				}
				out = append(out, sub...)
			}
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		sub, err := collectExtensions(items, append(path, "[]"))
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

func parseExtension(raw any) (extension, error) {
	b, _ := json.Marshal(raw)
	var e struct {
		Credentials struct {
			Password struct {
				Identifier any `json:"identifier"`
			} `json:"password"`
			WebAuthn struct {
				Identifier any `json:"identifier"`
			} `json:"webauthn"`
		} `json:"credentials"`
		Verification struct {
			Via string `json:"via"`
		} `json:"verification"`
		Recovery struct {
			Via string `json:"via"`
		} `json:"recovery"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return extension{}, fmt.Errorf("ory.sh/kratos extension is malformed: %v", err)
	}
	var ext extension
	ext.identifier = truthy(e.Credentials.Password.Identifier)
	ext.webauthn = truthy(e.Credentials.WebAuthn.Identifier)
	for _, via := range []string{e.Verification.Via, e.Recovery.Via} {
		if via != "" && via != "email" {
			return extension{}, fmt.Errorf("ory.sh/kratos: via %q is not supported (only email)", via)
		}
	}
	ext.verification, ext.recovery = e.Verification.Via, e.Recovery.Via
	return ext, nil
}

// truthy reads a flag written as true or "true".
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// MaxIdentifierBytes bounds identifiers and addresses, whatever the schema
// says, so every database stores the same values.
const MaxIdentifierBytes = 255

// Address is a verifiable or recovery address found in traits.
type Address struct {
	Via   string
	Value string
}

// Extracted is what the ory.sh/kratos extension says about a set of traits,
// with every value canonicalised.
type Extracted struct {
	PasswordIdentifiers []string
	// WebAuthnIdentifiers are the traits flagged
	// credentials.webauthn.identifier: what a security key or passkey
	// signs in with.
	WebAuthnIdentifiers []string
	Verifiable          []Address
	Recovery            []Address
}

// Extract reads identifiers and addresses out of valid traits.
func (s *Schema) Extract(traits json.RawMessage) (Extracted, error) {
	var tree any
	if err := json.Unmarshal(traits, &tree); err != nil {
		return Extracted{}, err
	}
	var out Extracted
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if !seen[kind+"\x00"+v] {
			seen[kind+"\x00"+v] = true
			*list = append(*list, v)
		}
	}
	var ver, rec []string
	for _, e := range s.ext {
		for _, raw := range valuesAt(tree, e.path) {
			str, ok := raw.(string)
			if !ok {
				continue
			}
			v := Canonical(str, e.email)
			if v == "" {
				continue
			}
			if len(v) > MaxIdentifierBytes {
				field := "traits." + strings.ReplaceAll(strings.Join(e.path, "."), ".[]", "")
				return Extracted{}, &ValidationError{Problems: []Problem{{Field: field, Kind: ProblemGeneric,
					Message: fmt.Sprintf("is longer than %d bytes, the most an identifier or address may have", MaxIdentifierBytes)}}}
			}
			if e.identifier {
				add(&out.PasswordIdentifiers, "id", v)
			}
			if e.webauthn {
				add(&out.WebAuthnIdentifiers, "webauthn", v)
			}
			if e.verification != "" {
				add(&ver, "ver", v)
			}
			if e.recovery != "" {
				add(&rec, "rec", v)
			}
		}
	}
	for _, v := range ver {
		out.Verifiable = append(out.Verifiable, Address{Via: "email", Value: v})
	}
	for _, v := range rec {
		out.Recovery = append(out.Recovery, Address{Via: "email", Value: v})
	}
	return out, nil
}

func valuesAt(v any, path []string) []any {
	if len(path) == 0 {
		return []any{v}
	}
	if path[0] == "[]" {
		list, _ := v.([]any)
		var out []any
		for _, item := range list {
			out = append(out, valuesAt(item, path[1:])...)
		}
		return out
	}
	m, _ := v.(map[string]any)
	next, ok := m[path[0]]
	if !ok {
		return nil
	}
	return valuesAt(next, path[1:])
}

// Canonical is the one stored form of an identifier or address: trimmed,
// Unicode NFKC, and lower-cased when it is an email address. Login,
// recovery and verification all look identifiers up in this form.
func Canonical(s string, email bool) string {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if email {
		s = strings.ToLower(s)
	}
	return s
}

// IsEmailIdentifier reports whether password identifiers of this schema are
// email addresses, so a typed login name is canonicalised the same way.
func (s *Schema) IsEmailIdentifier() bool {
	for _, e := range s.ext {
		if e.identifier && e.email {
			return true
		}
	}
	return false
}

// IsIdentifierField reports whether a form field ("traits.email") holds a
// password identifier, so forms can place it first.
func (s *Schema) IsIdentifierField(name string) bool {
	for _, e := range s.ext {
		if e.identifier && "traits."+strings.Join(e.path, ".") == name {
			return true
		}
	}
	return false
}

// HasWebAuthnIdentifier reports whether a trait is flagged
// credentials.webauthn.identifier, which adding a key needs.
func (s *Schema) HasWebAuthnIdentifier() bool {
	for _, e := range s.ext {
		if e.webauthn {
			return true
		}
	}
	return false
}

// HasRecovery reports whether the schema names a recovery address, without
// which account recovery cannot work.
func (s *Schema) HasRecovery() bool {
	for _, e := range s.ext {
		if e.recovery != "" {
			return true
		}
	}
	return false
}
