package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-jsonnet"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/text"
)

// WebHook calls an HTTP endpoint before or after a flow, as the
// reference's web_hook does. By default it runs in line: the flow waits,
// and a failure fails the flow with a message to the user. With Ignore it
// runs in the background (Background), retried, and never fails the flow.
// With CanInterrupt a 4xx answer carrying messages refuses the flow and
// shows them.
type WebHook struct {
	// Name is the hook's configuration key, for logs. URL is never logged
	// as written: it may carry credentials.
	Name   string
	URL    string
	Method string
	// Body is a Jsonnet template called with the event as ctx; empty
	// sends the event as JSON.
	Body         string
	Auth         Auth
	CanInterrupt bool
	Ignore       bool
	Client       *http.Client
	Background   *Background
	Log          *slog.Logger
	// SafeURL is URL with its credentials hidden, for logs.
	SafeURL string
	// Tracer, when set, gets a client span per call, and the call carries
	// its traceparent so the endpoint's trace joins the flow's.
	Tracer trace.Tracer
	// Observe, when set, gets every call's duration and outcome (metrics).
	Observe func(d time.Duration, err error)
}

// Auth is the web hook's authentication: api_key or basic_auth.
type Auth struct {
	Type   string
	Config map[string]string
}

// payload is the Jsonnet context, with the reference's names.
type payload struct {
	Flow           any                 `json:"flow"`
	Identity       any                 `json:"identity"`
	RequestHeaders map[string][]string `json:"request_headers"`
	RequestMethod  string              `json:"request_method"`
	RequestURL     string              `json:"request_url"`
}

// flowView is the flow as the API shows it, with its kind and method.
type flowView struct {
	flow.Common
	Kind     flow.Kind `json:"kind"`
	State    string    `json:"state,omitempty"`
	Active   string    `json:"active,omitempty"`
	Forced   bool      `json:"forced,omitempty"`
	ReturnTo string    `json:"return_to,omitempty"`
}

// secretHeaders never leave the server, whatever a template asks for.
var secretHeaders = map[string]bool{"Cookie": true, "Authorization": true, "X-Session-Token": true}

func newPayload(f *flow.Flow, identity any, r *http.Request) payload {
	p := payload{Identity: identity, RequestHeaders: map[string][]string{}}
	if f != nil {
		p.Flow = flowView{Common: f.Common(), Kind: f.Kind, State: f.State, Active: f.Active, Forced: f.Forced, ReturnTo: f.ReturnTo}
		p.RequestURL = f.RequestURL
	}
	if r != nil {
		p.RequestMethod = r.Method
		for k, v := range r.Header {
			if !secretHeaders[http.CanonicalHeaderKey(k)] {
				p.RequestHeaders[k] = v
			}
		}
	}
	return p
}

// After implements flow.AfterHook.
func (h *WebHook) After(ctx context.Context, ev flow.Event) error {
	var id any
	if ev.Identity != nil {
		id = ev.Identity
	}
	err := h.run(ctx, newPayload(ev.Flow, id, ev.Request))
	var refused *refusal
	switch {
	case err == nil:
		return nil
	case ev.Flow == nil && errors.As(err, &refused):
		return httpx.ErrBadRequest.WithReason("%s", refused.text())
	case ev.Flow == nil:
		return httpx.ErrInternal.WithReason("A web hook this flow depends on failed. Try again later.")
	case errors.As(err, &refused):
		refused.show(ev.Flow)
	default:
		ev.Flow.UI.AddMessage(text.HookFailed())
	}
	return flow.ErrInvalid
}

// Before implements flow.BeforeHook: a failure refuses to start the flow.
func (h *WebHook) Before(ctx context.Context, r *http.Request, f *flow.Flow) error {
	err := h.run(ctx, newPayload(f, nil, r))
	var refused *refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return httpx.ErrBadRequest.WithReason("%s", refused.text())
	}
	return httpx.ErrInternal.WithReason("A web hook this flow depends on failed; nothing was started. Try again later.")
}

// run renders the body and calls the endpoint, in line or in the
// background.
func (h *WebHook) run(ctx context.Context, p payload) error {
	body, err := h.render(p)
	if err != nil {
		h.Log.ErrorContext(ctx, "web hook body template failed; hook not called", "hook", h.Name, "url", h.SafeURL, "error", err.Error())
		return err
	}
	if h.Ignore {
		// The call outlives the request; its spans stay in the flow's trace.
		parent := trace.SpanContextFromContext(ctx)
		h.Background.Go(h.Name, h.SafeURL, func(ctx context.Context) error {
			return h.send(trace.ContextWithSpanContext(ctx, parent), body)
		})
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.send(ctx, body); err != nil {
		var refused *refusal
		if !errors.As(err, &refused) {
			h.Log.WarnContext(ctx, "web hook failed; the flow was refused", "hook", h.Name, "url", h.SafeURL, "error", err.Error())
		}
		return err
	}
	return nil
}

func (h *WebHook) render(p payload) ([]byte, error) {
	ctxJSON, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if h.Body == "" {
		return ctxJSON, nil
	}
	vm := jsonnet.MakeVM()
	vm.ExtCode("ctx", string(ctxJSON))
	vm.TLACode("ctx", string(ctxJSON))
	out, err := vm.EvaluateAnonymousSnippet("web_hook_body.jsonnet", h.Body)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

func (h *WebHook) send(ctx context.Context, body []byte) (err error) {
	start := time.Now()
	if h.Tracer != nil {
		var span trace.Span
		// The URL is left out: it may carry credentials.
		ctx, span = h.Tracer.Start(ctx, "web_hook", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("http.request.method", strings.ToUpper(h.Method))))
		defer func() {
			if err != nil {
				span.SetStatus(codes.Error, "web hook failed")
			}
			span.End()
		}()
	}
	if h.Observe != nil {
		defer func() { h.Observe(time.Since(start), err) }()
	}
	method := strings.ToUpper(h.Method)
	var rd io.Reader
	if method != http.MethodGet && method != http.MethodDelete && method != http.MethodHead {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.URL, rd)
	if err != nil {
		return fmt.Errorf("cannot build the request: %s", strings.ReplaceAll(err.Error(), h.URL, h.SafeURL))
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	switch h.Auth.Type {
	case "api_key":
		if h.Auth.Config["in"] == "cookie" {
			req.AddCookie(&http.Cookie{Name: h.Auth.Config["name"], Value: h.Auth.Config["value"]})
		} else {
			req.Header.Set(h.Auth.Config["name"], h.Auth.Config["value"])
		}
	case "basic_auth":
		req.SetBasicAuth(h.Auth.Config["user"], h.Auth.Config["password"])
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		// Transport errors quote the URL; log only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("the endpoint cannot be reached: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 300 {
		return nil
	}
	if h.CanInterrupt && resp.StatusCode >= 400 && resp.StatusCode < 500 {
		if r := parseRefusal(raw); r != nil {
			return r
		}
	}
	return fmt.Errorf("the endpoint answered %s", resp.Status)
}
