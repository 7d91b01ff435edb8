package oidc

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// CredentialConfig is the stored config of an oidc credential, in the
// reference's shape (the takeover import reads it as is). No provider
// token is kept: nothing here needs one.
type CredentialConfig struct {
	Providers []LinkedProvider `json:"providers"`
}

// LinkedProvider is one provider account linked to an identity.
type LinkedProvider struct {
	Subject  string `json:"subject"`
	Provider string `json:"provider"`
}

// Identifier is how a provider account is stored and looked up.
func Identifier(provider, subject string) string { return provider + ":" + subject }

// linkState is what settings needs to know about an identity's sign-in
// methods.
type linkState struct {
	cred    *identity.Credential // the oidc credential, nil when none
	config  CredentialConfig
	signIns int // ways to sign in: a password, and each linked account
}

func (l linkState) linked(provider string) bool {
	return slices.ContainsFunc(l.config.Providers, func(p LinkedProvider) bool { return p.Provider == provider })
}

func (s *Strategy) linkState(ctx context.Context, identityID uuid.UUID) (linkState, error) {
	creds, err := s.Store.Credentials(ctx, identityID)
	if err != nil {
		return linkState{}, err
	}
	var l linkState
	if pw := creds[identity.CredentialPassword]; pw != nil {
		var cfg identity.PasswordConfig
		if json.Unmarshal(pw.Config, &cfg) == nil && cfg.HashedPassword != "" {
			l.signIns++
		}
	}
	if c := creds[CredentialType]; c != nil {
		l.cred = c
		if err := json.Unmarshal(c.Config, &l.config); err != nil {
			return linkState{}, err
		}
		l.signIns += len(l.config.Providers)
	}
	return l, nil
}

// PopulateSettings adds a link button for every provider the identity has
// not linked and an unlink button for every linked one, but only when the
// identity could still sign in without it.
func (s *Strategy) PopulateSettings(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	f.UI.RemoveGroup(Method)
	if f.Type != flow.Browser {
		return nil
	}
	l, err := s.linkState(ctx, i.ID)
	if err != nil {
		return err
	}
	for _, p := range s.Providers {
		switch {
		case !l.linked(p.ID()):
			f.UI.Nodes = append(f.UI.Nodes, ui.Input(Method, "link", "submit", p.ID(), false, ui.Label(text.LabelLinkProvider(p.ID()))))
		case l.signIns >= 2:
			f.UI.Nodes = append(f.UI.Nodes, ui.Input(Method, "unlink", "submit", p.ID(), false, ui.Label(text.LabelUnlinkProvider(p.ID()))))
		}
	}
	return nil
}

// NeedsPrivilege: linking and unlinking change how the account signs in,
// so they need a recent sign-in, as a password change does.
func (s *Strategy) NeedsPrivilege(*identity.Identity, flow.Submission) bool { return true }

var (
	errCannotLink   = text.Generic("can not link unknown or already existing OpenID Connect connection")
	errCannotUnlink = text.Generic("can not unlink non-existing OpenID Connect connection, or the last way to sign in")
)

// Settings links (via the provider) or unlinks a provider account.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	link, _ := sub.String("link")
	unlink, _ := sub.String("unlink")
	if (link == "") == (unlink == "") {
		f.UI.AddMessage(errCannotLink)
		return nil, flow.ErrInvalid
	}
	if f.Type != flow.Browser {
		f.UI.AddMessage(errAPIFlow)
		return nil, flow.ErrInvalid
	}
	l, err := s.linkState(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	if link != "" {
		if s.provider(link) == nil || l.linked(link) {
			f.UI.AddMessage(errCannotLink)
			return nil, flow.ErrInvalid
		}
		return nil, s.start(ctx, f, link, nil)
	}
	if !l.linked(unlink) || l.signIns < 2 {
		f.UI.AddMessage(errCannotUnlink)
		return nil, flow.ErrInvalid
	}
	l.config.Providers = slices.DeleteFunc(l.config.Providers, func(p LinkedProvider) bool { return p.Provider == unlink })
	if err := s.writeLinks(ctx, i.ID, l); err != nil {
		return nil, err
	}
	return i, nil
}

// writeLinks stores the linked accounts, or removes the credential when
// none is left.
func (s *Strategy) writeLinks(ctx context.Context, identityID uuid.UUID, l linkState) error {
	if len(l.config.Providers) == 0 {
		return s.Store.DeleteCredential(ctx, identityID, CredentialType)
	}
	cfg, err := json.Marshal(l.config)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	c := &identity.Credential{ID: uuid.New(), Type: CredentialType, Config: cfg, CreatedAt: now, UpdatedAt: now}
	if l.cred != nil {
		c.ID, c.CreatedAt = l.cred.ID, l.cred.CreatedAt
	}
	for _, p := range l.config.Providers {
		c.Identifiers = append(c.Identifiers, Identifier(p.Provider, p.Subject))
	}
	return s.Store.SetCredential(ctx, identityID, c)
}
