package webauthn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// maxDisplayName bounds a key's name, in characters.
const maxDisplayName = 64

// otherFirstFactors counts the ways besides passkeys an identity can sign
// in: a password and linked social accounts.
func otherFirstFactors(creds map[identity.CredentialType]*identity.Credential) int {
	n := 0
	if pw := creds[identity.CredentialPassword]; pw != nil {
		var cfg identity.PasswordConfig
		if json.Unmarshal(pw.Config, &cfg) == nil && cfg.HashedPassword != "" {
			n++
		}
	}
	if o := creds["oidc"]; o != nil {
		var cfg struct {
			Providers []json.RawMessage `json:"providers"`
		}
		if json.Unmarshal(o.Config, &cfg) == nil {
			n += len(cfg.Providers)
		}
	}
	return n
}

// PopulateSettings lists the identity's keys, each with a remove button,
// and offers to add one. Browser flows only: a key is made in a browser.
func (s *Strategy) PopulateSettings(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	f.UI.RemoveGroup(Method)
	if f.Type != flow.Browser {
		return nil
	}
	creds, err := s.Store.Credentials(ctx, i.ID)
	if err != nil {
		return err
	}
	cfg, err := parseConfig(creds[CredentialType])
	if err != nil {
		return err
	}
	passkeys := len(cfg.keys(true))
	lastFirstFactor := otherFirstFactors(creds) == 0 && passkeys == 1
	for _, k := range cfg.Credentials {
		n := ui.Input(Method, "webauthn_remove", "submit", k.HexID(), false, ui.Label(text.LabelWebAuthnRemove(k.DisplayName, k.AddedAt)))
		n.Attributes.Disabled = k.IsPasswordless && lastFirstFactor
		f.UI.Nodes = append(f.UI.Nodes, n)
	}
	return s.offerRegistration(f, &user{handle: handleOf(cfg, i.ID), name: s.displayName(i), keys: cfg.Credentials}, text.LabelWebAuthnRegister())
}

// offerRegistration adds the nodes that make a key for u and keeps the
// ceremony on the flow.
func (s *Strategy) offerRegistration(f *flow.Flow, u *user, label text.Message) error {
	sel := protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementDiscouraged, UserVerification: protocol.VerificationDiscouraged}
	if s.Passwordless {
		rk := true
		sel = protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: &rk, UserVerification: protocol.VerificationRequired}
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.WebAuthnCredentials() {
		exclude = append(exclude, c.Descriptor())
	}
	opts, session, err := s.RP.BeginRegistration(u, webauthn.WithAuthenticatorSelection(sel), webauthn.WithExclusions(exclude))
	if err != nil {
		return err
	}
	var id [16]byte
	copy(id[:], u.handle)
	if err := keep(f, ceremony{Session: *session, Identity: id}); err != nil {
		return err
	}
	js := optionsJSON(opts)
	if f.Kind == flow.Settings {
		f.UI.Nodes = append(f.UI.Nodes, ui.Input(Method, "webauthn_register_displayname", "text", nil, false, ui.Label(text.LabelWebAuthnDisplayName())))
	}
	trigger := ui.Input(Method, "webauthn_register_trigger", "button", js, false, ui.Label(label))
	trigger.Attributes.OnClick = "window.oryWebAuthnRegistration(" + js + ")"
	trigger.Attributes.OnClickTrigger = "oryWebAuthnRegistration"
	f.UI.Nodes = append(f.UI.Nodes, trigger,
		ui.Input(Method, "webauthn_register", "hidden", "", false, nil),
		s.scriptNode())
	return nil
}

// NeedsPrivilege: adding and removing a key both need a recent sign-in.
func (s *Strategy) NeedsPrivilege(_ *identity.Identity, sub flow.Submission) bool { return true }

// Settings adds or removes a key.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	if f.Type != flow.Browser {
		f.UI.AddMessage(errAPIFlow)
		return nil, flow.ErrInvalid
	}
	creds, err := s.Store.Credentials(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(creds[CredentialType])
	if err != nil {
		return nil, err
	}
	if hexID, _ := sub.String("webauthn_remove"); hexID != "" {
		return s.remove(ctx, f, i, creds, cfg, hexID)
	}
	c, ok, err := take(f)
	if err != nil {
		return nil, err
	}
	// Whatever happens next, the flow offers a fresh challenge.
	if err := s.PopulateSettings(ctx, f, i); err != nil {
		return nil, err
	}
	raw, _ := sub.String("webauthn_register")
	if !ok || raw == "" {
		f.UI.AddMessage(text.WebAuthnInvalid())
		return nil, flow.ErrInvalid
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(raw))
	if err != nil {
		return nil, s.refuse(ctx, f, "registration response", err)
	}
	u := &user{handle: handleOf(cfg, i.ID), name: s.displayName(i), keys: cfg.Credentials}
	cred, err := s.RP.CreateCredential(u, c.Session, parsed)
	if err != nil {
		return nil, s.refuse(ctx, f, "registration", err)
	}
	name, _ := sub.String("webauthn_register_displayname")
	cfg.Credentials = append(cfg.Credentials, newKey(cred, displayName(name), s.Clock.Now(), s.Passwordless))
	cfg.UserHandle = u.handle
	if err := s.save(ctx, i, cfg); errors.Is(err, errNoIdentifier) {
		f.UI.AddMessage(text.WebAuthnIdentifierMissing())
		return nil, flow.ErrInvalid
	} else if err != nil {
		return nil, err
	}
	return i, nil
}

func displayName(typed string) string {
	name := strings.TrimSpace(typed)
	if name == "" {
		return "Security key"
	}
	if utf8.RuneCountInString(name) > maxDisplayName {
		name = string([]rune(name)[:maxDisplayName])
	}
	return name
}

func (s *Strategy) remove(ctx context.Context, f *flow.Flow, i *identity.Identity, creds map[identity.CredentialType]*identity.Credential, cfg Config, hexID string) (*identity.Identity, error) {
	var target *Key
	for k := range cfg.Credentials {
		if cfg.Credentials[k].HexID() == hexID {
			target = &cfg.Credentials[k]
		}
	}
	if target == nil {
		f.UI.AddMessage(text.WebAuthnNoDevice())
		return nil, flow.ErrInvalid
	}
	if target.IsPasswordless && otherFirstFactors(creds) == 0 && len(cfg.keys(true)) == 1 {
		f.UI.AddMessage(text.Generic("This is your only way to sign in: add another passkey or a password before removing it."))
		return nil, flow.ErrInvalid
	}
	cfg.remove(hexID)
	if err := s.save(ctx, i, cfg); err != nil {
		return nil, err
	}
	return i, nil
}

// refuse logs why the library refused a response and puts 4000043 on the
// flow; the person only learns that the key could not be verified.
func (s *Strategy) refuse(ctx context.Context, f *flow.Flow, what string, err error) error {
	var pe *protocol.Error
	detail := err.Error()
	if errors.As(err, &pe) {
		detail = pe.Type + ": " + pe.Details + " " + pe.DevInfo
	}
	s.Log.InfoContext(ctx, "webauthn: "+what+" refused", "flow_id", f.ID, "reason", detail)
	f.UI.AddMessage(text.WebAuthnInvalid())
	return flow.ErrInvalid
}

var errAPIFlow = text.Generic("Security keys and passkeys are only supported for flows initiated using the Browser endpoint.")
