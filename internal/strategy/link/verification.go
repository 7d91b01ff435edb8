package link

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// PopulateVerification adds the email input.
func (s *Strategy) PopulateVerification(f *flow.Flow) { populate(f) }

// SubmitVerification mails a new verification link when the address
// belongs to an account (verified or not), and a notice otherwise; the
// answer is the same either way.
func (s *Strategy) SubmitVerification(ctx context.Context, f *flow.Flow, sub flow.Submission, path string) error {
	email, ok := submittedEmail(f, sub)
	if !ok {
		return flow.ErrInvalid
	}
	if err := s.reserve(ctx, f, KindVerification, email); err != nil {
		return err
	}
	identityID, addressID, err := s.Store.VerifiableAddress(ctx, "email", email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		err = s.notice(ctx, courier.VerificationInvalid, email, sub.Language)
	case err == nil:
		var i *identity.Identity
		if i, err = s.Store.Identity(ctx, identityID); err == nil {
			err = s.MailVerification(ctx, f, i, addressID, email, path, sub.Language)
		}
	}
	if err != nil {
		return err
	}
	f.State, f.Active = StateSentEmail, Method
	f.UI.AddMessage(text.VerificationEmailSent())
	return nil
}

// MailVerification sends a verification link for one address of an
// identity, tied to flow f.
func (s *Strategy) MailVerification(ctx context.Context, f *flow.Flow, i *identity.Identity, addressID uuid.UUID, email, path, lang string) error {
	_, err := s.issue(ctx, KindVerification, f, i.ID, addressID, f.ExpiresAt, path, courier.VerificationValid, email,
		func(link string) courier.Data {
			return courier.Data{VerificationURL: link, Identity: i, Language: lang}
		})
	return err
}
