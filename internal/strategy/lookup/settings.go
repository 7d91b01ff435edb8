package lookup

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// Flow state, in the flow's Internal sections: codes made but not yet
// confirmed (shown until then, saved only on confirm), and a one-time
// "show the list" after reveal.
const (
	pendingKey  = "lookup_secret_pending"
	revealedKey = "lookup_secret_revealed"
)

// Actions, each a submit button with value "true".
const (
	actRegenerate = "lookup_secret_regenerate"
	actConfirm    = "lookup_secret_confirm"
	actReveal     = "lookup_secret_reveal"
	actDisable    = "lookup_secret_disable"
)

func button(name string, label text.Message) ui.Node {
	return ui.Input(ui.GroupLookup, name, "submit", "true", false, ui.Label(label))
}

// PopulateSettings draws the group for the identity's codes and the
// flow's state.
func (s *Strategy) PopulateSettings(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	c, cfg, err := s.load(ctx, i.ID)
	if err != nil {
		return err
	}
	var pending []string
	if f.GetInternal(pendingKey, &pending) && len(pending) > 0 {
		msgs := make([]text.Message, len(pending))
		for k, code := range pending {
			msgs[k] = text.RecoveryCode(code)
		}
		f.UI.Nodes = append(f.UI.Nodes, codesNode(msgs), button(actConfirm, text.LabelConfirmCodes()))
		return nil
	}
	if c == nil {
		f.UI.Nodes = append(f.UI.Nodes, button(actRegenerate, text.LabelRegenerateCodes()))
		return nil
	}
	var revealed bool
	if f.GetInternal(revealedKey, &revealed) && revealed {
		_ = f.SetInternal(revealedKey, nil)
		// Stored hashed, the codes cannot be shown again: the list says
		// which are left and which were used.
		msgs := make([]text.Message, len(cfg.Codes))
		for k, code := range cfg.Codes {
			if code.UsedAt != nil {
				msgs[k] = text.RecoveryCodeUsed(*code.UsedAt)
			} else {
				msgs[k] = text.RecoveryCodeHidden()
			}
		}
		f.UI.Nodes = append(f.UI.Nodes, codesNode(msgs), button(actRegenerate, text.LabelRegenerateCodes()), button(actDisable, text.LabelDisableCodes()))
		return nil
	}
	f.UI.Nodes = append(f.UI.Nodes, button(actReveal, text.LabelRevealCodes()), button(actDisable, text.LabelDisableCodes()))
	return nil
}

func codesNode(msgs []text.Message) ui.Node {
	return ui.Text(ui.GroupLookup, "lookup_secret_codes", text.RecoveryCodes(msgs), ui.Label(text.LabelRecoveryCodes()))
}

// NeedsPrivilege: every action shows or changes codes.
func (s *Strategy) NeedsPrivilege(*identity.Identity, flow.Submission) bool { return true }

func flag(sub flow.Submission, name string) bool {
	switch v := sub.Values[name].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// action is the one the submission's flag picks.
func action(sub flow.Submission) string {
	for _, a := range []string{actConfirm, actRegenerate, actReveal, actDisable} {
		if flag(sub, a) {
			return a
		}
	}
	return ""
}

// Settings applies one action.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	switch action(sub) {
	case actRegenerate:
		codes, err := newCodes()
		if err != nil {
			return nil, err
		}
		return i, f.SetInternal(pendingKey, codes)
	case actConfirm:
		var pending []string
		if !f.GetInternal(pendingKey, &pending) || len(pending) == 0 {
			return nil, errNothingToConfirm
		}
		cfg := config{Codes: make([]code, len(pending))}
		for k, c := range pending {
			cfg.Codes[k] = code{Hash: s.Tokens.Hash(purpose(i.ID), c)}
		}
		raw, _ := json.Marshal(cfg)
		now := s.Clock.Now()
		cred := &identity.Credential{ID: uuid.New(), Type: CredentialType, Identifiers: []string{i.ID.String()}, Config: raw, CreatedAt: now, UpdatedAt: now}
		if err := s.Store.SetCredential(ctx, i.ID, cred); err != nil {
			return nil, err
		}
		return i, f.SetInternal(pendingKey, nil)
	case actReveal:
		c, _, err := s.load(ctx, i.ID)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, errNothingToReveal
		}
		return i, f.SetInternal(revealedKey, true)
	case actDisable:
		_ = f.SetInternal(pendingKey, nil)
		if err := s.Store.DeleteCredential(ctx, i.ID, CredentialType); err != nil {
			return nil, err
		}
		return i, nil
	}
	f.UI.AddMessage(text.SettingsNoStrategy())
	return nil, flow.ErrInvalid
}

// FactorChange implements settings.FactorChanging.
func (s *Strategy) FactorChange(sub flow.Submission) (string, bool, bool) {
	switch action(sub) {
	case actConfirm:
		return Method, true, true
	case actDisable:
		return Method, false, true
	}
	return "", false, false
}

// Proved implements settings.Authenticating: confirming codes counts as
// using the factor, as in the later versions.
func (s *Strategy) Proved(sub flow.Submission) (session.AuthenticationMethod, bool) {
	if action(sub) != actConfirm {
		return session.AuthenticationMethod{}, false
	}
	return session.SecondFactor(Method, s.Clock.Now()), true
}
