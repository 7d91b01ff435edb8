package hook_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const goodPassword = "vD7#kq2!Lm9z"

// call is one request the hook endpoint received.
type call struct {
	method, contentType, apiKey string
	user, pass                  string
	basic                       bool
	body                        []byte
}

// endpoint is an HTTP server standing in for the app's hook receiver: it
// answers status and hands every request to the test.
func endpoint(t *testing.T, status int) (*httptest.Server, <-chan call) {
	calls := make(chan call, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := call{method: r.Method, contentType: r.Header.Get("Content-Type"), apiKey: r.Header.Get("X-Hook-Key"), body: b}
		c.user, c.pass, c.basic = r.BasicAuth()
		calls <- c
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

// next waits for the hook's request; the hook runs in the background, so
// the registration's answer may come first.
func next(t *testing.T, calls <-chan call) call {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("the web hook was not called")
		return call{}
	}
}

// withWebHook adds a web_hook after registration, next to the session hook.
func withWebHook(wh config.WebHookConfig) func(*config.Config) {
	return func(c *config.Config) {
		c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, {Hook: "web_hook", Config: &wh}}
	}
}

func start(t *testing.T, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	return testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), mutate))
}

// TestWebHookDefaultBody: without a template the hook receives the event
// as JSON: the flow and the new identity, with basic auth as configured,
// and never the request's credentials.
func TestWebHookDefaultBody(t *testing.T) {
	srv, calls := endpoint(t, http.StatusOK)
	s := start(t, withWebHook(config.WebHookConfig{URL: srv.URL + "/registered", Method: "POST",
		Auth: &config.WebHookAuth{Type: "basic_auth", Config: map[string]string{"user": "hooks", "password": "s3cret"}}}))

	f := sdk.Init(t, s, "registration")
	b := []byte(`{"method":"password","password":"` + goodPassword + `","traits":{"email":"hooked@example.com"}}`)
	// An invalid bearer token is no session, so the registration goes on;
	// the hook must still not see it.
	r := sdk.Submit(t, s, "registration", f.ID, "application/json", b, "Authorization", "Bearer not-a-session", "X-Trace", "trace-1")
	if r.Status != http.StatusOK {
		t.Fatalf("registration: %d %s", r.Status, r.Body)
	}
	var reg struct {
		Identity struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	_ = json.Unmarshal(r.Body, &reg)

	c := next(t, calls)
	if c.method != http.MethodPost || c.contentType != "application/json" {
		t.Errorf("hook request %s %q, want POST application/json", c.method, c.contentType)
	}
	if !c.basic || c.user != "hooks" || c.pass != "s3cret" {
		t.Errorf("basic auth %q:%q (%v), want hooks:s3cret", c.user, c.pass, c.basic)
	}
	var got struct {
		Flow struct {
			ID, Kind, Type string
		} `json:"flow"`
		Identity struct {
			ID     string            `json:"id"`
			Traits map[string]string `json:"traits"`
		} `json:"identity"`
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(c.body, &got); err != nil {
		t.Fatalf("hook body is not JSON: %v %s", err, c.body)
	}
	if got.Identity.ID != reg.Identity.ID || got.Identity.Traits["email"] != "hooked@example.com" {
		t.Errorf("hook identity = %+v, want %s with its traits", got.Identity, reg.Identity.ID)
	}
	if got.Flow.ID != f.ID || got.Flow.Kind != "registration" || got.Flow.Type != "api" {
		t.Errorf("hook flow = %+v, want %s registration api", got.Flow, f.ID)
	}
	if got.Headers["X-Trace"] != "trace-1" {
		t.Errorf("hook headers = %v, want the request's X-Trace", got.Headers)
	}
	if _, leaked := got.Headers["Authorization"]; leaked {
		t.Errorf("the hook received the request's Authorization header: %s", c.body)
	}
}

// TestWebHookTemplate: a Jsonnet body template (the reference's format,
// here given as base64://) shapes the body; api_key auth goes in a header;
// the configured method is used.
func TestWebHookTemplate(t *testing.T) {
	srv, calls := endpoint(t, http.StatusNoContent)
	tmpl := `function(ctx) { user: ctx.identity.id, email: ctx.identity.traits.email, kind: ctx.flow.kind }`
	s := start(t, withWebHook(config.WebHookConfig{URL: srv.URL, Method: "PUT", Body: "base64://" + base64.StdEncoding.EncodeToString([]byte(tmpl)),
		Auth: &config.WebHookAuth{Type: "api_key", Config: map[string]string{"name": "X-Hook-Key", "value": "k-123", "in": "header"}}}))
	reg := sdk.Register(t, s, "templated@example.com", goodPassword)

	c := next(t, calls)
	if c.method != http.MethodPut || c.apiKey != "k-123" || c.basic {
		t.Errorf("hook request %s, X-Hook-Key %q, basic %v; want PUT with the api key", c.method, c.apiKey, c.basic)
	}
	var got map[string]string
	if err := json.Unmarshal(c.body, &got); err != nil {
		t.Fatalf("hook body is not the template's JSON: %v %s", err, c.body)
	}
	want := map[string]string{"user": reg.Identity.Id, "email": "templated@example.com", "kind": "registration"}
	if sdk.JSON(t, got) != sdk.JSON(t, want) {
		t.Errorf("hook body = %s, want %s", c.body, sdk.JSON(t, want))
	}
}

// TestWebHookFailureKeepsRegistration: a hook endpoint that fails (500) or
// is not there at all does not cost the user the registration: the answer
// is 200 with a working session, and the identity exists.
func TestWebHookFailureKeepsRegistration(t *testing.T) {
	failing, calls := endpoint(t, http.StatusInternalServerError)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/hook"
	l.Close()

	for name, url := range map[string]string{"500": failing.URL, "closed port": closed} {
		t.Run(name, func(t *testing.T) {
			s := start(t, withWebHook(config.WebHookConfig{URL: url, Method: "POST"}))
			reg := sdk.Register(t, s, "unlucky@example.com", goodPassword)
			if got := sdk.WhoamiStatus(t, s, reg.SessionToken); got != http.StatusOK {
				t.Errorf("whoami with the registration token: %d", got)
			}
			if n := sdk.CountIdentities(t, s); n != 1 {
				t.Errorf("%d identities, want 1", n)
			}
			sdk.Login(t, s, "unlucky@example.com", goodPassword)
			if name == "500" {
				next(t, calls) // the hook was really called and really failed
			}
		})
	}
}
