package totp

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/totp"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateSecondFactor implements login.SecondFactor: a code input for an
// identity with TOTP.
func (s *Strategy) PopulateSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	c, _, err := s.load(ctx, i)
	if err != nil || c == nil {
		return err
	}
	code := ui.Input(ui.GroupTOTP, "totp_code", "text", nil, true, ui.Label(text.LabelTOTPCode()))
	f.UI.Nodes = append(f.UI.Nodes, code, ui.Submit(ui.GroupTOTP, Method, text.LabelUseTOTP()))
	return nil
}

// LoginSecondFactor implements login.SecondFactor: the code must match a
// step of the window later than the last one accepted, and that step is
// stored before the answer, so a code works once even when two requests
// race.
func (s *Strategy) LoginSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) error {
	c, cfg, err := s.load(ctx, i)
	if err != nil {
		return err
	}
	if c == nil {
		f.UI.AddMessage(text.TOTPMissing())
		return flow.ErrInvalid
	}
	code, _ := sub.String("totp_code")
	if code == "" {
		f.UI.AddNodeMessage("totp_code", text.Required("totp_code"))
		return flow.ErrInvalid
	}
	keyURL, err := s.Sealer.Open(cfg.SealedURL)
	if err != nil {
		return err
	}
	step, err := totp.Verify(keyURL, code, s.Clock.Now(), cfg.LastStep)
	if errors.Is(err, totp.ErrInvalidCode) {
		f.UI.AddMessage(text.TOTPWrong())
		return flow.ErrInvalid
	}
	if err != nil {
		return err
	}
	next, _ := json.Marshal(config{SealedURL: cfg.SealedURL, LastStep: step})
	won, err := s.Store.SwapCredentialConfig(ctx, i.ID, CredentialType, c.Config, next)
	if err != nil {
		return err
	}
	if !won {
		f.UI.AddMessage(text.TOTPWrong())
		return flow.ErrInvalid
	}
	return nil
}
