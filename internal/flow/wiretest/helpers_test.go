// Package wiretest records the JSON of every flow kind in every state (new,
// refused, done, expired) for api and browser clients, the session, the
// identity and the error envelope, as the real router answers them, and
// compares each answer with its golden file under testdata on every run:
// the wire cannot drift unnoticed. Ids, times, tokens and ports are
// normalised; each answer must also decode into the reference Go SDK's
// type for it. go test ./internal/flow/wiretest -update records them anew.
// Behaviour every flow kind shares on the wire is tested here too, one
// table across the five kinds.
package wiretest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/golden"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const (
	email    = "golden@example.com"
	password = "correct-horse-battery-staple-42"
	// expire moves the clock past every flow's lifespan (1h by default)
	// but not the session's (24h).
	expire = 2 * time.Hour
)

type env struct {
	*mailtest.Env
	t *testing.T
}

func start(t *testing.T) *env {
	t.Helper()
	return startWith(t, nil)
}

// startWith is start with the configuration changed by mutate.
func startWith(t *testing.T, mutate func(*config.Config)) *env {
	t.Helper()
	t.Parallel()
	return &env{Env: mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), mutate), t: t}
}

// api sends a request as a native app does (JSON, no cookies) to the
// public port; headers are name, value pairs.
func (e *env) api(method, path string, body any, headers ...string) sdk.Response {
	e.t.Helper()
	var b []byte
	ct := ""
	if body != nil {
		b, ct = sdk.Marshal(e.t, body), "application/json"
	}
	return sdk.Do(e.t, method, e.Public+path, ct, b, headers...)
}

// admin sends a request to the admin port.
func (e *env) admin(method, path string) sdk.Response {
	e.t.Helper()
	return sdk.Do(e.t, method, e.Server.AdminURL+path, "", nil)
}

// want fails the test unless r has a status.
func (e *env) want(what string, r sdk.Response, status int) sdk.Response {
	e.t.Helper()
	if r.Status != status {
		e.t.Fatalf("%s: status %d, want %d; body %s", what, r.Status, status, r.Body)
	}
	return r
}

// flowID is the flow id a redirect's Location carries (as ?flow= or ?id=).
func flowID(t testing.TB, loc string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"flow", "id"} {
		if id := u.Query().Get(k); id != "" {
			return id
		}
	}
	t.Fatalf("Location %q carries no flow id", loc)
	return ""
}

// check compares a JSON answer, normalised, with testdata/<name>.json and
// checks that the reference SDK decodes it into T, as it does when an app
// calls the endpoint.
func check[T any](e *env, name string, body []byte) {
	e.t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil && !detailsOnly(body, err) {
		e.t.Errorf("%s: the SDK cannot decode the answer into %T: %v", name, v, err)
	} else if err == nil {
		// The SDK's models do not check required fields; what they send
		// back must be what was answered, or a field is missing or of
		// another shape.
		back, _ := json.Marshal(v)
		var sent, read any
		_ = json.Unmarshal(body, &sent)
		_ = json.Unmarshal(back, &read)
		if p := notIn(read, sent, ""); p != "" {
			e.t.Errorf("%s: decoded into %T, the answer reads differently at %s: %s", name, v, p, back)
		}
	}
	golden.Check(e.t, name+".json", e.normalize(body))
}

// detailsOnly reports whether err is only the SDK's GenericError failing
// on details: it types them as objects of objects, while the reference
// sends strings there (redirect_to, api), so its SDK hands such an answer
// to the app as an error with the body. Everything else must decode.
func detailsOnly(body []byte, err error) bool {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || !strings.HasPrefix(te.Field, "error.details") {
		return false
	}
	var m map[string]map[string]any
	if json.Unmarshal(body, &m) != nil || m["error"] == nil {
		return false
	}
	delete(m["error"], "details")
	var v client.JsonError
	b, _ := json.Marshal(m)
	return json.Unmarshal(b, &v) == nil && v.Error.Message != ""
}

// notIn returns the path of the first value in read that sent does not
// have, "" when read is all in sent.
func notIn(read, sent any, path string) string {
	switch r := read.(type) {
	case map[string]any:
		s, ok := sent.(map[string]any)
		if !ok {
			return path
		}
		for k, v := range r {
			sv, ok := s[k]
			if !ok {
				return path + "." + k
			}
			if p := notIn(v, sv, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		s, ok := sent.([]any)
		if !ok || len(s) != len(r) {
			return path
		}
		for k := range r {
			if p := notIn(r[k], s[k], fmt.Sprintf("%s[%d]", path, k)); p != "" {
				return p
			}
		}
	default:
		if read != sent {
			return path
		}
	}
	return ""
}

var (
	uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// Zero times are what the reference sends on stubs; they stay.
	timePattern     = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d))"`)
	tokenPattern    = regexp.MustCompile(`"[A-Za-z0-9_\-+/=]{32,}"`)
	urlTokenPattern = regexp.MustCompile(`token=[A-Za-z0-9_\-%]+`)
)

// normalize indents a JSON body and replaces what changes from run to
// run: each distinct UUID by <id-N> in order of appearance (so that a flow
// id and the same id in its action URL still match), times by <time>,
// tokens by <token>, and the listeners' ports by the reference's 4433
// (public) and 4434 (admin).
func (e *env) normalize(body []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		e.t.Fatalf("answer is not JSON: %v: %s", err, body)
	}
	s := buf.String()
	ids := map[string]string{}
	s = uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
		if id == "00000000-0000-0000-0000-000000000000" {
			return id
		}
		if _, ok := ids[id]; !ok {
			ids[id] = fmt.Sprintf("<id-%d>", len(ids)+1)
		}
		return ids[id]
	})
	s = timePattern.ReplaceAllStringFunc(s, func(ts string) string {
		if strings.HasPrefix(ts, `"0001-01-01T00:00:00`) {
			return ts
		}
		return `"<time>"`
	})
	s = urlTokenPattern.ReplaceAllString(s, "token=<token>")
	s = tokenPattern.ReplaceAllString(s, `"<token>"`)
	s = strings.NewReplacer(
		strings.TrimSuffix(strings.TrimPrefix(e.Public, "http://"), "/"), "127.0.0.1:4433",
		strings.TrimSuffix(strings.TrimPrefix(e.Server.AdminURL, "http://"), "/"), "127.0.0.1:4434",
	).Replace(s)
	return []byte(s + "\n")
}

// browser is a browser profile on the public port.
type browser struct {
	*sdk.Browser
	e *env
}

func (e *env) browser() *browser { return &browser{Browser: e.Env.Browser(), e: e} }

// init starts a browser flow of a kind and returns its id; the answer is
// a 302 to the kind's UI.
func (b *browser) init(kind string) string {
	b.T.Helper()
	r := b.Get(b.e.Public + "self-service/" + kind + "/browser")
	loc := r.Location(b.T).String()
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, mailtest.UIBase+kind+"?flow=") {
		b.T.Fatalf("browser %s init: %d to %s, want 302 to the UI", kind, r.StatusCode, loc)
	}
	return flowID(b.T, loc)
}

// fetch reads a flow as the app's page does, with the browser's cookies,
// and checks it answered status.
func (b *browser) fetch(kind, id string, status int) []byte {
	b.T.Helper()
	r := b.Get(b.e.Public+"self-service/"+kind+"/flows?id="+id, "Accept", "application/json")
	if r.StatusCode != status {
		b.T.Fatalf("fetch %s flow: %d, want %d; body %s", kind, r.StatusCode, status, r.Body)
	}
	return r.Body
}

// form posts a form to a flow's action with the browser's CSRF token and
// returns the flow id of the 302's Location, which must start with want.
func (b *browser) form(kind, id string, v url.Values, want string) string {
	b.T.Helper()
	v.Set("csrf_token", b.CSRFToken())
	r := b.PostForm(b.e.Public+"self-service/"+kind+"?flow="+id, v)
	loc := r.Location(b.T).String()
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, want) {
		b.T.Fatalf("submit %s form: %d to %s, want 302 to %s...; body %s", kind, r.StatusCode, loc, want, r.Body)
	}
	if strings.Contains(loc, "flow=") || strings.Contains(loc, "id=") {
		return flowID(b.T, loc)
	}
	return ""
}

// json posts a JSON body with the browser's CSRF token and cookies, as a
// single-page app does, and checks it answered status.
func (b *browser) json(kind, id string, body map[string]any, status int) []byte {
	b.T.Helper()
	body["csrf_token"] = b.CSRFToken()
	r := b.Do(http.MethodPost, b.e.Public+"self-service/"+kind+"?flow="+id, "application/json", sdk.Marshal(b.T, body), "Accept", "application/json")
	if r.StatusCode != status {
		b.T.Fatalf("submit %s as JSON: %d, want %d; body %s", kind, r.StatusCode, status, r.Body)
	}
	return r.Body
}

// signUp registers the golden identity through an api flow and returns
// its session token.
func (e *env) signUp() string {
	e.t.Helper()
	out := sdk.Register(e.t, e.Server, email, password)
	return out.GetSessionToken()
}

// signIn signs a browser in with a password form.
func (b *browser) signIn() {
	b.T.Helper()
	id := b.init("login")
	b.form("login", id, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {password}}, mailtest.UIBase+"home")
}

// sdk_id is the "id" of a JSON object.
func sdk_id(t testing.TB, body []byte) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ID == "" {
		t.Fatalf("answer has no id: %s", body)
	}
	return v.ID
}
