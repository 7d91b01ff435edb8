package link

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Recovery flow states.
const (
	StateChooseMethod = "choose_method"
	StateSentEmail    = "sent_email"
	StatePassed       = "passed_challenge"
)

// PopulateRecovery adds the email input.
func (s *Strategy) PopulateRecovery(f *flow.Flow) { populate(f) }

// SubmitRecovery mails a recovery link when the address belongs to an
// account, and a notice without a link when it does not. The answer is the
// same either way, so the form does not reveal who has an account.
func (s *Strategy) SubmitRecovery(ctx context.Context, f *flow.Flow, sub flow.Submission, path string) error {
	email, ok := submittedEmail(f, sub)
	if !ok {
		return flow.ErrInvalid
	}
	if err := s.reserve(ctx, f, KindRecovery, email); err != nil {
		return err
	}
	identityID, addressID, err := s.Store.RecoveryAddress(ctx, "email", email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		err = s.notice(ctx, courier.RecoveryInvalid, email, sub.Language)
	case err == nil:
		err = s.mailRecovery(ctx, f, identityID, addressID, path, email, sub.Language)
	}
	if err != nil {
		return err
	}
	f.State, f.Active = StateSentEmail, Method
	f.UI.AddMessage(text.RecoveryEmailSent())
	return nil
}

func (s *Strategy) mailRecovery(ctx context.Context, f *flow.Flow, identityID, addressID uuid.UUID, path, email, lang string) error {
	i, err := s.Store.Identity(ctx, identityID)
	if err != nil {
		return err
	}
	_, err = s.issue(ctx, KindRecovery, f, identityID, addressID, f.ExpiresAt, path, courier.RecoveryValid, email,
		func(link string) courier.Data { return courier.Data{RecoveryURL: link, Identity: i, Language: lang} })
	return err
}

// AdminLink makes a recovery link for an identity without mailing it, for
// POST /recovery/link.
func (s *Strategy) AdminLink(ctx context.Context, f *flow.Flow, identityID uuid.UUID, expires time.Time) (string, error) {
	return s.issue(ctx, KindRecovery, f, identityID, uuid.Nil, expires, "self-service/recovery", "", "", nil)
}
