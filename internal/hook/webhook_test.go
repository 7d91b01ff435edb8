package hook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const goodPassword = "vD7#kq2!Lm9z"

// call is one request the hook receiver got.
type call struct {
	path, method, contentType, apiKey, cookie string
	user, pass                                string
	basic                                     bool
	body                                      []byte
}

// receiver stands in for an app's hook endpoint: it answers each request
// with the next of answers (the last one repeats) and hands it to the test.
type receiver struct {
	*httptest.Server
	calls chan call
}

type answer struct {
	status int
	body   string
}

func newReceiver(t *testing.T, answers ...answer) *receiver {
	rc := &receiver{calls: make(chan call, 32)}
	var mu sync.Mutex
	n := 0
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := call{path: r.URL.Path, method: r.Method, contentType: r.Header.Get("Content-Type"), apiKey: r.Header.Get("X-Hook-Key"), body: b}
		if ck, err := r.Cookie("hook_key"); err == nil {
			c.cookie = ck.Value
		}
		c.user, c.pass, c.basic = r.BasicAuth()
		mu.Lock()
		a := answer{status: http.StatusOK}
		if len(answers) > 0 {
			a = answers[min(n, len(answers)-1)]
		}
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
		rc.calls <- c
	}))
	t.Cleanup(rc.Close)
	return rc
}

// next waits for the receiver's next request.
func (rc *receiver) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-rc.calls:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("the web hook was not called")
		return call{}
	}
}

// none checks that no further request arrived; in-line hooks have
// answered before the flow does, so there is nothing to wait for.
func (rc *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case c := <-rc.calls:
		t.Errorf("unexpected hook call to %s", c.path)
	default:
	}
}

func webHook(url string, mutate ...func(*config.WebHookConfig)) config.Hook {
	c := &config.WebHookConfig{URL: url, Method: "POST"}
	for _, m := range mutate {
		m(c)
	}
	return config.Hook{Hook: "web_hook", Config: c}
}

func start(t *testing.T, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	return testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), mutate))
}

func register(t *testing.T, s *testkit.Server, email string, headers ...string) sdk.Response {
	t.Helper()
	f := sdk.Init(t, s, "registration")
	b := []byte(`{"method":"password","password":"` + goodPassword + `","traits":{"email":"` + email + `"}}`)
	return sdk.Submit(t, s, "registration", f.ID, "application/json", b, headers...)
}

// TestWebHookPayloadAndAuth: without a template the hook receives the
// Jsonnet context as JSON with the reference's names: the whole flow, the
// identity, request_headers, request_method and request_url; basic auth is
// sent as configured, and never the request's credentials.
func TestWebHookPayloadAndAuth(t *testing.T) {
	rc := newReceiver(t)
	s := start(t, func(c *config.Config) {
		c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(rc.URL+"/registered", func(w *config.WebHookConfig) {
			w.Auth = &config.WebHookAuth{Type: "basic_auth", Config: map[string]string{"user": "hooks", "password": "s3cret"}}
		})}
	})
	r := register(t, s, "hooked@example.com", "Authorization", "Bearer not-a-session", "X-Trace", "trace-1")
	if r.Status != http.StatusOK {
		t.Fatalf("registration: %d %s", r.Status, r.Body)
	}
	var reg struct {
		Identity struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	_ = json.Unmarshal(r.Body, &reg)
	c := rc.next(t)
	if c.method != http.MethodPost || c.contentType != "application/json" || !c.basic || c.user != "hooks" || c.pass != "s3cret" {
		t.Errorf("hook request %s %q, basic %v %q:%q; want POST JSON with hooks:s3cret", c.method, c.contentType, c.basic, c.user, c.pass)
	}
	var got struct {
		Flow struct {
			ID         string `json:"id"`
			Type       string `json:"type"`
			Active     string `json:"active"`
			RequestURL string `json:"request_url"`
			UI         struct {
				Action string `json:"action"`
			} `json:"ui"`
		} `json:"flow"`
		Identity struct {
			ID     string            `json:"id"`
			Traits map[string]string `json:"traits"`
		} `json:"identity"`
		RequestHeaders map[string][]string `json:"request_headers"`
		RequestMethod  string              `json:"request_method"`
		RequestURL     string              `json:"request_url"`
	}
	if err := json.Unmarshal(c.body, &got); err != nil {
		t.Fatalf("hook body is not JSON: %v %s", err, c.body)
	}
	if got.Identity.ID != reg.Identity.ID || got.Identity.Traits["email"] != "hooked@example.com" {
		t.Errorf("identity = %+v, want %s with its traits", got.Identity, reg.Identity.ID)
	}
	if got.Flow.Type != "api" || got.Flow.Active != "password" || got.Flow.UI.Action == "" || got.Flow.RequestURL == "" {
		t.Errorf("flow = %+v, want the whole api flow with its ui and method", got.Flow)
	}
	if got.RequestMethod != http.MethodPost || got.RequestHeaders["X-Trace"][0] != "trace-1" || !strings.Contains(got.RequestURL, "/self-service/registration") {
		t.Errorf("request_method %q, request_headers %v, request_url %q", got.RequestMethod, got.RequestHeaders, got.RequestURL)
	}
	if _, leaked := got.RequestHeaders["Authorization"]; leaked {
		t.Errorf("the hook received the request's Authorization header: %s", c.body)
	}
}

// TestWebHookBodyTemplatesAndAPIKeys: the body template is a plain file
// path (as the reference v0.6.3 takes it), a file:// or a base64:// URL;
// api_key auth goes in a header or a cookie.
func TestWebHookBodyTemplatesAndAPIKeys(t *testing.T) {
	tmpl := `function(ctx) { user: ctx.identity.id, email: ctx.identity.traits.email, method: ctx.request_method }`
	path := filepath.Join(t.TempDir(), "body.jsonnet")
	if err := os.WriteFile(path, []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		body, in string
	}{
		"plain path, header": {path, "header"},
		"file URL, cookie":   {"file://" + path, "cookie"},
		"base64, header":     {"base64://" + base64.StdEncoding.EncodeToString([]byte(tmpl)), "header"},
	} {
		t.Run(name, func(t *testing.T) {
			rc := newReceiver(t)
			keyName := "X-Hook-Key"
			if tc.in == "cookie" {
				keyName = "hook_key"
			}
			s := start(t, func(c *config.Config) {
				c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(rc.URL, func(w *config.WebHookConfig) {
					w.Method, w.Body = "PUT", tc.body
					w.Auth = &config.WebHookAuth{Type: "api_key", Config: map[string]string{"name": keyName, "value": "k-123", "in": tc.in}}
				})}
			})
			reg := sdk.Register(t, s, "templated@example.com", goodPassword)
			c := rc.next(t)
			key := c.apiKey
			if tc.in == "cookie" {
				key = c.cookie
			}
			if c.method != http.MethodPut || key != "k-123" {
				t.Errorf("hook request %s, key in %s %q; want PUT with the key", c.method, tc.in, key)
			}
			want := `{"email":"templated@example.com","method":"POST","user":"` + reg.Identity.Id + `"}`
			var gotBody map[string]string
			_ = json.Unmarshal(c.body, &gotBody)
			if sdk.JSON(t, gotBody) != want {
				t.Errorf("hook body = %s, want %s", c.body, want)
			}
		})
	}
}

// TestInlineWebHookFailureFailsTheFlow: a hook the flow waits for that
// fails (500, or nothing listening) fails the registration with a message
// to the user, and nothing is written: no identity, no session.
func TestInlineWebHookFailureFailsTheFlow(t *testing.T) {
	failing := newReceiver(t, answer{status: http.StatusInternalServerError})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/hook"
	l.Close()
	for name, url := range map[string]string{"500": failing.URL, "closed port": closed} {
		t.Run(name, func(t *testing.T) {
			s := start(t, func(c *config.Config) {
				c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(url)}
			})
			r := register(t, s, "unlucky@example.com")
			if r.Status != http.StatusBadRequest {
				t.Fatalf("registration with a failing hook: %d %s, want 400 with the form", r.Status, r.Body)
			}
			if f := sdk.DecodeFlow(t, r.Body); !f.HasMessage(5000001) {
				t.Errorf("the form does not say what happened: %s", r.Body)
			}
			if n := sdk.CountIdentities(t, s); n != 0 {
				t.Errorf("%d identities after a refused registration, want 0", n)
			}
		})
	}
}

// TestIgnoredWebHookRunsInTheBackground: with response.ignore the flow
// succeeds although the endpoint fails, and the call is retried until it
// gets through.
func TestIgnoredWebHookRunsInTheBackground(t *testing.T) {
	rc := newReceiver(t, answer{status: http.StatusServiceUnavailable}, answer{status: http.StatusOK})
	var logs syncBuffer
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(rc.URL, func(w *config.WebHookConfig) { w.Response.Ignore = true })}
	})
	s := testkit.StartWith(t, cfg, testkit.Options{Log: &logs})
	reg := sdk.Register(t, s, "patient@example.com", goodPassword)
	if sdk.WhoamiStatus(t, s, reg.SessionToken) != http.StatusOK {
		t.Error("the registration's session does not work")
	}
	rc.next(t) // refused with 503
	rc.next(t) // retried
	if !strings.Contains(logs.String(), "selfservice.flows.registration.after.password.hooks[1]") {
		t.Errorf("the retry was not logged with the hook's name:\n%s", logs.String())
	}
}

// TestInterruptingWebHookShowsItsMessages: with can_interrupt, a 4xx
// answer with messages refuses the registration and shows them, on the
// field its instance_ptr names; nothing is written.
func TestInterruptingWebHookShowsItsMessages(t *testing.T) {
	refusal := `{"messages":[{"instance_ptr":"#/traits/email","messages":[{"id":4000100,"text":"This address is on our block list.","type":"validation"}]},{"messages":[{"id":4000101,"text":"Ask support."}]}]}`
	rc := newReceiver(t, answer{status: http.StatusForbidden, body: refusal})
	s := start(t, func(c *config.Config) {
		c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(rc.URL, func(w *config.WebHookConfig) { w.CanInterrupt = true })}
	})
	r := register(t, s, "blocked@example.com")
	if r.Status != http.StatusBadRequest {
		t.Fatalf("registration: %d %s, want 400 with the hook's messages", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	if m := f.NodeMessage("traits.email", 4000100); m == nil || m.Text != "This address is on our block list." {
		t.Errorf("traits.email does not carry the hook's message: %s", r.Body)
	}
	if !f.HasMessage(4000101) {
		t.Errorf("the form does not carry the hook's general message: %s", r.Body)
	}
	if n := sdk.CountIdentities(t, s); n != 0 {
		t.Errorf("%d identities after an interrupted registration, want 0", n)
	}
}

// TestHookOrderAndPerMethodLists: before hooks run when a flow starts;
// after hooks run in their configured order; a method's own list replaces
// the flow's, and login runs its hooks before the session is issued.
func TestHookOrderAndPerMethodLists(t *testing.T) {
	rc := newReceiver(t)
	s := start(t, func(c *config.Config) {
		f := &c.SelfService.Flows
		f.Registration.Before.Hooks = []config.Hook{webHook(rc.URL + "/registration-before")}
		f.Registration.After.Hooks = []config.Hook{webHook(rc.URL + "/registration-flow-list")}
		f.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(rc.URL + "/registration-1"), webHook(rc.URL + "/registration-2")}
		f.Login.Before.Hooks = []config.Hook{webHook(rc.URL + "/login-before")}
		f.Login.After.Hooks = []config.Hook{webHook(rc.URL + "/login-after")}
	})
	sdk.Register(t, s, "ordered@example.com", goodPassword)
	sdk.Login(t, s, "ordered@example.com", goodPassword)
	var got []string
	for range 5 {
		got = append(got, rc.next(t).path)
	}
	rc.none(t)
	want := "/registration-before /registration-1 /registration-2 /login-before /login-after"
	if strings.Join(got, " ") != want {
		t.Errorf("hook calls %v, want %s (the flow's list is replaced by the method's)", got, want)
	}
}

// TestBeforeHookFailureRefusesTheFlow: a failing before hook stops the
// flow from starting.
func TestBeforeHookFailureRefusesTheFlow(t *testing.T) {
	rc := newReceiver(t, answer{status: http.StatusInternalServerError})
	s := start(t, func(c *config.Config) { c.SelfService.Flows.Login.Before.Hooks = []config.Hook{webHook(rc.URL)} })
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api", "", nil)
	if r.Status != http.StatusInternalServerError || !strings.Contains(string(r.Body), "web hook") {
		t.Errorf("login init with a failing before hook: %d %s", r.Status, r.Body)
	}
}

// TestHookURLCredentialsNeverReachTheLog: a hook URL with a password or a
// token in its query is logged only redacted, when it fails and when it is
// retried.
func TestHookURLCredentialsNeverReachTheLog(t *testing.T) {
	rc := newReceiver(t, answer{status: http.StatusInternalServerError})
	secretURL := strings.Replace(rc.URL, "http://", "http://hookuser:hunter2-password@", 1) + "/h?token=tok-987654"
	var logs syncBuffer
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}, webHook(secretURL)}
		c.SelfService.Flows.Login.After.Hooks = []config.Hook{webHook(secretURL, func(w *config.WebHookConfig) { w.Response.Ignore = true })}
	})
	s := testkit.StartWith(t, cfg, testkit.Options{Log: &logs})
	register(t, s, "secret@example.com")
	rc.next(t)
	if !strings.Contains(logs.String(), "web hook failed") {
		t.Fatalf("the failure was not logged:\n%s", logs.String())
	}
	for _, secret := range []string{"hunter2-password", "tok-987654", "hookuser"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs.String())
		}
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
