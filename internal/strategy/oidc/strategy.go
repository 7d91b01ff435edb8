package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/token"
	"github.com/latchkey/latchkey/internal/ui"
)

// Method names the strategy and its node group.
const Method = "oidc"

// CredentialType is the credential social sign-in stores, as the reference
// names it.
const CredentialType identity.CredentialType = "oidc"

// Store is what the strategy needs from storage.
type Store interface {
	StateStore
	// IdentityByIdentifier finds the identity owning one of the
	// identifiers of a credential type; store.ErrNotFound if none.
	IdentityByIdentifier(ctx context.Context, ctype identity.CredentialType, identifiers []string) (*identity.Identity, *identity.Credential, error)
	// Credentials loads every credential of an identity, by type.
	Credentials(ctx context.Context, identityID uuid.UUID) (map[identity.CredentialType]*identity.Credential, error)
	// SetCredential writes a credential with its identifiers, replacing
	// the identity's credential of that type; store.ErrConflict when an
	// identifier belongs to another identity.
	SetCredential(ctx context.Context, identityID uuid.UUID, c *identity.Credential) error
	// DeleteCredential removes the identity's credential of a type.
	DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) error
}

// Strategy is social sign-in for the login, registration and settings
// flows. The flow handlers are set after they are built (they hold the
// strategy too): the callback hands each flow back to its own handler.
type Strategy struct {
	Providers  []*Provider
	Store      Store
	Tokens     *token.Hasher
	Identities *identity.Manager
	Schemas    *schema.Registry
	Kit        *flow.Kit
	Sessions   *session.Manager
	// PublicBase is serve.public.base_url: the only source of redirect URIs.
	PublicBase string
	// SecureCookies marks the continuity cookie Secure (outside dev mode).
	SecureCookies bool
	// NewAddressStatus is the status of addresses a registration creates.
	NewAddressStatus string
	Log              *slog.Logger

	LoginHandler        LoginFlow
	RegistrationHandler RegistrationFlow
	SettingsHandler     SettingsFlow
}

// LoginFlow is what the callback needs of the login flow's handler.
type LoginFlow interface {
	Submit() flow.Submit
	NewBrowserFlow(w http.ResponseWriter, r *http.Request) (*flow.Flow, error)
	// Complete signs the identity in on the flow and answers.
	Complete(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity, method string) error
}

// RegistrationFlow is what the callback needs of the registration flow's
// handler.
type RegistrationFlow interface {
	Submit() flow.Submit
	NewBrowserFlow(w http.ResponseWriter, r *http.Request) (*flow.Flow, error)
	// Complete creates the identity (flow.ErrInvalid with 4000007 when an
	// identifier is taken), runs the hooks and answers.
	Complete(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity, method string) error
}

// SettingsFlow is what the callback needs of the settings flow's handler.
type SettingsFlow interface {
	SubmitFor(i *identity.Identity) flow.Submit
	// Complete shows the flow with the change saved.
	Complete(w http.ResponseWriter, r *http.Request, s *session.Session, f *flow.Flow, updated *identity.Identity, method string) error
}

// ID names the strategy.
func (s *Strategy) ID() string { return Method }

// now is the flows' clock, so a round trip and its flow age together.
func (s *Strategy) now() time.Time { return s.Kit.Clock.Now() }

func (s *Strategy) provider(id string) *Provider {
	for _, p := range s.Providers {
		if p.ID() == id {
			return p
		}
	}
	return nil
}

// RedirectURL is the callback the provider sends the browser back to.
func (s *Strategy) RedirectURL(p *Provider) string {
	return s.PublicBase + "self-service/methods/oidc/callback/" + url.PathEscape(p.ID())
}

// providerButtons are one submit node per provider, in configuration order.
func (s *Strategy) providerButtons(label func(string) text.Message) []ui.Node {
	nodes := make([]ui.Node, 0, len(s.Providers))
	for _, p := range s.Providers {
		nodes = append(nodes, ui.Input(Method, "provider", "submit", p.ID(), false, ui.Label(label(p.Label()))))
	}
	return nodes
}

// PopulateLogin adds the provider buttons to browser flows, right after
// the anti-CSRF input, as the reference orders them.
func (s *Strategy) PopulateLogin(f *flow.Flow) {
	if f.Type == flow.Browser {
		insertAfterCSRF(f, s.providerButtons(text.LabelSignInWith))
	}
}

// PopulateRegistration adds the provider buttons to browser flows.
func (s *Strategy) PopulateRegistration(f *flow.Flow) {
	if f.Type == flow.Browser {
		insertAfterCSRF(f, s.providerButtons(text.LabelSignUpWith))
	}
}

func insertAfterCSRF(f *flow.Flow, nodes []ui.Node) {
	at := 0
	for k, n := range f.UI.Nodes {
		if n.Attributes.Name == "csrf_token" {
			at = k + 1
		}
	}
	f.UI.Nodes = append(f.UI.Nodes[:at], append(nodes, f.UI.Nodes[at:]...)...)
}

var errAPIFlow = text.Generic("Social sign in is only supported for flows initiated using the Browser endpoint.")

func errUnknownProvider(id string) error {
	return httpx.ErrNotFound.WithReason("OpenID Connect provider %q is unknown or has not been configured.", id)
}

// Login sends the browser to the provider the submission names.
func (s *Strategy) Login(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	id, _ := sub.String("provider")
	if id == "" {
		// method=oidc in JSON: the provider is read from forms only.
		f.UI.AddMessage(text.LoginNoStrategy())
		return nil, flow.ErrInvalid
	}
	return nil, s.start(ctx, f, id, nil)
}

// Register sends the browser to the provider; traits typed into the form
// travel along and win over the mapped ones.
func (s *Strategy) Register(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error) {
	id, _ := sub.String("provider")
	if id == "" {
		f.UI.AddMessage(text.RegistrationNoStrategy())
		return nil, flow.ErrInvalid
	}
	var traits json.RawMessage
	if raw, ok := sub.Values["traits"].(map[string]any); ok {
		sch := s.Schemas.Default()
		if t, ok := sch.ParseTraits(raw, sub.Form); ok {
			traits, _ = json.Marshal(t)
		}
	}
	return nil, s.start(ctx, f, id, traits)
}

// start stores a round trip for the flow and answers with the redirect to
// the provider.
func (s *Strategy) start(ctx context.Context, f *flow.Flow, providerID string, traits json.RawMessage) error {
	if f.Type != flow.Browser {
		f.UI.AddMessage(errAPIFlow)
		return flow.ErrInvalid
	}
	p := s.provider(providerID)
	if p == nil {
		return errUnknownProvider(providerID)
	}
	a := Auth{}
	if f.Kind == flow.Login && f.Forced {
		a.Prompt = "login"
	}
	a, browser, err := s.newAuth(a)
	if err != nil {
		return err
	}
	to, err := p.AuthCodeURL(ctx, s.RedirectURL(p), a)
	if err != nil {
		s.Log.WarnContext(ctx, "oidc provider unavailable", "provider", p.ID(), "error", err.Error())
		f.UI.AddMessage(text.Generic("The sign-in provider " + p.Label() + " could not be reached. Try again in a moment."))
		return flow.ErrInvalid
	}
	cookie, err := s.store(ctx, f, p.ID(), a, browser, traits)
	if err != nil {
		return err
	}
	return &flow.Redirect{URL: to, Cookies: []*http.Cookie{cookie}}
}
