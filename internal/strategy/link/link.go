package link

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/throttle"
	"github.com/latchkey/latchkey/internal/token"
)

// Method is the value of "method" that selects this strategy.
const Method = "link"

// Token kinds; a token of one kind never matches a hash of the other.
const (
	KindRecovery     = token.Recovery
	KindVerification = token.Verification
)

// Store is what the strategy needs from storage.
type Store interface {
	// RecoveryAddress finds a recovery address by canonical value.
	RecoveryAddress(ctx context.Context, via, value string) (identityID uuid.UUID, addressID uuid.UUID, err error)
	// VerifiableAddress finds a verifiable address by canonical value.
	VerifiableAddress(ctx context.Context, via, value string) (identityID uuid.UUID, addressID uuid.UUID, err error)
	// CreateLinkToken stores a token and queues its message in one
	// transaction, so a link is never mailed without its token or the other
	// way round.
	CreateLinkToken(ctx context.Context, t *token.Link, hash string, m *courier.Message) error
	EnqueueMessage(ctx context.Context, m *courier.Message) error
	// ConsumeLinkToken marks an unused token of a kind used and returns it:
	// store.ErrNotFound when unknown or used already (or lost a race),
	// token.ErrExpired (with the token) when expired. Consuming a verification
	// token verifies its address in the same transaction.
	ConsumeLinkToken(ctx context.Context, kind string, hashes []string, now time.Time) (*token.Link, error)
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
}

// Strategy is the link method.
type Strategy struct {
	Store      Store
	Tokens     *token.Hasher
	Templates  courier.Templates
	PublicBase string
	Log        *slog.Logger
	// Wake tells an in-process courier worker that a message is waiting.
	Wake func()
	// Throttle counts submits under Limits; nil turns it off.
	Throttle *throttle.Limiter
	Limits   Limits
	// Clock stamps tokens and decides their expiry.
	Clock clock.Clock
}

// ID names the strategy.
func (s *Strategy) ID() string { return Method }

// linkURL is the address mailed to the user: always on the public base URL,
// never derived from request headers an attacker could set.
func (s *Strategy) linkURL(path string, flowID uuid.UUID, tok string) string {
	q := url.Values{"flow": {flowID.String()}, "token": {tok}}
	return s.PublicBase + path + "?" + q.Encode()
}

// issue creates a token for a flow and queues the mail carrying it.
func (s *Strategy) issue(ctx context.Context, kind string, f *flow.Flow, identityID, addressID uuid.UUID, expires time.Time,
	path string, tt courier.TemplateType, to string, data func(link string) courier.Data) (string, error) {
	tok := token.New()
	link := s.linkURL(path, f.ID, tok)
	t := &token.Link{ID: uuid.New(), Kind: kind, FlowID: f.ID, IdentityID: identityID, AddressID: addressID, ExpiresAt: expires, CreatedAt: s.Clock.Now()}
	var msg *courier.Message
	if to != "" {
		var err error
		if msg, err = s.Templates.Render(tt, to, data(link)); err != nil {
			return "", err
		}
	}
	if err := s.Store.CreateLinkToken(ctx, t, s.Tokens.Hash(kind, tok), msg); err != nil {
		return "", err
	}
	s.wake()
	return link, nil
}

func (s *Strategy) notice(ctx context.Context, tt courier.TemplateType, to, lang string) error {
	msg, err := s.Templates.Render(tt, to, courier.Data{Language: lang})
	if err != nil {
		return err
	}
	if err := s.Store.EnqueueMessage(ctx, msg); err != nil {
		return err
	}
	s.wake()
	return nil
}

func (s *Strategy) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// Consume uses a token from a link.
func (s *Strategy) Consume(ctx context.Context, kind, tok string) (*token.Link, error) {
	if tok == "" || len(tok) > 512 {
		return nil, store.ErrNotFound
	}
	return s.Store.ConsumeLinkToken(ctx, kind, s.Tokens.Candidates(kind, tok), s.Clock.Now())
}

// consume maps a token's outcome to the flows' errors.
func (s *Strategy) consume(ctx context.Context, kind, tok string) (*token.Link, error) {
	t, err := s.Consume(ctx, kind, tok)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, token.ErrUnknown
	case errors.Is(err, token.ErrExpired):
		return nil, err
	}
	return t, err
}

// Recover consumes a recovery token.
func (s *Strategy) Recover(ctx context.Context, tok string) (uuid.UUID, uuid.UUID, error) {
	t, err := s.consume(ctx, KindRecovery, tok)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return t.IdentityID, t.FlowID, nil
}

// Verify consumes a verification token, which verifies its address.
func (s *Strategy) Verify(ctx context.Context, tok string) (uuid.UUID, error) {
	t, err := s.consume(ctx, KindVerification, tok)
	if err != nil {
		return uuid.Nil, err
	}
	return t.FlowID, nil
}
