package notify

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/session"
)

// Store is what the notices read and where they are queued.
type Store interface {
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
	EnqueueMessage(ctx context.Context, m *courier.Message) error
	ListIdentitySessions(ctx context.Context, identityID uuid.UUID, active *bool, except uuid.UUID, now time.Time, offset, limit int) ([]*session.Session, int, error)
}

// Events are the notices that are on.
type Events struct {
	PasswordChanged, SecondFactor, NewDevice bool
}

// Notifier queues the notices. A nil *Notifier sends nothing, so callers
// need not check whether notices are configured.
type Notifier struct {
	Store     Store
	Templates courier.Templates
	// Texts words the device names in the reader's language.
	Texts *locale.Catalog
	On    Events
	// RecoveryURL, when recovery is on, is where a notice sends someone
	// who did not make the change; else SettingsURL.
	RecoveryURL, SettingsURL string
	Wake                     func()
	Clock                    clock.Clock
	Log                      *slog.Logger
}

// PasswordChanged mails the identity that its password was changed by
// request r.
func (n *Notifier) PasswordChanged(r *http.Request, identityID uuid.UUID) {
	if n == nil || !n.On.PasswordChanged {
		return
	}
	n.send(r, identityID, courier.PasswordChanged, "")
}

// SecondFactorChanged mails the identity that request r added (or
// removed) a second factor of method (totp, webauthn, lookup_secret). The
// second-factor strategies call it once the change is saved.
func (n *Notifier) SecondFactorChanged(r *http.Request, identityID uuid.UUID, method string, added bool) {
	if n == nil || !n.On.SecondFactor {
		return
	}
	tt := courier.SecondFactorRemoved
	if added {
		tt = courier.SecondFactorAdded
	}
	n.send(r, identityID, tt, method)
}

// earlierSessions bounds how far back a device is looked for.
const earlierSessions = 200

// SignedIn mails the identity when session s, just issued, came from a
// browser and address none of its earlier sessions came from. An identity
// with no earlier session gets nothing: its first sign-in is expected.
func (n *Notifier) SignedIn(r *http.Request, s *session.Session) {
	if n == nil || !n.On.NewDevice || len(s.Devices) == 0 {
		return
	}
	ctx := r.Context()
	earlier, _, err := n.Store.ListIdentitySessions(ctx, s.IdentityID, nil, s.ID, n.Clock.Now(), 0, earlierSessions)
	if err != nil {
		n.Log.ErrorContext(ctx, "new-device notice: list earlier sessions", "error", err.Error())
		return
	}
	if len(earlier) == 0 {
		return
	}
	for _, e := range earlier {
		for _, d := range e.Devices {
			if d.SameClient(s.Devices[0]) {
				return
			}
		}
	}
	n.send(r, s.IdentityID, courier.NewDevice, "")
}

// send queues one notice to every email address of the identity. A
// failure is logged, never the user's problem: the change it reports is
// already made.
func (n *Notifier) send(r *http.Request, identityID uuid.UUID, tt courier.TemplateType, method string) {
	ctx := r.Context()
	i, err := n.Store.Identity(ctx, identityID)
	if err != nil {
		n.Log.ErrorContext(ctx, "security notice: load identity", "template", string(tt), "error", err.Error())
		return
	}
	lang := locale.Preference(r)
	c := httpx.ClientFrom(ctx)
	d := courier.Data{
		Identity: i, Language: lang, Method: method, ClientAddress: c.Addr,
		Time:        n.Clock.Now().UTC().Format("2 Jan 2006, 15:04 MST"),
		RecoveryURL: n.RecoveryURL, SettingsURL: n.SettingsURL,
	}
	if n.Texts != nil {
		d.Device = session.Device{UserAgent: c.UserAgent}.Name(n.Texts.Choose(lang).T)
	}
	queued := false
	for _, to := range addresses(i) {
		m, err := n.Templates.Render(tt, to, d)
		if err == nil {
			err = n.Store.EnqueueMessage(ctx, m)
		}
		if err != nil {
			n.Log.ErrorContext(ctx, "security notice: queue mail", "template", string(tt), "error", err.Error())
			continue
		}
		queued = true
	}
	if queued && n.Wake != nil {
		n.Wake()
	}
}

// addresses are the identity's email addresses, verifiable and recovery,
// each once.
func addresses(i *identity.Identity) []string {
	var out []string
	seen := map[string]bool{}
	add := func(via, v string) {
		if via != "email" || v == "" || seen[strings.ToLower(v)] {
			return
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	for _, a := range i.VerifiableAddresses {
		add(a.Via, a.Value)
	}
	for _, a := range i.RecoveryAddresses {
		add(a.Via, a.Value)
	}
	return out
}
