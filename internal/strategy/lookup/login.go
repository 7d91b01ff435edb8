package lookup

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateSecondFactor implements login.SecondFactor.
func (s *Strategy) PopulateSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	c, _, err := s.load(ctx, i.ID)
	if err != nil || c == nil {
		return err
	}
	f.UI.Nodes = append(f.UI.Nodes,
		ui.Input(ui.GroupLookup, "lookup_secret", "text", nil, true, ui.Label(text.LabelLookupSecret())),
		ui.Submit(ui.GroupLookup, Method, text.LabelUseLookupSecret()))
	return nil
}

// attempts bounds the retries when another request spends a code of the
// same set at the same moment.
const attempts = 3

// LoginSecondFactor implements login.SecondFactor: the code is marked used
// in the same write that checks the set is unchanged, so it works once.
func (s *Strategy) LoginSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) error {
	given, _ := sub.String("lookup_secret")
	given = strings.TrimSpace(given)
	if given == "" {
		f.UI.AddNodeMessage("lookup_secret", text.Required("lookup_secret"))
		return flow.ErrInvalid
	}
	for range attempts {
		c, cfg, err := s.load(ctx, i.ID)
		if err != nil {
			return err
		}
		if c == nil {
			f.UI.AddMessage(text.LookupSecretMissing())
			return flow.ErrInvalid
		}
		k := s.find(i.ID, cfg, given)
		switch {
		case k < 0:
			f.UI.AddMessage(text.LookupSecretInvalid())
			return flow.ErrInvalid
		case cfg.Codes[k].UsedAt != nil:
			f.UI.AddMessage(text.LookupSecretUsed())
			return flow.ErrInvalid
		}
		now := s.Clock.Now().UTC().Truncate(1e9)
		cfg.Codes[k].UsedAt = &now
		next, _ := json.Marshal(cfg)
		won, err := s.Store.SwapCredentialConfig(ctx, i.ID, CredentialType, c.Config, next)
		if err != nil || won {
			return err
		}
	}
	f.UI.AddMessage(text.LookupSecretUsed())
	return flow.ErrInvalid
}
