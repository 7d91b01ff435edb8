package verification

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/token"
	"github.com/latchkey/latchkey/internal/ui"
)

// Handler serves the verification flow.
type Handler struct {
	Kit        *flow.Kit
	Strategy   Strategy
	Lifespan   time.Duration
	PublicBase string
	// Hooks run after the link was followed (method "link").
	Hooks flow.Hooks
	Log   *slog.Logger
}

// Register mounts the public routes; both submit paths are served, as for
// recovery.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/verification/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/verification/browser", h.Kit.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/verification/flows", httpx.Handle(h.Log, h.fetch))
	for _, p := range []string{"/self-service/verification", "/self-service/verification/methods/link"} {
		mux.Handle("POST "+p, h.Kit.Handler(h.submitEndpoint()))
		mux.Handle("GET "+p, h.Kit.Web.Handle(true, h.followLink))
	}
}

// submitEndpoint describes the submit endpoint; a mailed link that names
// an expired flow is answered with it too.
func (h *Handler) submitEndpoint() flow.Submit {
	return flow.Submit{
		Kind: flow.Verification, Expired: text.VerificationExpired, Renew: h.renew, Wire: func(f *flow.Flow) any { return wire(f) }, Handle: h.submit,
	}
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/verification/flows", httpx.Handle(h.Log, h.fetch))
}

func (h *Handler) create(r *http.Request, typ flow.Type, csrfToken string) (*flow.Flow, error) {
	f := flow.New(h.Kit.Clock.Now(), flow.Verification, typ, h.Lifespan, h.PublicBase, r, csrfToken)
	f.State = "choose_method"
	h.Strategy.PopulateVerification(f)
	return f, h.Kit.Flows.CreateFlow(r.Context(), f)
}

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type) (*flow.Flow, error) {
	return h.create(r, typ, h.Kit.Web.Token(w, r, typ))
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	f, err := h.newFlow(w, r, flow.API)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

// initBrowser starts a flow whether or not the browser is signed in: a
// signed-in user may well want to verify an address.
func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.StartBrowser(w, r, flow.Verification, nil, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Kit, flow.Verification, wire)
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request, old *flow.Flow) (*flow.Flow, error) {
	return h.newFlow(w, r, old.Type)
}

// submit acts on a submitted address: the flow moves to its next state and
// is shown again (200), or shows its problems. The method is implied when
// none is named, as the reference's SDK sends only the address.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	// A refused submission names the group that refused it in active, as
	// the reference's does.
	if m := sub.Method(); m != "" && m != h.Strategy.ID() {
		f.Active = ui.GroupDefault
		f.UI.AddMessage(text.VerificationNoStrategy())
		return flow.ErrInvalid
	}
	// The mailed link points back to the path the address was posted to.
	if err := h.Strategy.SubmitVerification(r.Context(), f, sub, strings.TrimPrefix(r.URL.Path, "/")); err != nil {
		if errors.Is(err, flow.ErrInvalid) {
			f.Active = h.Strategy.ID()
		}
		return err
	}
	return h.Kit.Advance(w, r, f, wire(f))
}

var errLinkIncomplete = httpx.ErrBadRequest.WithReason("The verification link is incomplete: it needs both flow and token. Open the link from the email as it is.")

// followLink verifies the address a mailed link was sent to. It issues no
// session: proving an address is not signing in.
func (h *Handler) followLink(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("token") == "" || q.Get("flow") == "" {
		return errLinkIncomplete
	}
	return h.Kit.Follow(w, r, h.submitEndpoint(), func() error { return h.verify(w, r, q.Get("token")) })
}

// verify uses a verification token of a live flow.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request, tok string) error {
	ctx := r.Context()
	flowID, err := h.Strategy.Verify(ctx, tok)
	switch {
	case errors.Is(err, token.ErrUnknown):
		return h.retry(w, r, text.VerificationTokenInvalid())
	case errors.Is(err, token.ErrExpired):
		now := h.Kit.Clock.Now() // the link expired: say so as of now
		return h.retry(w, r, text.VerificationExpired(now, now))
	case err != nil:
		return err
	}
	f, err := h.Kit.PassChallenge(ctx, flow.Verification, flowID)
	if err != nil {
		return err
	}
	// The address is verified by now; hooks are told, and a refusal is
	// shown, but cannot take it back.
	hooks := h.Hooks.For("link")
	if err := flow.RunHooks(ctx, append(hooks.Checks, hooks.After...), flow.Event{Flow: f, Request: r}); err != nil {
		return flow.HookError(f, err)
	}
	http.Redirect(w, r, h.afterVerified(f), http.StatusFound)
	return nil
}

// afterVerified is where a verified browser goes, as in the reference: the
// flow's return_to, else the configured after URL, else the verification
// page, which says the address is verified (a flow gone meanwhile, f nil,
// has neither return_to nor page).
func (h *Handler) afterVerified(f *flow.Flow) string {
	if f != nil && f.ReturnTo != "" {
		return f.ReturnTo
	}
	if u := h.Kit.Web.ConfiguredAfterURL(flow.Verification); u != "" || f == nil {
		return h.Kit.Web.AfterURL("", flow.Verification)
	}
	return h.Kit.Responder.UIURL(f)
}

func (h *Handler) retry(w http.ResponseWriter, r *http.Request, msg text.Message) error {
	f, err := h.newFlow(w, r, flow.Browser)
	if err != nil {
		return err
	}
	return h.Kit.Restart(w, r, f, msg)
}

// SendLinks mails a verification link for each address of i that a change
// just created, each with a flow of its own. It backs the verification
// hook after registration and settings.
func (h *Handler) SendLinks(r *http.Request, i *identity.Identity) error {
	for _, a := range i.VerifiableAddresses {
		if a.Verified || !a.CreatedAt.Equal(i.UpdatedAt) {
			continue
		}
		f, err := h.create(r, flow.Browser, "")
		if err != nil {
			return err
		}
		if err := h.Strategy.MailVerification(r.Context(), f, i, a.ID, a.Value, "self-service/verification", locale.Preference(r)); err != nil {
			return err
		}
	}
	return nil
}
