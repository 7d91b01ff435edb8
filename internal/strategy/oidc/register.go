package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// register creates the identity a provider account maps to. Traits the
// user typed (the completion form) win over the mapped ones. Traits that
// fail the schema show the flow again as a completion form; an identifier
// that belongs to another identity gets 4000007 and links nothing.
func (s *Strategy) register(w http.ResponseWriter, r *http.Request, f *flow.Flow, p *Provider, claims Claims, typed json.RawMessage) error {
	traits, err := p.Mapper().Traits(claims)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "oidc mapper failed", "provider", p.ID(), "error", err.Error())
		f.UI.AddMessage(text.Generic("The account data from " + p.Label() + " could not be read. Ask the site's administrator to check the provider's mapper."))
		return flow.ErrInvalid
	}
	if len(typed) > 0 {
		var form map[string]any
		if json.Unmarshal(typed, &form) == nil {
			merge(traits, form)
		}
	}
	sch := s.Schemas.Default()
	raw, err := json.Marshal(traits)
	if err != nil {
		return err
	}
	i, err := s.Identities.Prepare(identity.Draft{SchemaID: sch.ID, Traits: raw, AddressStatus: s.NewAddressStatus})
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		s.completionForm(f, sch, traits)
		f.UI.AddSchemaProblems(ve)
		return flow.ErrInvalid
	}
	if err != nil {
		return err
	}
	cfg, _ := json.Marshal(CredentialConfig{Providers: []LinkedProvider{{Subject: claims.Subject(), Provider: p.ID()}}})
	if i.Credentials == nil {
		i.Credentials = map[identity.CredentialType]*identity.Credential{}
	}
	i.Credentials[CredentialType] = &identity.Credential{
		ID: uuid.New(), Type: CredentialType, Identifiers: []string{Identifier(p.ID(), claims.Subject())}, Config: cfg,
		CreatedAt: i.CreatedAt, UpdatedAt: i.CreatedAt,
	}
	if p.TrustEmailVerified() && claims.EmailVerified() {
		markVerified(i, claims.Email())
	}
	err = s.RegistrationHandler.Complete(w, r, f, i, Method)
	if errors.Is(err, flow.ErrInvalid) {
		// An identifier that is taken (4000007): the form shows what was
		// mapped, as the reference does, so the user sees which address
		// collided; nothing is linked.
		s.completionForm(f, sch, traits)
	}
	return err
}

// completionForm turns a registration flow into the form that asks for
// what the provider did not supply: the traits, filled with the mapped
// values, and the provider buttons to submit them with.
func (s *Strategy) completionForm(f *flow.Flow, sch *schema.Schema, traits map[string]any) {
	nodes := []ui.Node{ui.CSRFNode(f.CSRFToken)}
	for _, field := range sch.Fields() {
		v, _ := schema.TraitValue(traits, field.Name)
		nodes = append(nodes, ui.TraitNode(Method, field, v))
	}
	f.UI.Nodes = append(nodes, s.providerButtons(text.LabelSignUpWith)...)
}

// markVerified trusts the provider's email_verified for the address it
// names (the per-provider opt-in trust_email_verified).
func markVerified(i *identity.Identity, email string) {
	for k, a := range i.VerifiableAddresses {
		if a.Via == "email" && strings.EqualFold(a.Value, email) {
			at := i.CreatedAt
			i.VerifiableAddresses[k].Verified, i.VerifiableAddresses[k].Status, i.VerifiableAddresses[k].VerifiedAt = true, identity.StatusCompleted, &at
		}
	}
}

// merge copies non-empty values of src over dst, object by object.
func merge(dst, src map[string]any) {
	for k, v := range src {
		switch x := v.(type) {
		case map[string]any:
			d, ok := dst[k].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[k] = d
			}
			merge(d, x)
		case string:
			if x != "" {
				dst[k] = x
			}
		case nil:
		default:
			dst[k] = v
		}
	}
}
