package webauthn

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
)

// IsSecondFactor judges a stored webauthn config: it holds a second
// factor when one of its keys is not a passkey. It is the session
// manager's probe of whether an identity could reach aal2.
func IsSecondFactor(config json.RawMessage) bool {
	var cfg Config
	return json.Unmarshal(config, &cfg) == nil && len(cfg.keys(false)) > 0
}

// PopulateSecondFactor asks for one of the identity's security keys on an
// aal2 login flow (browser flows, keys that are not passkeys).
func (s *Strategy) PopulateSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	if s.Passwordless || f.Type != flow.Browser {
		return nil
	}
	_, cfg, err := s.credentials(ctx, i.ID)
	if err != nil || len(cfg.keys(false)) == 0 {
		return err
	}
	return s.offerLogin(f, i, cfg, false, text.LabelWebAuthnLogin())
}

// LoginSecondFactor checks the key's answer for the signed-in identity i.
func (s *Strategy) LoginSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) error {
	if f.Type != flow.Browser || s.Passwordless {
		f.UI.AddMessage(errAPIFlow)
		return flow.ErrInvalid
	}
	raw, _ := sub.String("webauthn_login")
	if raw == "" {
		_ = s.PopulateSecondFactor(ctx, f, i)
		f.UI.AddMessage(text.WebAuthnInvalid())
		return flow.ErrInvalid
	}
	_, err := s.finishLogin(ctx, f, raw, false, i)
	return err
}

// Proved: a key added in settings proves the person holds it, so the
// session gains the method (a second factor raises it to aal2).
func (s *Strategy) Proved(sub flow.Submission) (session.AuthenticationMethod, bool) {
	if v, _ := sub.String("webauthn_register"); v == "" {
		return session.AuthenticationMethod{}, false
	}
	if s.Passwordless {
		return session.FirstFactor(Method, s.Clock.Now()), true
	}
	return session.SecondFactor(Method, s.Clock.Now()), true
}

// FactorChange names a saved change of a second factor, for the security
// notice. Passkeys are first factors: their changes send none.
func (s *Strategy) FactorChange(sub flow.Submission) (method string, added, ok bool) {
	if s.Passwordless {
		return "", false, false
	}
	if v, _ := sub.String("webauthn_register"); v != "" {
		return Method, true, true
	}
	if v, _ := sub.String("webauthn_remove"); v != "" {
		return Method, false, true
	}
	return "", false, false
}
