package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-jsonnet"

	"github.com/latchkey/latchkey/internal/flow"
)

// WebHook calls an HTTP endpoint after a flow. It runs in the background
// with a timeout: a slow or failing endpoint is logged and never holds up or
// undoes the user's flow.
type WebHook struct {
	URL    string
	Method string
	// Body is a Jsonnet template (the reference's format) called with the
	// event as ctx; empty sends the event as JSON.
	Body   string
	Auth   Auth
	Client *http.Client
	Log    *slog.Logger

	wg sync.WaitGroup
}

// Auth is the web hook's authentication: api_key or basic_auth.
type Auth struct {
	Type   string
	Config map[string]string
}

// payload is what the template (or the body) sees.
type payload struct {
	Flow          flowInfo          `json:"flow"`
	Identity      any               `json:"identity"`
	RequestURL    string            `json:"request_url"`
	RequestMethod string            `json:"request_method"`
	Headers       map[string]string `json:"headers"`
}

type flowInfo struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Type   string `json:"type"`
	Active string `json:"active,omitempty"`
}

// secretHeaders never leave the server, whatever a template asks for.
var secretHeaders = map[string]bool{"Cookie": true, "Authorization": true, "X-Session-Token": true}

// After implements flow.AfterHook.
func (h *WebHook) After(ctx context.Context, ev flow.Event) error {
	p := payload{
		Flow:     flowInfo{ID: ev.Flow.ID.String(), Kind: string(ev.Flow.Kind), Type: string(ev.Flow.Type), Active: ev.Flow.Active},
		Identity: ev.Identity, RequestURL: ev.Flow.RequestURL, Headers: map[string]string{},
	}
	if ev.Request != nil {
		p.RequestMethod = ev.Request.Method
		for k, v := range ev.Request.Header {
			if !secretHeaders[http.CanonicalHeaderKey(k)] && len(v) > 0 {
				p.Headers[k] = v[0]
			}
		}
	}
	body, err := h.render(p)
	if err != nil {
		h.Log.ErrorContext(ctx, "web hook body template failed; hook not called", "url", h.URL, "error", err.Error())
		return nil
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := h.send(ctx, body); err != nil {
			h.Log.WarnContext(ctx, "web hook failed", "url", h.URL, "flow", p.Flow.Kind, "error", err.Error())
		}
	}()
	return nil
}

// Wait blocks until calls in flight have finished, for shutdown.
func (h *WebHook) Wait() { h.wg.Wait() }

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

func (h *WebHook) send(ctx context.Context, body []byte) error {
	method := strings.ToUpper(h.Method)
	var rd io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.URL, rd)
	if err != nil {
		return err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
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
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}
