package webauthn

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/flow/registration"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// PopulateRegistration offers sign-up with a passkey (passwordless only,
// browser flows only): the traits, and a trigger whose key is made for the
// id the flow's identity will have.
func (s *Strategy) PopulateRegistration(f *flow.Flow) {
	if s.Passwordless && f.Type == flow.Browser {
		s.offerSignUp(f, registration.IdentityID(f.ID), nil)
	}
}

func (s *Strategy) offerSignUp(f *flow.Flow, id uuid.UUID, traits map[string]any) {
	f.UI.RemoveGroup(Method)
	sch := s.Schemas.Default()
	var first, rest []ui.Node
	for _, field := range sch.Fields() {
		v, _ := schema.TraitValue(traits, field.Name)
		n := ui.TraitNode(Method, field, v)
		if sch.IsIdentifierField(field.Name) {
			first = append(first, n)
		} else {
			rest = append(rest, n)
		}
	}
	f.UI.Nodes = append(append(f.UI.Nodes, first...), rest...)
	if err := s.offerRegistration(f, &user{handle: id[:]}, text.LabelWebAuthnSignUp()); err != nil {
		s.Log.Error("webauthn: sign-up options", "error", err.Error())
	}
}

// Register checks the new passkey and returns the identity to create, with
// the id the key was made for. It stores nothing.
func (s *Strategy) Register(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	if f.Type != flow.Browser || !s.Passwordless {
		f.UI.AddMessage(errAPIFlow)
		return nil, flow.ErrInvalid
	}
	c, ok, err := take(f)
	if err != nil {
		return nil, err
	}
	sch := s.Schemas.Default()
	traits, tok := sch.ParseTraits(sub.Values["traits"], sub.Form)
	id := registration.IdentityID(f.ID)
	// Whatever happens next, the flow offers a fresh challenge.
	s.offerSignUp(f, id, traits)
	raw, _ := sub.String("webauthn_register")
	switch {
	case !tok:
		f.UI.AddMessage(text.Generic("traits must be an object"))
		return nil, flow.ErrInvalid
	case !ok || raw == "":
		f.UI.AddMessage(text.WebAuthnInvalid())
		return nil, flow.ErrInvalid
	}
	traitsJSON, err := json.Marshal(traits)
	if err != nil {
		return nil, err
	}
	draft, err := s.Identities.Prepare(identity.Draft{SchemaID: sch.ID, Traits: traitsJSON, AddressStatus: s.NewAddressStatus})
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			m := text.SchemaViolation(p.Message)
			if p.Kind == schema.ProblemRequired {
				m = text.Required(p.Property)
			}
			s.nodeMessage(f, p.Field, m)
		}
		return nil, flow.ErrInvalid
	} else if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(raw))
	if err != nil {
		return nil, s.refuse(ctx, f, "sign-up response", err)
	}
	cred, err := s.RP.CreateCredential(&user{handle: id[:]}, c.Session, parsed)
	if err != nil {
		return nil, s.refuse(ctx, f, "sign-up", err)
	}
	draft.ID = id // as the handler sets it too
	ids, err := s.identifiers(draft)
	if errors.Is(err, errNoIdentifier) {
		f.UI.AddMessage(text.WebAuthnIdentifierMissing())
		return nil, flow.ErrInvalid
	} else if err != nil {
		return nil, err
	}
	cfg, _ := json.Marshal(Config{
		Credentials: []Key{newKey(cred, "Passkey", s.Clock.Now(), true)},
		UserHandle:  id[:],
	})
	now := s.Clock.Now()
	if draft.Credentials == nil {
		draft.Credentials = map[identity.CredentialType]*identity.Credential{}
	}
	draft.Credentials[CredentialType] = &identity.Credential{ID: uuid.New(), Type: CredentialType, Identifiers: ids, Config: cfg, CreatedAt: now, UpdatedAt: now}
	return draft, nil
}

// nodeMessage puts m on this group's node of a field, or on the form.
func (s *Strategy) nodeMessage(f *flow.Flow, field string, m text.Message) {
	for k := range f.UI.Nodes {
		if n := &f.UI.Nodes[k]; n.Group == Method && n.Attributes.Name == field {
			n.Messages = append(n.Messages, m)
			return
		}
	}
	f.UI.AddMessage(m)
}
