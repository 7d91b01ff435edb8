package flow

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
)

// Event is a flow that completed, as after-hooks see it.
type Event struct {
	Flow     *Flow
	Identity *identity.Identity
	Session  *session.Session // the session the flow issued or ran under, if any
	Request  *http.Request
}

// AfterHook runs after a flow succeeded. A hook that must stop the answer
// returns its error; one that must not (a web hook with response.ignore)
// schedules its work and returns nil.
type AfterHook interface {
	After(ctx context.Context, ev Event) error
}

// BeforeHook runs when a flow is about to start; its error refuses the
// flow (selfservice.flows.{login,registration}.before.hooks).
type BeforeHook interface {
	Before(ctx context.Context, r *http.Request, f *Flow) error
}

// MethodHooks are what runs after a flow succeeded with one method. Checks
// run before the flow's success is written where it can be (no session is
// issued, a new identity is taken back), so a failing check leaves nothing
// half-done; After runs once the success is written.
type MethodHooks struct {
	Checks []AfterHook
	After  []AfterHook
	// IssueSession: registration's session hook is configured.
	IssueSession bool
}

// Hooks are a flow's hooks: before it starts, and after it succeeds, by
// method. The per-method lists are resolved from the configuration (a
// method's own list replaces the flow's).
type Hooks struct {
	Before   []BeforeHook
	ByMethod map[string]MethodHooks
}

// For returns the hooks that run after a success with method.
func (h Hooks) For(method string) MethodHooks { return h.ByMethod[method] }

// RunBefore runs before-hooks in order, stopping at the first error.
func RunBefore(ctx context.Context, hooks []BeforeHook, r *http.Request, f *Flow) error {
	for _, h := range hooks {
		if err := h.Before(ctx, r, f); err != nil {
			return err
		}
	}
	return nil
}

// RunHooks runs hooks in order, stopping at the first error.
func RunHooks(ctx context.Context, hooks []AfterHook, ev Event) error {
	for _, h := range hooks {
		if err := h.After(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// HookError turns a hook's refusal on a path without a form to show it
// (a followed link) into an error for the error page, carrying the
// messages the hook put on the flow.
func HookError(f *Flow, err error) error {
	if !errors.Is(err, ErrInvalid) || f == nil {
		return err
	}
	var texts []string
	for _, m := range f.UI.Messages {
		texts = append(texts, m.Text)
	}
	return httpx.ErrBadRequest.WithReason("%s", strings.Join(texts, " "))
}
