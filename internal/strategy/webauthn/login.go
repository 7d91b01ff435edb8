package webauthn

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateLogin offers sign-in with a passkey (passwordless only, browser
// flows only): an identifier first, then the key.
func (s *Strategy) PopulateLogin(f *flow.Flow) {
	if !s.Passwordless || f.Type != flow.Browser {
		return
	}
	s.offerIdentifier(f, "")
}

func (s *Strategy) offerIdentifier(f *flow.Flow, typed string) {
	f.UI.RemoveGroup(Method)
	id := ui.Input(Method, "identifier", "text", typed, true, ui.Label(text.LabelID()))
	id.Attributes.Autocomplete = "username webauthn"
	f.UI.Nodes = append(f.UI.Nodes, id, ui.Submit(Method, Method, text.LabelWebAuthnLogin()))
}

// Login is two steps: an identifier, answered with the key's options, then
// the key's answer to them.
func (s *Strategy) Login(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	if f.Type != flow.Browser || !s.Passwordless {
		f.UI.AddMessage(errAPIFlow)
		return nil, flow.ErrInvalid
	}
	if raw, _ := sub.String("webauthn_login"); raw != "" {
		return s.finishLogin(ctx, f, raw, true, nil)
	}
	typed, _ := sub.String("identifier")
	if typed == "" {
		s.offerIdentifier(f, "")
		s.nodeMessage(f, "identifier", text.Required("identifier"))
		return nil, flow.ErrInvalid
	}
	candidates := []string{schema.Canonical(typed, false)}
	if folded := schema.Canonical(typed, true); folded != candidates[0] {
		candidates = append(candidates, folded)
	}
	i, cred, err := s.Store.IdentityByIdentifier(ctx, CredentialType, candidates)
	if errors.Is(err, store.ErrNotFound) {
		s.offerIdentifier(f, typed)
		f.UI.AddMessage(text.WebAuthnNoUser())
		return nil, flow.ErrInvalid
	} else if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(cred)
	if err != nil {
		return nil, err
	}
	if len(cfg.keys(true)) == 0 {
		s.offerIdentifier(f, typed)
		f.UI.AddMessage(text.WebAuthnNoUser())
		return nil, flow.ErrInvalid
	}
	if err := s.offerLogin(f, i, cfg, true, text.LabelContinue()); err != nil {
		return nil, err
	}
	f.UI.SetValue("identifier", typed)
	f.UI.AddMessage(text.WebAuthnLoginPrepare())
	return nil, flow.ErrContinueInBrowser
}

// offerLogin adds the nodes that ask identity i's keys of one mode to sign
// in, and keeps the ceremony on the flow.
func (s *Strategy) offerLogin(f *flow.Flow, i *identity.Identity, cfg Config, passwordless bool, label text.Message) error {
	f.UI.RemoveGroup(Method)
	u := &user{handle: handleOf(cfg, i.ID), name: s.displayName(i), keys: cfg.keys(passwordless)}
	uv := protocol.VerificationDiscouraged
	if passwordless {
		uv = protocol.VerificationRequired
	}
	opts, session, err := s.RP.BeginLogin(u, webauthn.WithUserVerification(uv))
	if err != nil {
		return err
	}
	if err := keep(f, ceremony{Session: *session, Identity: i.ID}); err != nil {
		return err
	}
	js := optionsJSON(opts)
	typ := "hidden"
	if passwordless {
		typ = "text"
	}
	f.UI.Nodes = append(f.UI.Nodes, ui.Input(Method, "identifier", typ, s.displayName(i), true, ui.Label(text.LabelID())))
	trigger := ui.Input(Method, "webauthn_login_trigger", "button", js, false, ui.Label(label))
	trigger.Attributes.OnClick = "window.oryWebAuthnLogin(" + js + ")"
	trigger.Attributes.OnClickTrigger = "oryWebAuthnLogin"
	f.UI.Nodes = append(f.UI.Nodes, trigger, ui.Input(Method, "webauthn_login", "hidden", "", false, nil), s.scriptNode())
	return nil
}

// finishLogin checks a key's answer against the ceremony the flow kept
// (once), writes the key's new sign count and returns who signed in. A
// second factor's ceremony must be the signed-in identity's (signedIn).
func (s *Strategy) finishLogin(ctx context.Context, f *flow.Flow, raw string, passwordless bool, signedIn *identity.Identity) (*identity.Identity, error) {
	c, ok, err := take(f)
	if err != nil {
		return nil, err
	}
	if !ok {
		if passwordless {
			s.offerIdentifier(f, "")
		}
		f.UI.AddMessage(text.WebAuthnInvalid())
		return nil, flow.ErrInvalid
	}
	if signedIn != nil && c.Identity != signedIn.ID {
		f.UI.AddMessage(text.WebAuthnInvalid())
		return nil, flow.ErrInvalid
	}
	i, err := s.Store.Identity(ctx, c.Identity)
	if err != nil {
		return nil, err
	}
	cred, cfg, err := s.credentials(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	// A failed answer gets a fresh challenge: the one it used is gone.
	again := func(err error) error {
		if cred != nil && len(cfg.keys(passwordless)) > 0 {
			if oerr := s.offerLogin(f, i, cfg, passwordless, loginLabel(passwordless)); oerr != nil {
				return oerr
			}
		}
		return err
	}
	if cred == nil || len(cfg.keys(passwordless)) == 0 {
		f.UI.AddMessage(text.WebAuthnNoDevice())
		return nil, flow.ErrInvalid
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(raw))
	if err != nil {
		return nil, again(s.refuse(ctx, f, "sign-in response", err))
	}
	u := &user{handle: handleOf(cfg, i.ID), name: s.displayName(i), keys: cfg.keys(passwordless)}
	used, err := s.RP.ValidateLogin(u, c.Session, parsed)
	if err != nil {
		return nil, again(s.refuse(ctx, f, "sign-in", err))
	}
	if used.Authenticator.CloneWarning {
		return nil, again(s.refuse(ctx, f, "sign-in", errors.New("the sign count did not increase: the key may be cloned or the answer replayed")))
	}
	for k := range cfg.Credentials {
		if string(cfg.Credentials[k].ID) == string(used.ID) {
			at := cfg.Credentials[k].AddedAt
			name := cfg.Credentials[k].DisplayName
			updated := newKey(used, name, at, cfg.Credentials[k].IsPasswordless)
			updated.AddedAt = at
			cfg.Credentials[k] = updated
		}
	}
	// The new sign count is written only over the config the answer was
	// checked against: of two sign-ins racing with one answer, one wins.
	next, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	swapped, err := s.Store.SwapCredentialConfig(ctx, i.ID, CredentialType, cred.Config, next)
	if err != nil {
		return nil, err
	}
	if !swapped {
		return nil, again(s.refuse(ctx, f, "sign-in", errors.New("the key's record changed while the answer was checked")))
	}
	return i, nil
}

func loginLabel(passwordless bool) text.Message {
	if passwordless {
		return text.LabelContinue()
	}
	return text.LabelWebAuthnLogin()
}
