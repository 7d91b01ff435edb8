package webauthn

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
)

// CredentialType is the credential keys are stored in, as the later
// versions name it.
const CredentialType identity.CredentialType = "webauthn"

// Config is the stored config of a webauthn credential.
type Config struct {
	Credentials []Key `json:"credentials"`
	// UserHandle is the WebAuthn user id keys were made for: the
	// identity id's 16 bytes.
	UserHandle []byte `json:"user_handle"`
}

// Key is one registered security key or passkey.
type Key struct {
	ID              []byte        `json:"id"`
	PublicKey       []byte        `json:"public_key"`
	AttestationType string        `json:"attestation_type"`
	Authenticator   Authenticator `json:"authenticator"`
	DisplayName     string        `json:"display_name"`
	AddedAt         time.Time     `json:"added_at"`
	IsPasswordless  bool          `json:"is_passwordless"`
	Flags           *Flags        `json:"flags,omitempty"`
	Transport       []string      `json:"transport,omitempty"`
}

// Authenticator is what is known of the device that holds a key.
type Authenticator struct {
	AAGUID       []byte `json:"aaguid"`
	SignCount    uint32 `json:"sign_count"`
	CloneWarning bool   `json:"clone_warning"`
}

// Flags are the authenticator data flags seen at registration and the
// last sign-in.
type Flags struct {
	UserPresent    bool `json:"user_present"`
	UserVerified   bool `json:"user_verified"`
	BackupEligible bool `json:"backup_eligible"`
	BackupState    bool `json:"backup_state"`
}

// HexID is how a key is named in forms (webauthn_remove).
func (k Key) HexID() string { return hex.EncodeToString(k.ID) }

func parseConfig(c *identity.Credential) (Config, error) {
	var cfg Config
	if c == nil || len(c.Config) == 0 {
		return cfg, nil
	}
	err := json.Unmarshal(c.Config, &cfg)
	return cfg, err
}

// keys are the keys of one mode: passkeys when passwordless, second
// factors otherwise.
func (c Config) keys(passwordless bool) []Key {
	var out []Key
	for _, k := range c.Credentials {
		if k.IsPasswordless == passwordless {
			out = append(out, k)
		}
	}
	return out
}

func (c *Config) remove(hexID string) bool {
	n := len(c.Credentials)
	c.Credentials = slices.DeleteFunc(c.Credentials, func(k Key) bool { return k.HexID() == hexID })
	return len(c.Credentials) < n
}

func newKey(c *webauthn.Credential, name string, at time.Time, passwordless bool) Key {
	k := Key{
		ID: c.ID, PublicKey: c.PublicKey, AttestationType: c.AttestationType, DisplayName: name, AddedAt: at.UTC().Truncate(time.Second),
		IsPasswordless: passwordless,
		Authenticator:  Authenticator{AAGUID: c.Authenticator.AAGUID, SignCount: c.Authenticator.SignCount, CloneWarning: c.Authenticator.CloneWarning},
		Flags:          &Flags{UserPresent: c.Flags.UserPresent, UserVerified: c.Flags.UserVerified, BackupEligible: c.Flags.BackupEligible, BackupState: c.Flags.BackupState},
	}
	for _, t := range c.Transport {
		k.Transport = append(k.Transport, string(t))
	}
	return k
}

// credential is the key as the library checks it.
func (k Key) credential() webauthn.Credential {
	c := webauthn.Credential{
		ID: k.ID, PublicKey: k.PublicKey, AttestationType: k.AttestationType,
		Authenticator: webauthn.Authenticator{AAGUID: k.Authenticator.AAGUID, SignCount: k.Authenticator.SignCount, CloneWarning: k.Authenticator.CloneWarning},
	}
	if f := k.Flags; f != nil {
		var raw protocol.AuthenticatorFlags
		if f.UserPresent {
			raw |= protocol.FlagUserPresent
		}
		if f.UserVerified {
			raw |= protocol.FlagUserVerified
		}
		if f.BackupEligible {
			raw |= protocol.FlagBackupEligible
		}
		if f.BackupState {
			raw |= protocol.FlagBackupState
		}
		c.Flags = webauthn.NewCredentialFlags(raw)
	}
	for _, t := range k.Transport {
		c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
	}
	return c
}

// user is an identity as the library sees it, with the keys of one mode.
type user struct {
	handle []byte
	name   string
	keys   []Key
}

func (u *user) WebAuthnID() []byte          { return u.handle }
func (u *user) WebAuthnName() string        { return u.name }
func (u *user) WebAuthnDisplayName() string { return u.name }
func (u *user) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(u.keys))
	for _, k := range u.keys {
		out = append(out, k.credential())
	}
	return out
}

// handleOf is the user handle of an identity's keys: the stored one, else
// the identity id's bytes.
func handleOf(cfg Config, id uuid.UUID) []byte {
	if len(cfg.UserHandle) > 0 {
		return cfg.UserHandle
	}
	return id[:]
}
