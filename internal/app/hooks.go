package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/hook"
	"github.com/latchkey/latchkey/internal/urlfile"
)

// methods are the method sections an after block may have; the
// configuration resolves which list each runs (its own, or the flow's).
var methods = []string{"password", "profile", "oidc", "link", "webauthn"}

// flowHooks builds one flow's hooks from its section of the configuration.
// extra runs first after every method (the verification mail).
func (a *App) flowHooks(ctx context.Context, name string, before *config.Before, after *config.After, extra ...flow.AfterHook) (flow.Hooks, error) {
	key := "selfservice.flows." + name
	var out flow.Hooks
	if before != nil {
		for i, h := range before.Hooks {
			wh, err := a.webHook(ctx, fmt.Sprintf("%s.before.hooks[%d]", key, i), h.Config)
			if err != nil {
				return out, err
			}
			out.Before = append(out.Before, wh)
		}
	}
	out.ByMethod = map[string]flow.MethodHooks{}
	for _, m := range methods {
		list, own := after.HooksFrom(m)
		listKey := key + ".after.hooks"
		if own {
			listKey = key + ".after." + m + ".hooks"
		}
		mh := flow.MethodHooks{After: append([]flow.AfterHook{}, extra...)}
		for i, h := range list {
			switch h.Hook {
			case "session":
				mh.IssueSession = true
			case "revoke_active_sessions":
				mh.After = append(mh.After, &hook.RevokeActiveSessions{Sessions: a.Store})
			case "web_hook":
				wh, err := a.webHook(ctx, fmt.Sprintf("%s[%d]", listKey, i), h.Config)
				if err != nil {
					return out, err
				}
				if wh.Ignore {
					mh.After = append(mh.After, wh)
				} else {
					mh.Checks = append(mh.Checks, wh)
				}
			}
		}
		out.ByMethod[m] = mh
	}
	return out, nil
}

// webHook builds a web hook; its body template is read once, at start.
func (a *App) webHook(ctx context.Context, name string, c *config.WebHookConfig) (*hook.WebHook, error) {
	wh := &hook.WebHook{
		Name: name, URL: c.URL, SafeURL: config.RedactURL(c.URL), Method: c.Method,
		CanInterrupt: c.CanInterrupt, Ignore: c.Response.Ignore,
		Client: &http.Client{Timeout: 10 * time.Second}, Background: a.hookRunner, Log: a.Log, Tracer: a.Tracing.Tracer(),
		Observe: a.Metrics.HookObserver(name),
	}
	if c.Body != "" {
		body, err := readTemplate(ctx, c.Body)
		if err != nil {
			return nil, fmt.Errorf("%s.config.body: %w", name, err)
		}
		wh.Body = string(body)
	}
	if c.Auth != nil {
		wh.Auth = hook.Auth{Type: c.Auth.Type, Config: c.Auth.Config}
	}
	return wh, nil
}

// readTemplate reads a body template: a plain file path as the reference
// v0.6.3 takes it, or a file://, base64:// or http(s):// URL.
func readTemplate(ctx context.Context, ref string) ([]byte, error) {
	if !strings.Contains(ref, "://") {
		b, err := os.ReadFile(ref)
		if err != nil {
			return nil, fmt.Errorf("cannot read the template: %w", err)
		}
		return b, nil
	}
	return urlfile.Read(ctx, ref)
}
