package session

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session/whoamicache"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/token"
)

// Cookie is how the session cookie is written.
type Cookie struct {
	Name       string
	Domain     string
	Path       string
	Persistent bool
	SameSite   http.SameSite
	Secure     bool
}

// Manager issues and reads sessions.
type Manager struct {
	Store      Store
	Tokens     *token.Hasher
	Lifespan   time.Duration
	Cookie     Cookie
	PublicBase string // for identities' schema_url
	// Reference, when set, also accepts the reference's session cookie
	// (after a takeover), tried only when Latchkey's own lookup fails.
	Reference *ReferenceCookie
	// Clock stamps sessions and decides whether one is still usable.
	Clock clock.Clock
	// Credentials and SecondFactors tell whether an identity could reach
	// aal2 (AvailableAAL); without probes nobody can.
	Credentials   CredentialReader
	SecondFactors []SecondFactorProbe
	// Cache, when set, keeps whoami answers (see whoamicache); nil reads
	// the database every time.
	Cache *whoamicache.Cache
}

// Issue starts a session for an identity and returns it with its token,
// which exists nowhere else: only its hash is stored. methods are what the
// sign-in proved; none means a password, as every v0.6.3 sign-in was.
func (m *Manager) Issue(ctx context.Context, i *identity.Identity, authenticatedAt time.Time, methods ...AuthenticationMethod) (*Session, string, error) {
	now := m.Clock.Now()
	s := &Session{
		ID: uuid.New(), Active: true, IssuedAt: now, AuthenticatedAt: authenticatedAt.UTC().Truncate(time.Microsecond),
		ExpiresAt: now.Add(m.Lifespan), Identity: i, IdentityID: i.ID,
	}
	if len(methods) == 0 {
		methods = legacyMethods(s.AuthenticatedAt)
	}
	s.AMR = methods
	s.AAL = LevelOf(methods)
	// The device is recorded once, at sign-in: whoami stays a pure read.
	c := httpx.ClientFrom(ctx)
	s.Devices = []Device{{ID: uuid.New(), IPAddress: c.Addr, UserAgent: truncate(c.UserAgent, 512), FirstSeen: now, LastSeen: now}}
	tok := token.New()
	create := m.Store.CreateSession
	if i.Rehash != nil {
		create = func(ctx context.Context, s *Session, hash string) error {
			return m.Store.CreateSessionWithRehash(ctx, s, hash, i.Rehash)
		}
	}
	if err := create(ctx, s, m.Tokens.Hash(token.Session, tok)); err != nil {
		return nil, "", err
	}
	i.Rehash = nil
	s.Identity.SchemaURL = identity.SchemaURL(m.PublicBase, i.SchemaID)
	return s, tok, nil
}

// TokenFromRequest returns the session token a request carries: the
// X-Session-Token header, a bearer token, or the session cookie.
func (m *Manager) TokenFromRequest(r *http.Request) string {
	tok, _ := m.tokenFromRequest(r)
	return tok
}

func (m *Manager) tokenFromRequest(r *http.Request) (tok string, cookie bool) {
	if t := r.Header.Get("X-Session-Token"); t != "" {
		return t, false
	}
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:]), false
	}
	if c, err := r.Cookie(m.Cookie.Name); err == nil {
		return c.Value, true
	}
	return "", false
}

// FromRequest returns the usable session a request carries, ErrNoSession
// when it has none, or a database error.
func (m *Manager) FromRequest(r *http.Request) (*Session, error) {
	tok, cookie := m.tokenFromRequest(r)
	s, err := m.FromToken(r.Context(), tok)
	if cookie && errors.Is(err, ErrNoSession) {
		// Not one of Latchkey's cookies: perhaps one the reference set.
		if inner, ok := m.Reference.Token(tok); ok {
			return m.FromToken(r.Context(), inner)
		}
	}
	return s, err
}

// SignedIn reports whether a request carries a usable session. Database
// errors stop the request rather than pass as "not signed in".
func (m *Manager) SignedIn(r *http.Request) (bool, error) {
	_, err := m.FromRequest(r)
	if errors.Is(err, ErrNoSession) {
		return false, nil
	}
	return err == nil, err
}

// maxTokenLen bounds what is hashed: real tokens are 43 characters.
const maxTokenLen = 512

// FromToken returns the usable session a token belongs to.
func (m *Manager) FromToken(ctx context.Context, tok string) (*Session, error) {
	if tok == "" || len(tok) > maxTokenLen {
		return nil, ErrNoSession
	}
	s, err := m.Store.SessionByTokenHash(ctx, m.Tokens.Candidates(token.Session, tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if !s.Usable(m.Clock.Now()) {
		return nil, ErrNoSession
	}
	s.Identity.SchemaURL = identity.SchemaURL(m.PublicBase, s.Identity.SchemaID)
	return s, nil
}

// AddMethod records one more method on a live session (a second factor at
// a step-up, TOTP enabled in settings): same id and token, the level
// recomputed, authenticated_at set to the method's time.
func (m *Manager) AddMethod(ctx context.Context, s *Session, method AuthenticationMethod) error {
	next := *s
	next.AMR = append(append([]AuthenticationMethod{}, s.AMR...), method)
	next.AAL = LevelOf(next.AMR)
	next.AuthenticatedAt = method.CompletedAt
	if err := m.Store.UpdateSessionMethods(ctx, &next); err != nil {
		return err
	}
	*s = next
	return nil
}

// AvailableAAL is the highest level identity id could reach with the
// factors it has set up: aal2 when any registered probe counts one of its
// credentials, else aal1.
func (m *Manager) AvailableAAL(ctx context.Context, id uuid.UUID) (AAL, error) {
	if len(m.SecondFactors) == 0 || m.Credentials == nil {
		return AAL1, nil
	}
	types := make([]identity.CredentialType, len(m.SecondFactors))
	for k, p := range m.SecondFactors {
		types[k] = p.Type
	}
	configs, err := m.Credentials.CredentialConfigs(ctx, id, types)
	if err != nil {
		return "", err
	}
	for _, p := range m.SecondFactors {
		if c, ok := configs[p.Type]; ok && p.Counts(c) {
			return AAL2, nil
		}
	}
	return AAL1, nil
}

// Whoami is the answer of GET /sessions/whoami for a request: the
// session's JSON body and its identity's id, from the cache when it keeps
// it, else read, checked by accept and kept. Errors are FromRequest's and
// accept's; an answer accept refuses is not kept. accept may only depend
// on what the cache is told about (the session, its identity and the
// identity's credentials), since a kept answer is not checked again.
func (m *Manager) Whoami(r *http.Request, accept func(*Session) error) (*whoamicache.Answer, error) {
	if m.Cache == nil {
		return m.whoamiRead(r, accept)
	}
	tok, _ := m.tokenFromRequest(r)
	if tok == "" || len(tok) > maxTokenLen {
		return nil, ErrNoSession
	}
	key := m.Tokens.Hash(token.Session, tok)
	now := m.Clock.Now()
	a, err := m.Cache.Get(r.Context(), key, now)
	if err != nil {
		// Memory cannot be trusted now; the database can.
		return m.whoamiRead(r, accept)
	}
	if a != nil {
		return a, nil
	}
	gen := m.Cache.Gen()
	var stamp *store.Stamp
	if m.Cache.Stamped() {
		var ctx context.Context
		ctx, stamp = store.Stamping(r.Context())
		r = r.WithContext(ctx)
	}
	s, err := m.FromRequest(r)
	if err != nil {
		return nil, err
	}
	if err := accept(s); err != nil {
		return nil, err
	}
	body, err := httpx.EncodeJSON(s)
	if err != nil {
		return nil, err
	}
	a = whoamicache.NewAnswer(body, s.Identity.ID)
	var st store.Stamp
	if stamp != nil {
		st = *stamp
	}
	m.Cache.Put(gen, key, a, s.ExpiresAt, st)
	return a, nil
}

func (m *Manager) whoamiRead(r *http.Request, accept func(*Session) error) (*whoamicache.Answer, error) {
	s, err := m.FromRequest(r)
	if err != nil {
		return nil, err
	}
	if err := accept(s); err != nil {
		return nil, err
	}
	body, err := httpx.EncodeJSON(s)
	if err != nil {
		return nil, err
	}
	return whoamicache.NewAnswer(body, s.Identity.ID), nil
}

// Revoke deactivates the session a token belongs to.
func (m *Manager) Revoke(ctx context.Context, tok string) error {
	if tok == "" || len(tok) > maxTokenLen {
		return store.ErrNotFound
	}
	err := m.Store.RevokeSessionByTokenHash(ctx, m.Tokens.Candidates(token.Session, tok))
	if m.Cache != nil {
		// The database tells every instance; this one need not wait.
		m.Cache.Forget(m.Tokens.Hash(token.Session, tok))
	}
	if errors.Is(err, store.ErrNotFound) {
		// A cookie the reference set signs out too.
		if inner, ok := m.Reference.Token(tok); ok {
			return m.Store.RevokeSessionByTokenHash(ctx, m.Tokens.Candidates(token.Session, inner))
		}
	}
	return err
}

// SetCookie writes the session cookie for a browser.
func (m *Manager) SetCookie(w http.ResponseWriter, tok string, s *Session) {
	c := m.baseCookie()
	c.Value = tok
	if m.Cookie.Persistent {
		c.MaxAge = int(s.ExpiresAt.Sub(s.IssuedAt).Seconds())
		c.Expires = s.ExpiresAt
	}
	http.SetCookie(w, c)
}

// ClearCookie expires the session cookie the way the reference does:
// "Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0".
func (m *Manager) ClearCookie(w http.ResponseWriter) {
	c := m.baseCookie()
	c.MaxAge, c.Expires = -1, time.Unix(1, 0)
	http.SetCookie(w, c)
}

// BearerToken is the token of an "Authorization: Bearer" header, "" for
// none.
func BearerToken(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	return ""
}

// CookieToken is the token of the session cookie, "" for none.
func (m *Manager) CookieToken(r *http.Request) string {
	if c, err := r.Cookie(m.Cookie.Name); err == nil {
		return c.Value
	}
	return ""
}

func (m *Manager) baseCookie() *http.Cookie {
	return &http.Cookie{
		Name: m.Cookie.Name, Path: m.Cookie.Path, Domain: m.Cookie.Domain,
		HttpOnly: true, Secure: m.Cookie.Secure, SameSite: m.Cookie.SameSite,
	}
}

// truncate bounds what a client may make the server store.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
