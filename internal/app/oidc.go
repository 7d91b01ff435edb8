package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/strategy/oidc"
)

// oidcStrategy builds social sign-in from selfservice.methods.oidc. Each
// provider's mapper is read and parsed now, so a broken one stops the
// server at start naming the provider; providers themselves are reached
// on first use.
func (a *App) oidcStrategy(ctx context.Context, kit *flow.Kit, addressStatus string) (*oidc.Strategy, error) {
	cfg := a.Config
	client := a.OIDCClient
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	s := &oidc.Strategy{
		Store: a.Store, Tokens: a.Tokens, Identities: a.Identities, Schemas: a.Schemas, Kit: kit, Sessions: a.Sessions,
		PublicBase: cfg.Serve.Public.BaseURL, SecureCookies: !cfg.Dev, NewAddressStatus: addressStatus, Log: a.Log,
	}
	for i, pc := range cfg.SelfService.Methods.OIDC.Config.Providers {
		key := fmt.Sprintf("selfservice.methods.oidc.config.providers[%d]", i)
		m, err := oidc.LoadMapper(ctx, pc.MapperURL)
		if err != nil {
			return nil, fmt.Errorf("%s.mapper_url (provider %q): %w", key, pc.ID, err)
		}
		p, err := oidc.NewProvider(pc, m, client)
		if err != nil {
			return nil, fmt.Errorf("%s (provider %q): %w", key, pc.ID, err)
		}
		s.Providers = append(s.Providers, p)
	}
	return s, nil
}
