package password

import (
	"context"
	"encoding/json"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateSettings adds the new-password input.
func (s *Strategy) PopulateSettings(_ context.Context, f *flow.Flow, _ *identity.Identity) error {
	f.UI.Nodes = append(f.UI.Nodes,
		ui.Input(ui.GroupPassword, "password", "password", nil, true, ui.Label(text.LabelPassword())),
		ui.Submit(ui.GroupPassword, Method, text.LabelSave()),
	)
	return nil
}

// NeedsPrivilege: changing the password always needs a recent sign-in.
func (s *Strategy) NeedsPrivilege(*identity.Identity, flow.Submission) bool { return true }

// Settings sets a new password.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	password, _ := sub.String("password")
	if password == "" {
		f.UI.AddNodeMessage("password", text.Required("password"))
		return nil, flow.ErrInvalid
	}
	var identifiers []string
	if sch, ok := s.Schemas.Schema(i.SchemaID); ok {
		if ext, err := sch.Extract(i.Traits); err == nil {
			identifiers = ext.PasswordIdentifiers
		}
	}
	if reason := s.Policy.Check(ctx, password, identifiers); reason != "" {
		f.UI.AddNodeMessage("password", text.PasswordPolicy(reason))
		return nil, flow.ErrInvalid
	}
	hash, err := s.Hasher.Hash(ctx, []byte(password))
	if err != nil {
		return nil, err
	}
	cfg, _ := json.Marshal(identity.PasswordConfig{HashedPassword: hash})
	if err := s.Store.SetCredentialConfig(ctx, i.ID, identity.CredentialPassword, cfg); err != nil {
		return nil, err
	}
	return i, nil
}
