package flow

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/csrf"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/token"
)

// ErrorStore keeps errors a browser met, for the error page to show.
type ErrorStore interface {
	SaveError(ctx context.Context, e *httpx.Error) (uuid.UUID, error)
}

// Web holds what browser flows need beyond api flows: the anti-CSRF
// cookie, return_to checks, where to send the browser afterwards, and the
// error page.
type Web struct {
	CSRF       *csrf.Guard
	Returns    *ReturnPolicy
	Errors     ErrorStore
	ErrorUIURL string
	Log        *slog.Logger
}

// Token returns the browser's anti-CSRF token, setting the cookie when the
// browser has none yet. Api flows have no CSRF token.
func (b *Web) Token(w http.ResponseWriter, r *http.Request, typ Type) string {
	if typ != Browser {
		return ""
	}
	return b.CSRF.Ensure(w, r)
}

// ErrCSRF refuses a browser submission whose anti-CSRF token is missing or
// does not belong to this browser and flow.
var ErrCSRF = httpx.ErrForbidden.WithReason("The request was rejected to protect you from Cross-Site-Request-Forgery (CSRF): the anti-CSRF token is missing or does not match. Go back and try again.")

// CheckCSRF compares the submitted csrf_token, the browser's cookie and the
// token the flow was issued with; all three must be equal.
func (b *Web) CheckCSRF(r *http.Request, f *Flow, sub Submission) error {
	submitted, _ := sub.String("csrf_token")
	c, err := r.Cookie(b.CSRF.Cookie.Name)
	if err != nil || submitted == "" || f.CSRFToken == "" ||
		!token.Equal(submitted, f.CSRFToken) || !token.Equal(c.Value, f.CSRFToken) {
		httpx.Refused(r.Context(), "csrf")
		return ErrCSRF
	}
	return nil
}

// Handle adapts an endpoint that answers before any flow is loaded (init
// endpoints, links): with browser set, an error is stored and the browser
// sent to the error page; other clients get JSON.
func (b *Web) Handle(browser bool, h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			b.Fail(w, r, browser, err)
		}
	})
}

// Fail answers an error: a browser (that did not ask for JSON) is sent to
// the error page, anyone else gets the error as JSON.
func (b *Web) Fail(w http.ResponseWriter, r *http.Request, browser bool, err error) {
	if !browser || IsJSONRequest(r) {
		httpx.WriteError(b.Log, w, r, err)
		return
	}
	b.showError(w, r, err)
}
func (b *Web) showError(w http.ResponseWriter, r *http.Request, err error) {
	he := httpx.AsError(err)
	if he.Code >= 500 {
		httpx.LogFailure(b.Log, r, err)
	}
	id, saveErr := b.Errors.SaveError(r.Context(), he)
	if saveErr != nil {
		b.Log.ErrorContext(r.Context(), "could not store error for the error page", "error", saveErr.Error())
		httpx.WriteError(b.Log, w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, appendQuery(b.ErrorUIURL, "error", id.String()), http.StatusFound)
}
