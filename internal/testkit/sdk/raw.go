package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// Response is what a raw request got back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// noRedirects lets tests see redirects instead of following them.
// Its transport reports the secrets that pass to the log check.
var noRedirects = &http.Client{Transport: watch(nil), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Do sends a raw request as an app does: it asks for JSON and does not
// follow redirects. headers are name, value pairs (an Accept among them
// replaces application/json).
func Do(t testing.TB, method, url, contentType string, body []byte, headers ...string) Response {
	t.Helper()
	return Request(t, noRedirects, method, url, contentType, body, append([]string{"Accept", "application/json"}, headers...)...)
}

// Request sends a raw request with c exactly as given: only contentType
// and headers (name, value pairs) are set. Tests of endpoints that any
// HTTP client may call use it with http.DefaultClient.
func Request(t testing.TB, c *http.Client, method, url, contentType string, body []byte, headers ...string) Response {
	t.Helper()
	resp, b := send(t, c, method, url, contentType, body, headers)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// send is what Request and Browser.Do share: it builds the request, sends
// it with c and reads the whole answer, failing the test on a transport
// error. A nil body sends none. A "Host" pair in headers sets the
// request's Host, which net/http would otherwise drop from the header.
func send(t testing.TB, c *http.Client, method, url, contentType string, body []byte, headers []string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k := 0; k+1 < len(headers); k += 2 {
		if strings.EqualFold(headers[k], "Host") {
			req.Host = headers[k+1]
			continue
		}
		req.Header.Set(headers[k], headers[k+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s %s: %v", method, url, err)
	}
	return resp, b
}

// Init starts an api flow of a kind ("login", "registration", "settings")
// with raw HTTP and returns it; headers as for Do.
func Init(t testing.TB, s *testkit.Server, kind string, headers ...string) Flow {
	t.Helper()
	r := Do(t, http.MethodGet, s.PublicURL+"self-service/"+kind+"/api", "", nil, headers...)
	if r.Status != http.StatusOK {
		t.Fatalf("init %s: status %d: %s", kind, r.Status, r.Body)
	}
	return DecodeFlow(t, r.Body)
}

// Submit posts a body to a flow of a kind; headers as for Do.
func Submit(t testing.TB, s *testkit.Server, kind, id, contentType string, body []byte, headers ...string) Response {
	t.Helper()
	return Do(t, http.MethodPost, s.PublicURL+"self-service/"+kind+"?flow="+id, contentType, body, headers...)
}

// Flow is the part of a flow's wire form the tests read.
type Flow struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	State      string          `json:"state"`
	Forced     *bool           `json:"forced"`
	UI         UI              `json:"ui"`
	Identity   json.RawMessage `json:"identity"`
	RequestURL string          `json:"request_url"`
	ExpiresAt  string          `json:"expires_at"`
	IssuedAt   string          `json:"issued_at"`
}

// UI is a flow's form.
type UI struct {
	Action   string    `json:"action"`
	Method   string    `json:"method"`
	Messages []Message `json:"messages"`
	Nodes    []Node    `json:"nodes"`
}

// Node is one input.
type Node struct {
	Type       string `json:"type"`
	Group      string `json:"group"`
	Attributes struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Value    any    `json:"value"`
		Required bool   `json:"required"`
	} `json:"attributes"`
	Messages []Message `json:"messages"`
	Meta     struct {
		Label *Message `json:"label"`
	} `json:"meta"`
}

// Message is a UI text.
type Message struct {
	ID      int64          `json:"id"`
	Text    string         `json:"text"`
	Type    string         `json:"type"`
	Context map[string]any `json:"context"`
}

// WantFlow fails the test unless a response is the api flow of a kind
// ("login", "registration", "settings") answered with 400, the form with
// its messages, and returns it.
func WantFlow(t testing.TB, kind string, r Response) Flow {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 with the flow; body %s", r.Status, r.Body)
	}
	f := DecodeFlow(t, r.Body)
	if f.Type != "api" || !strings.HasSuffix(f.UI.Action, "self-service/"+kind+"?flow="+f.ID) {
		t.Errorf("answer is not the api %s flow: type %q, action %q", kind, f.Type, f.UI.Action)
	}
	return f
}

// DecodeFlow reads a flow from a body, failing the test when it is none.
func DecodeFlow(t testing.TB, body []byte) Flow {
	t.Helper()
	var f Flow
	if err := json.Unmarshal(body, &f); err != nil || f.ID == "" {
		t.Fatalf("body is not a flow (%v): %s", err, body)
	}
	return f
}

// Node returns the node with a name, or nil.
func (f Flow) Node(name string) *Node {
	for k := range f.UI.Nodes {
		if f.UI.Nodes[k].Attributes.Name == name {
			return &f.UI.Nodes[k]
		}
	}
	return nil
}

// NodeMessage returns the first message with an id on the node with a
// name, or nil.
func (f Flow) NodeMessage(name string, id int64) *Message {
	if n := f.Node(name); n != nil {
		for k := range n.Messages {
			if n.Messages[k].ID == id {
				return &n.Messages[k]
			}
		}
	}
	return nil
}

// MessageIDs lists the ids of every message on the form and its nodes,
// sorted.
func (f Flow) MessageIDs() []int64 {
	var ids []int64
	for _, m := range f.UI.Messages {
		ids = append(ids, m.ID)
	}
	for _, n := range f.UI.Nodes {
		for _, m := range n.Messages {
			ids = append(ids, m.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// HasMessage reports whether any message on the form or a node has an id.
func (f Flow) HasMessage(id int64) bool { return slices.Contains(f.MessageIDs(), id) }

// Layout is the nodes as "group/name:type" (and "=value" for submit
// buttons), the shape wire-facts describe.
func (f Flow) Layout() []string {
	var out []string
	for _, n := range f.UI.Nodes {
		s := n.Group + "/" + n.Attributes.Name + ":" + n.Attributes.Type
		if n.Attributes.Type == "submit" {
			s += "=" + strings.TrimSpace(toString(n.Attributes.Value))
		}
		out = append(out, s)
	}
	return out
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// WantError fails the test unless a response is a status in the
// reference's error envelope,
// {"error":{"code":N,"status":"<text>","message":"..."}} as
// application/json, with code an integer and status and message strings;
// it returns the envelope's inner object.
func WantError(t testing.TB, r Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	var typed struct {
		Error *struct {
			Code    int    `json:"code"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var env struct {
		Error map[string]any `json:"error"`
	}
	err := json.Unmarshal(r.Body, &typed)
	if err == nil {
		err = json.Unmarshal(r.Body, &env)
	}
	if err != nil || typed.Error == nil || env.Error == nil {
		t.Fatalf("body is not the error envelope: %v: %s", err, r.Body)
	}
	if e := typed.Error; e.Code != status || e.Status != http.StatusText(status) || e.Message == "" {
		t.Errorf("error envelope = %v, want code %d, status %q and a message", env.Error, status, http.StatusText(status))
	}
	return env.Error
}

// DecodeObject reads a JSON object from a body, failing the test when it
// is none.
func DecodeObject(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	return m
}

var (
	uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timePattern = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)"`)
)

// Normalize replaces ids and timestamps in a body, so that two answers can
// be compared for everything else.
func Normalize(body []byte) string {
	s := uuidPattern.ReplaceAllString(string(body), "<id>")
	return timePattern.ReplaceAllString(s, `"<time>"`)
}
