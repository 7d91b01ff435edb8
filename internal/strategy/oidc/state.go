package oidc

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/token"
)

// State is one pending round trip to a provider, stored when the browser
// is sent there and taken (deleted) by the callback.
type State struct {
	ID        string    // keyed hash of the state parameter
	FlowID    uuid.UUID // the flow that started it
	FlowKind  flow.Kind
	Browser   string // keyed hash of the continuity cookie
	Provider  string
	Verifier  string          // PKCE code verifier
	Nonce     string          // the ID token must carry it
	Traits    json.RawMessage // traits typed into the form, kept through the round trip
	ExpiresAt time.Time
	CreatedAt time.Time
}

// StateStore keeps pending round trips.
type StateStore interface {
	CreateOIDCState(ctx context.Context, s *State) error
	// TakeOIDCState deletes and returns the state stored under one of the
	// ids; store.ErrNotFound when there is none (unknown, or taken already).
	TakeOIDCState(ctx context.Context, ids []string) (*State, error)
}

// ContinuityCookie binds a round trip to the browser that started it; the
// reference's name.
const ContinuityCookie = "ory_kratos_continuity"

// stateLifetime is how long a user may take at the provider, as in the
// reference.
const stateLifetime = 30 * time.Minute

const (
	purposeState   = "oidc-state"
	purposeBrowser = "oidc-browser"
)

// Errors of a callback that cannot be matched to a round trip. All are
// 400s shown on the error page: nobody is signed in.
var (
	errNoState   = httpx.ErrBadRequest.WithReason("The OpenID Connect callback carries no state parameter. Start signing in again.")
	errNoRecord  = httpx.ErrBadRequest.WithReason("No resumable session could be found: this sign-in was already completed, expired, or was started in another browser. Start signing in again.")
	errWrongFlow = httpx.ErrBadRequest.WithReason("The OpenID Connect callback does not belong to this provider. Start signing in again.")
	// errRoundTripExpired: this browser's own round trip, but the user
	// stayed at the provider too long. Its flow is replaced, as an
	// expired flow is, rather than an error shown.
	errRoundTripExpired = errors.New("oidc: the round trip to the provider expired")
)

// newAuth fills the random values of a round trip: state, PKCE verifier,
// nonce, and the continuity cookie's value.
func (s *Strategy) newAuth(a Auth) (Auth, string, error) {
	a.State, a.Verifier, a.Nonce = token.New(), oauth2.GenerateVerifier(), token.New()
	return a, token.New(), nil
}

// store keeps a round trip for flow f and returns the continuity cookie
// that binds it to this browser.
func (s *Strategy) store(ctx context.Context, f *flow.Flow, provider string, a Auth, browser string, traits json.RawMessage) (*http.Cookie, error) {
	if traits == nil {
		traits = json.RawMessage("{}")
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	st := &State{
		ID: s.Tokens.Hash(purposeState, a.State), FlowID: f.ID, FlowKind: f.Kind, Browser: s.Tokens.Hash(purposeBrowser, browser),
		Provider: provider, Verifier: a.Verifier, Nonce: a.Nonce, Traits: traits,
		ExpiresAt: now.Add(stateLifetime), CreatedAt: now,
	}
	if err := s.Store.CreateOIDCState(ctx, st); err != nil {
		return nil, err
	}
	return &http.Cookie{
		Name: ContinuityCookie, Value: browser, Path: "/", MaxAge: int(stateLifetime.Seconds()),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode,
	}, nil
}

// take finds and uses up the round trip a callback belongs to. The record
// is deleted before the browser is compared, so a callback URL works at
// most once whatever happens next. The state comes back with the error
// when a record was used up, nil when none matched.
func (s *Strategy) take(ctx context.Context, r *http.Request, provider, state string) (*State, error) {
	if state == "" {
		return nil, errNoState
	}
	st, err := s.Store.TakeOIDCState(ctx, s.Tokens.Candidates(purposeState, state))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoRecord
	}
	if err != nil {
		return nil, err
	}
	c, cerr := r.Cookie(ContinuityCookie)
	if cerr != nil || !s.browserMatches(st.Browser, c.Value) {
		return st, errNoRecord
	}
	if st.Provider != provider {
		return st, errWrongFlow
	}
	if !s.now().Before(st.ExpiresAt) {
		return st, errRoundTripExpired
	}
	return st, nil
}

func (s *Strategy) browserMatches(stored, cookie string) bool {
	ok := false
	for _, c := range s.Tokens.Candidates(purposeBrowser, cookie) {
		if subtle.ConstantTimeCompare([]byte(c), []byte(stored)) == 1 {
			ok = true
		}
	}
	return ok
}

// clearContinuity removes the cookie once its round trip is over.
func (s *Strategy) clearContinuity(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: ContinuityCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}
