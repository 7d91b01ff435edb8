package webui

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
)

// SessionStore lists and ends the signed-in user's sessions for the
// settings page.
type SessionStore interface {
	ListIdentitySessions(ctx context.Context, identityID uuid.UUID, active *bool, except uuid.UUID, now time.Time, offset, limit int) ([]*session.Session, int, error)
	RevokeSession(ctx context.Context, identityID, id uuid.UUID, now time.Time) error
	RevokeOtherSessions(ctx context.Context, identityID, keep uuid.UUID, now time.Time) (int, error)
}

// CSRF hands out the browser's anti-CSRF token; the guard in front of the
// public port checks it on the sign-out forms.
type CSRF interface {
	Ensure(w http.ResponseWriter, r *http.Request) string
}

// listedDevices bounds the page; the rest are counted, and "sign out all
// other devices" still ends them.
const listedDevices = 50

// devicesView is the settings page's list of signed-in devices.
type devicesView struct {
	CSRF, Flow, Notice string
	Current            device
	Others             []device
	More               int
}

type device struct {
	ID, Name, Address, Since string
}

// devices lists the caller's sessions, this one first. It returns nil when
// the page cannot show them (no store, or a failure, which is logged).
func (h *Handler) devices(w http.ResponseWriter, r *http.Request, p *locale.Printer, s *session.Session, f *flow.Flow) *devicesView {
	if h.SessionList == nil || h.CSRF == nil {
		return nil
	}
	active := true
	others, total, err := h.SessionList.ListIdentitySessions(r.Context(), s.IdentityID, &active, s.ID, h.Clock.Now(), 0, listedDevices)
	if err != nil {
		h.Log.Error("list sessions for the settings page", "error", err.Error())
		return nil
	}
	v := &devicesView{CSRF: h.CSRF.Ensure(w, r), Flow: f.ID.String(), Current: describe(p, s), More: total - len(others)}
	for _, o := range others {
		v.Others = append(v.Others, describe(p, o))
	}
	switch r.URL.Query().Get("devices") {
	case "signed_out":
		v.Notice = p.T("settings.devices.signed_out")
	case "all_signed_out":
		v.Notice = p.T("settings.devices.all_signed_out")
	}
	return v
}

// describe names a session by the device it was signed in from.
func describe(p *locale.Printer, s *session.Session) device {
	d := device{ID: s.ID.String(), Name: p.T("device.unknown"), Since: s.AuthenticatedAt.UTC().Format("2 Jan 2006, 15:04 MST")}
	if len(s.Devices) > 0 {
		d.Address, d.Name = s.Devices[0].IPAddress, s.Devices[0].Name(p.T)
	}
	return d
}

// endSessions answers the settings page's sign-out buttons: one other
// device (session=<id>) or all of them (all=true), then back to the page.
// The CSRF guard has checked the form's token before this runs.
func (h *Handler) endSessions(w http.ResponseWriter, r *http.Request) {
	s, err := h.Sessions.FromRequest(r)
	if errors.Is(err, session.ErrNoSession) {
		h.start(w, r, flow.Login)
		return
	}
	if err != nil {
		h.Log.Error("read session to sign out devices", "error", err.Error())
		http.Error(w, "The devices could not be signed out.", http.StatusServiceUnavailable)
		return
	}
	back := h.Brand.Base + "ui/settings?"
	if id, err := uuid.Parse(r.PostFormValue("flow")); err == nil {
		back += "flow=" + id.String() + "&"
	}
	ctx, now := r.Context(), h.Clock.Now()
	if r.PostFormValue("all") == "true" {
		if _, err := h.SessionList.RevokeOtherSessions(ctx, s.IdentityID, s.ID, now); err != nil {
			h.failSignOut(w, err)
			return
		}
		http.Redirect(w, r, back+"devices=all_signed_out", http.StatusFound)
		return
	}
	id, err := uuid.Parse(r.PostFormValue("session"))
	if err != nil || id == s.ID {
		// This device signs out with the sign-out link, which also
		// clears its cookie.
		http.Error(w, "Choose another device to sign out.", http.StatusBadRequest)
		return
	}
	// Only the caller's own sessions match; another's id ends nothing.
	if err := h.SessionList.RevokeSession(ctx, s.IdentityID, id, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		h.failSignOut(w, err)
		return
	}
	http.Redirect(w, r, back+"devices=signed_out", http.StatusFound)
}

func (h *Handler) failSignOut(w http.ResponseWriter, err error) {
	h.Log.Error("sign out devices", "error", err.Error())
	http.Error(w, "The devices could not be signed out.", http.StatusServiceUnavailable)
}
