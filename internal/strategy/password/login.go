package password

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/hasher"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// maxIdentifierBytes matches the storage column; longer input cannot match.
const maxIdentifierBytes = 255

// PopulateLogin adds the identifier and password inputs.
func (s *Strategy) PopulateLogin(f *flow.Flow) {
	f.UI.Nodes = append(f.UI.Nodes,
		// As in the reference: in the password group, always with a value.
		ui.Input(ui.GroupPassword, "password_identifier", "text", "", true, ui.Label(s.identifierLabel())),
		ui.Input(ui.GroupPassword, "password", "password", nil, true, ui.Label(text.LabelPassword())),
		ui.Submit(ui.GroupPassword, Method, text.LabelSignIn()),
	)
}

// PrefillRefresh puts the signed-in identity's first password identifier
// (in its stored, canonical form) into the identifier input.
func (s *Strategy) PrefillRefresh(f *flow.Flow, i *identity.Identity) {
	sch, ok := s.Schemas.Schema(i.SchemaID)
	if !ok {
		return
	}
	if ext, err := sch.Extract(i.Traits); err == nil && len(ext.PasswordIdentifiers) > 0 {
		f.UI.SetValue("password_identifier", ext.PasswordIdentifiers[0])
	}
}

// identifierLabel names the identifier input after the default schema's
// identifier trait ("Email address"); the id stays the reference's.
func (s *Strategy) identifierLabel() text.Message {
	l := text.LabelID()
	sch := s.Schemas.Default()
	for _, f := range sch.Fields() {
		if sch.IsIdentifierField(f.Name) && f.Title != "" {
			l.Text = f.Title
			break
		}
	}
	return l
}

// Login checks an identifier and password and returns the identity they
// belong to. A wrong password and an unknown identifier get the same
// message, and cost one hash comparison each.
func (s *Strategy) Login(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	identifier, _ := sub.String("password_identifier")
	if identifier == "" {
		identifier, _ = sub.String("identifier")
	}
	password, _ := sub.String("password")
	f.UI.SetValue("password_identifier", identifier)
	if identifier == "" {
		f.UI.AddNodeMessage("password_identifier", text.Required("password_identifier"))
	}
	if password == "" {
		f.UI.AddNodeMessage("password", text.Required("password"))
	}
	if identifier == "" || password == "" {
		return nil, flow.ErrInvalid
	}
	if len(identifier) > maxIdentifierBytes || len(password) > MaxBytes {
		f.UI.AddMessage(text.InvalidCredentials())
		return nil, flow.ErrInvalid
	}
	candidates := identifierCandidates(identifier)
	// The attempt is counted before the hash, so parallel guesses cannot
	// all pass a check that is only written after it.
	res, err := s.reserveLogin(ctx, f, candidates[len(candidates)-1])
	if err != nil {
		return nil, err
	}
	i, cred, err := s.Store.IdentityByIdentifier(ctx, identity.CredentialPassword, candidates)
	hash := s.decoy
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		var cfg identity.PasswordConfig
		if json.Unmarshal(cred.Config, &cfg) == nil && cfg.HashedPassword != "" {
			hash = cfg.HashedPassword
		}
	}
	err = s.Hasher.Compare(ctx, []byte(password), hash)
	if err != nil && !errors.Is(err, hasher.ErrMismatch) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.Log.ErrorContext(ctx, "stored password hash cannot be read", "error", err.Error())
	}
	if err != nil || hash == s.decoy {
		f.UI.AddMessage(text.InvalidCredentials())
		return nil, flow.ErrInvalid
	}
	// Given back in the transaction that signs the identity in.
	if err := flow.Defer(ctx, res.Succeeded); err != nil {
		return nil, err
	}
	s.planRehash(ctx, i, cred, hash, password)
	return i, nil
}

// planRehash prepares the replacement of a hash weaker than the configured
// hasher (an imported one, or one made at a lower cost): the session issued
// next stores it in its transaction. A failure here only keeps the old hash,
// which still verifies, so the user never notices.
func (s *Strategy) planRehash(ctx context.Context, i *identity.Identity, cred *identity.Credential, hash, password string) {
	if !s.Hasher.NeedsRehash(hash) {
		return
	}
	fresh, err := s.Hasher.Hash(ctx, []byte(password))
	if err != nil {
		s.Log.WarnContext(ctx, "could not rehash a password at sign-in; the old hash stays", "error", err.Error())
		return
	}
	cfg, err := json.Marshal(identity.PasswordConfig{HashedPassword: fresh})
	if err != nil {
		return
	}
	i.Rehash = &identity.Rehash{Type: identity.CredentialPassword, Old: cred.Config, New: cfg}
}

// identifierCandidates are the stored forms a typed identifier may have: as
// typed (canonicalised), and case-folded when it looks like an email.
func identifierCandidates(typed string) []string {
	plain := schema.Canonical(typed, false)
	folded := schema.Canonical(typed, true)
	if folded == plain {
		return []string{plain}
	}
	return []string{plain, folded}
}
