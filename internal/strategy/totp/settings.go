package totp

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/totp"
	"github.com/latchkey/latchkey/internal/ui"
)

// pendingKey is the flow's Internal section holding the key being
// enrolled, sealed: it is made with the flow and confirmed by a code.
const pendingKey = "totp_pending_key"

// PopulateSettings shows an identity without TOTP a new key (QR code and
// the secret to type) and the code input; one with TOTP the unlink
// button.
func (s *Strategy) PopulateSettings(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	c, _, err := s.load(ctx, i)
	if err != nil {
		return err
	}
	if c != nil {
		_ = f.SetInternal(pendingKey, nil)
		f.UI.Nodes = append(f.UI.Nodes, ui.Input(ui.GroupTOTP, "totp_unlink", "submit", "true", false, ui.Label(text.LabelTOTPUnlink())))
		return nil
	}
	keyURL, err := s.pending(f, i)
	if err != nil {
		return err
	}
	qr, err := totp.QRDataURL(keyURL)
	if err != nil {
		return err
	}
	secret, err := totp.SecretOf(keyURL)
	if err != nil {
		return err
	}
	f.UI.Nodes = append(f.UI.Nodes,
		ui.Image(ui.GroupTOTP, "totp_qr", qr, ui.Label(text.LabelTOTPQR())),
		ui.Text(ui.GroupTOTP, "totp_secret_key", text.TOTPSecret(secret), ui.Label(text.LabelTOTPSecretKey())),
		ui.Input(ui.GroupTOTP, "totp_code", "text", nil, true, ui.Label(text.LabelVerifyCode())),
		ui.Submit(ui.GroupTOTP, Method, text.LabelSave()),
	)
	return nil
}

// pending returns the key this flow is enrolling, making it the first
// time: the same flow shows the same key however often it is rebuilt.
func (s *Strategy) pending(f *flow.Flow, i *identity.Identity) (string, error) {
	var sealed string
	if f.GetInternal(pendingKey, &sealed) {
		if u, err := s.Sealer.Open(sealed); err == nil {
			return u, nil
		}
	}
	k, err := totp.Generate(s.Issuer, account(i))
	if err != nil {
		return "", err
	}
	if sealed, err = s.Sealer.Seal(k.URL); err != nil {
		return "", err
	}
	return k.URL, f.SetInternal(pendingKey, sealed)
}

// NeedsPrivilege: adding or removing a factor needs a recent sign-in.
func (s *Strategy) NeedsPrivilege(*identity.Identity, flow.Submission) bool { return true }

func unlinking(sub flow.Submission) bool {
	switch v := sub.Values["totp_unlink"].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// Settings turns TOTP on (a correct code for the pending key) or off.
func (s *Strategy) Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error) {
	if unlinking(sub) {
		c, _, err := s.load(ctx, i)
		if err != nil {
			return nil, err
		}
		if c == nil {
			f.UI.AddMessage(text.TOTPMissing())
			return nil, flow.ErrInvalid
		}
		if err := s.Store.DeleteCredential(ctx, i.ID, CredentialType); err != nil {
			return nil, err
		}
		return i, nil
	}
	code, _ := sub.String("totp_code")
	if code == "" {
		f.UI.AddNodeMessage("totp_code", text.Required("totp_code"))
		return nil, flow.ErrInvalid
	}
	var sealed string
	if !f.GetInternal(pendingKey, &sealed) {
		f.UI.AddNodeMessage("totp_code", text.TOTPWrong())
		return nil, flow.ErrInvalid
	}
	keyURL, err := s.Sealer.Open(sealed)
	if err != nil {
		return nil, err
	}
	step, err := totp.Verify(keyURL, code, s.Clock.Now(), 0)
	if errors.Is(err, totp.ErrInvalidCode) {
		f.UI.AddNodeMessage("totp_code", text.TOTPWrong())
		return nil, flow.ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	// Sealed afresh so the stored value shares nothing with the flow's.
	if sealed, err = s.Sealer.Seal(keyURL); err != nil {
		return nil, err
	}
	cfg, _ := json.Marshal(config{SealedURL: sealed, LastStep: step})
	now := s.Clock.Now()
	c := &identity.Credential{ID: uuid.New(), Type: CredentialType, Identifiers: []string{i.ID.String()}, Config: cfg, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.SetCredential(ctx, i.ID, c); err != nil {
		return nil, err
	}
	_ = f.SetInternal(pendingKey, nil)
	return i, nil
}

// FactorChange implements settings.FactorChanging: enabling adds the
// factor, unlinking removes it.
func (s *Strategy) FactorChange(sub flow.Submission) (string, bool, bool) {
	return Method, !unlinking(sub), true
}

// Proved implements settings.Authenticating: a confirmed code is a second
// factor for the session that entered it.
func (s *Strategy) Proved(sub flow.Submission) (session.AuthenticationMethod, bool) {
	if unlinking(sub) {
		return session.AuthenticationMethod{}, false
	}
	return session.SecondFactor(Method, s.Clock.Now()), true
}
