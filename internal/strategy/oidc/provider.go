package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/internal/config"
)

// Auth is what one round trip to a provider is bound to.
type Auth struct {
	State    string
	Verifier string // PKCE code verifier
	Nonce    string // OpenID Connect nonce; OAuth2-only providers ignore it
	Prompt   string // "login" for refresh logins
}

// Errors a provider round trip ends with. Each is shown to the user on the
// flow, never as a 500: the provider, not Latchkey, failed.
var (
	// ErrUnreachable: discovery or the provider's API could not be read.
	ErrUnreachable = errors.New("the provider could not be reached")
	// ErrExchange: the provider refused the authorization code (unknown,
	// used, expired, or issued to another client).
	ErrExchange = errors.New("the provider refused the authorization code")
	// ErrIDToken: the ID token is missing or failed verification
	// (signature, issuer, audience, expiry, nonce).
	ErrIDToken = errors.New("the provider's ID token is not valid")
)

// Provider is one configured provider.
type Provider struct {
	cfg    config.OIDCProvider
	mapper *Mapper
	client *http.Client

	// OpenID Connect providers: found by discovery at issuer.
	issuer    string
	anyTenant bool // microsoft common/organizations/consumers: the issuer names the user's tenant

	mu         sync.Mutex
	discovered *gooidc.Provider
	at         time.Time

	// OAuth2-only providers: fixed endpoints and a user API.
	endpoint oauth2.Endpoint
	user     userAPI
}

// userAPI reads the claims of an OAuth2-only provider's user.
type userAPI func(ctx context.Context, p *Provider, tok *oauth2.Token) (map[string]any, error)

// discoveryTTL bounds how long a discovery document is trusted: providers
// may be down when Latchkey starts, and they move endpoints rarely.
const discoveryTTL = time.Hour

// NewProvider builds a provider from its (validated) configuration. The
// provider need not be reachable yet: discovery happens on first use.
func NewProvider(cfg config.OIDCProvider, mapper *Mapper, client *http.Client) (*Provider, error) {
	p := &Provider{cfg: cfg, mapper: mapper, client: client}
	switch cfg.Provider {
	case "generic":
		p.issuer = cfg.IssuerURL
	case "google":
		p.issuer = "https://accounts.google.com"
	case "gitlab":
		p.issuer = "https://gitlab.com"
	case "microsoft":
		p.issuer = "https://login.microsoftonline.com/" + cfg.Tenant + "/v2.0"
		switch cfg.Tenant {
		case "common", "organizations", "consumers":
			p.anyTenant = true
		}
	case "github":
		p.endpoint, p.user = githubEndpoint, githubUser
	case "discord":
		p.endpoint, p.user = discordEndpoint, discordUser
	case "slack":
		p.endpoint, p.user = slackEndpoint, slackUser
	case "facebook":
		p.endpoint, p.user = facebookEndpoint, facebookUser
	default:
		return nil, fmt.Errorf("provider %q: unknown provider type %q", cfg.ID, cfg.Provider)
	}
	if p.issuer != "" && cfg.IssuerURL != "" {
		p.issuer = cfg.IssuerURL // self-hosted GitLab, a sovereign cloud
	}
	if p.user != nil {
		if cfg.AuthURL != "" {
			p.endpoint.AuthURL = cfg.AuthURL
		}
		if cfg.TokenURL != "" {
			p.endpoint.TokenURL = cfg.TokenURL
		}
	}
	return p, nil
}

// ID is the provider's configured id.
func (p *Provider) ID() string { return p.cfg.ID }

// Label is what buttons say: the configured label, else the id.
func (p *Provider) Label() string {
	if p.cfg.Label != "" {
		return p.cfg.Label
	}
	return p.cfg.ID
}

// TrustEmailVerified reports whether the provider's email_verified is
// taken as proof here.
func (p *Provider) TrustEmailVerified() bool { return p.cfg.TrustEmailVerified }

// Mapper turns the provider's claims into traits.
func (p *Provider) Mapper() *Mapper { return p.mapper }

func (p *Provider) ctx(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, p.client)
	return gooidc.ClientContext(ctx, p.client)
}

// oidcProvider returns the discovered provider, discovering it when the
// cached document is missing or old.
func (p *Provider) oidcProvider(ctx context.Context) (*gooidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.discovered != nil && time.Since(p.at) < discoveryTTL {
		return p.discovered, nil
	}
	ctx = p.ctx(context.WithoutCancel(ctx)) // the key set keeps this context for later fetches
	if p.anyTenant {
		// The document names "{tenantid}" in its issuer; the ID token's
		// issuer is checked against its tid claim instead.
		ctx = gooidc.InsecureIssuerURLContext(ctx, p.issuer)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := gooidc.NewProvider(dctx, p.issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %v", ErrUnreachable, p.issuer, err)
	}
	p.discovered, p.at = d, time.Now()
	return d, nil
}

func (p *Provider) oauth2Config(ctx context.Context, redirectURL string) (*oauth2.Config, error) {
	c := &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: redirectURL, Scopes: p.cfg.Scope}
	if p.user != nil {
		c.Endpoint = p.endpoint
		return c, nil
	}
	d, err := p.oidcProvider(ctx)
	if err != nil {
		return nil, err
	}
	c.Endpoint = d.Endpoint()
	c.Endpoint.AuthStyle = oauth2.AuthStyleInHeader // HTTP Basic, as the reference authenticates
	hasOpenID := false
	for _, s := range c.Scopes {
		hasOpenID = hasOpenID || s == gooidc.ScopeOpenID
	}
	if !hasOpenID {
		c.Scopes = append(append([]string{}, c.Scopes...), gooidc.ScopeOpenID)
	}
	return c, nil
}

// AuthCodeURL is where the browser is sent to sign in at the provider.
func (p *Provider) AuthCodeURL(ctx context.Context, redirectURL string, a Auth) (string, error) {
	c, err := p.oauth2Config(ctx, redirectURL)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(a.Verifier)}
	if p.user == nil {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", a.Nonce))
	}
	if a.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", a.Prompt))
	}
	if len(p.cfg.RequestedClaims) > 0 {
		claims, err := json.Marshal(p.cfg.RequestedClaims)
		if err != nil {
			return "", fmt.Errorf("provider %q: requested_claims: %w", p.cfg.ID, err)
		}
		opts = append(opts, oauth2.SetAuthURLParam("claims", string(claims)))
	}
	return c.AuthCodeURL(a.State, opts...), nil
}

// Claims exchanges the authorization code and returns what the provider
// says about the user: the verified ID token's claims, or the user API's
// answer for OAuth2-only providers. The tokens are dropped here.
func (p *Provider) Claims(ctx context.Context, redirectURL, code string, a Auth) (Claims, error) {
	c, err := p.oauth2Config(ctx, redirectURL)
	if err != nil {
		return nil, err
	}
	xctx, cancel := context.WithTimeout(p.ctx(ctx), 15*time.Second)
	defer cancel()
	tok, err := c.Exchange(xctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrExchange, exchangeReason(err))
	}
	var raw map[string]any
	if p.user != nil {
		raw, err = p.user(xctx, p, tok)
		if err != nil {
			return nil, err
		}
	} else if raw, err = p.verify(xctx, tok, a.Nonce); err != nil {
		return nil, err
	}
	claims := filter(raw)
	if claims.Subject() == "" {
		return nil, fmt.Errorf("%w: it names no subject", ErrIDToken)
	}
	return claims, nil
}

// verify checks the ID token: signature, issuer, audience and expiry by
// go-oidc, then the nonce bound to this browser's round trip.
func (p *Provider) verify(ctx context.Context, tok *oauth2.Token, nonce string) (map[string]any, error) {
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, fmt.Errorf("%w: the token answer carries no id_token", ErrIDToken)
	}
	d, err := p.oidcProvider(ctx)
	if err != nil {
		return nil, err
	}
	v := d.Verifier(&gooidc.Config{ClientID: p.cfg.ClientID, SkipIssuerCheck: p.anyTenant})
	idt, err := v.Verify(ctx, rawID)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("%w: the nonce does not match this sign-in", ErrIDToken)
	}
	var raw map[string]any
	if err := idt.Claims(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if p.anyTenant {
		tid, _ := raw["tid"].(string)
		if tid == "" || idt.Issuer != "https://login.microsoftonline.com/"+tid+"/v2.0" {
			return nil, fmt.Errorf("%w: issuer %q does not match its tenant", ErrIDToken, idt.Issuer)
		}
	}
	return raw, nil
}

// exchangeReason is the provider's OAuth2 error code and description, and
// never the request (which carries the code and the client secret).
func exchangeReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return strings.TrimSpace(re.ErrorCode + " " + re.ErrorDescription)
		}
		return re.Response.Status
	}
	return "the token endpoint could not be reached"
}
