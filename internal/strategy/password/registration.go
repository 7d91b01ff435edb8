package password

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateRegistration adds the trait inputs of the default schema and the
// password: identifiers first, then the password, then the other traits.
func (s *Strategy) PopulateRegistration(f *flow.Flow) {
	sch := s.Schemas.Default()
	var first, rest []ui.Node
	for _, field := range sch.Fields() {
		n := ui.TraitNode(ui.GroupPassword, field, nil)
		if sch.IsIdentifierField(field.Name) {
			first = append(first, n)
		} else {
			rest = append(rest, n)
		}
	}
	f.UI.Nodes = append(f.UI.Nodes, first...)
	f.UI.Nodes = append(f.UI.Nodes, ui.Input(ui.GroupPassword, "password", "password", nil, true, ui.Label(text.LabelPassword())))
	f.UI.Nodes = append(f.UI.Nodes, rest...)
	f.UI.Nodes = append(f.UI.Nodes, ui.Submit(ui.GroupPassword, Method, text.LabelSignUp()))
}

// Register validates traits and password and returns the identity to
// create, with its hashed password. It stores nothing.
func (s *Strategy) Register(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	sch := s.Schemas.Default()
	traits, ok := sch.ParseTraits(sub.Values["traits"], sub.Form)
	if !ok {
		f.UI.AddMessage(text.Generic("traits must be an object"))
		return nil, flow.ErrInvalid
	}
	f.UI.SetTraitValues(sch.Fields(), traits)
	password, _ := sub.String("password")
	traitsJSON, err := json.Marshal(traits)
	if err != nil {
		return nil, err
	}
	draft, err := s.Identities.Prepare(identity.Draft{SchemaID: sch.ID, Traits: traitsJSON, AddressStatus: s.NewAddressStatus})
	var ve *schema.ValidationError
	invalid := false
	switch {
	case errors.As(err, &ve):
		f.UI.AddSchemaProblems(ve)
		invalid = true
	case err != nil:
		return nil, err
	}
	switch {
	case password == "":
		f.UI.AddNodeMessage("password", text.Required("password"))
		invalid = true
	case invalid:
		// Say what is wrong with the password too, where that is known
		// without the traits, so the person fixes everything at once.
		if reason := s.Policy.CheckLocal(password, nil); reason != "" {
			f.UI.AddNodeMessage("password", text.PasswordPolicy(reason))
		}
	}
	if invalid {
		return nil, flow.ErrInvalid
	}
	cred := draft.Credentials[identity.CredentialPassword]
	if cred == nil || len(cred.Identifiers) == 0 {
		f.UI.AddMessage(text.Generic("the identity schema names no trait as password identifier, so no password can be set"))
		return nil, flow.ErrInvalid
	}
	if reason := s.Policy.Check(ctx, password, cred.Identifiers); reason != "" {
		f.UI.AddNodeMessage("password", text.PasswordPolicy(reason))
		return nil, flow.ErrInvalid
	}
	// Every sign-up attempt that reaches the hash counts against the
	// client address: the hash is what a flood would spend.
	if err := s.reserveAddress(ctx, f, "registration"); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, []byte(password))
	if err != nil {
		return nil, err
	}
	cred.Config, _ = json.Marshal(identity.PasswordConfig{HashedPassword: hash})
	return draft, nil
}

// Resubmitted implements registration.Resubmitter: the identity with
// draft's id that owns draft's password identifier, when the submitted
// password is its password. Anyone else meets "exists already".
func (s *Strategy) Resubmitted(ctx context.Context, draft *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	cred := draft.Credentials[identity.CredentialPassword]
	if cred == nil {
		return nil, nil
	}
	prev, stored, err := s.Store.IdentityByIdentifier(ctx, identity.CredentialPassword, cred.Identifiers)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var cfg identity.PasswordConfig
	if prev.ID != draft.ID || json.Unmarshal(stored.Config, &cfg) != nil || cfg.HashedPassword == "" {
		return nil, nil
	}
	password, _ := sub.String("password")
	if err := s.Hasher.Compare(ctx, []byte(password), cfg.HashedPassword); err != nil {
		return nil, ctx.Err()
	}
	return prev, nil
}
