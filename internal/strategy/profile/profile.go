// Package profile lets a signed-in user change their traits in the settings
// flow. Changing a password identifier needs a recent sign-in; changing a
// verifiable address resets its verification.
package profile

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// Method is the value of "method" that selects this strategy.
const Method = "profile"

// Strategy is the profile method.
type Strategy struct {
	Identities *identity.Manager
	Schemas    *schema.Registry
	// NewAddressStatus is the status of a changed verifiable address:
	// "sent" when a verification mail goes out, "pending" otherwise.
	NewAddressStatus string
}

// ID names the strategy.
func (s *Strategy) ID() string { return Method }

func (s *Strategy) schemaOf(i *identity.Identity) *schema.Schema {
	if sch, ok := s.Schemas.Schema(i.SchemaID); ok {
		return sch
	}
	return s.Schemas.Default()
}

// PopulateSettings adds the trait inputs, filled with the current values.
func (s *Strategy) PopulateSettings(_ context.Context, f *flow.Flow, i *identity.Identity) error {
	sch := s.schemaOf(i)
	var traits map[string]any
	_ = json.Unmarshal(i.Traits, &traits)
	for _, field := range sch.Fields() {
		v, _ := schema.TraitValue(traits, field.Name)
		f.UI.Nodes = append(f.UI.Nodes, ui.TraitNode(ui.GroupProfile, field, v))
	}
	f.UI.Nodes = append(f.UI.Nodes, ui.Submit(ui.GroupProfile, Method, text.LabelSave()))
	return nil
}

// NeedsPrivilege reports whether the submitted traits change a password
// identifier, which only a recently signed-in user may do.
func (s *Strategy) NeedsPrivilege(i *identity.Identity, sub flow.Submission) bool {
	sch := s.schemaOf(i)
	traits, ok := sch.ParseTraits(sub.Values["traits"], sub.Form)
	if !ok {
		return false
	}
	next, err := json.Marshal(traits)
	if err != nil {
		return false
	}
	before, err1 := sch.Extract(i.Traits)
	after, err2 := sch.Extract(next)
	if err1 != nil || err2 != nil {
		return true
	}
	a, b := slices.Clone(before.PasswordIdentifiers), slices.Clone(after.PasswordIdentifiers)
	slices.Sort(a)
	slices.Sort(b)
	return !slices.Equal(a, b)
}

// Settings replaces the identity's traits with the submitted ones.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	sch := s.schemaOf(i)
	traits, ok := sch.ParseTraits(sub.Values["traits"], sub.Form)
	if !ok {
		f.UI.AddMessage(text.Generic("traits must be an object"))
		return nil, flow.ErrInvalid
	}
	f.UI.SetTraitValues(sch.Fields(), traits)
	raw, err := json.Marshal(traits)
	if err != nil {
		return nil, err
	}
	updated, err := s.Identities.Update(ctx, i, "", raw, s.NewAddressStatus)
	var ve *schema.ValidationError
	switch {
	case errors.As(err, &ve):
		f.UI.AddSchemaProblems(ve)
		return nil, flow.ErrInvalid
	case errors.Is(err, store.ErrConflict):
		f.UI.AddMessage(text.DuplicateCredentials())
		return nil, flow.ErrInvalid
	case err != nil:
		return nil, err
	}
	return updated, nil
}
