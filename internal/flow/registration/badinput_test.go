package registration_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// answer kinds a bad request may get: the error envelope, or the flow with
// an error message (on the form or on a node).
const (
	envelope = "envelope"
	flowMsg  = "flow"
)

// TestBadInput throws what clients and attackers send at the submit
// endpoint. Each gets a clear 4xx (never a 5xx, never a success) and
// nothing is written. A body that cannot be read (any content type but
// JSON and forms included) is, as in the reference, the flow with a
// 4000001 saying why; one over the size limit is a 413.
func TestBadInput(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	const js, form = "application/json", "application/x-www-form-urlencoded"
	mb := strings.Repeat("a", 1<<20)
	pw := sdk.GoodPassword
	cases := []struct {
		name        string
		contentType string
		body        string
		status      int
		kind        string
		node        string // for flow answers: the node that must carry an error ("" = anywhere)
	}{
		{"malformed JSON", js, `{"method":"password",,"password":"x"}`, 400, flowMsg, ""},
		{"truncated JSON", js, `{"method":"password","password":"` + pw + `","traits":{"email":"t@example.com"`, 400, flowMsg, ""},
		{"trailing data", js, `{"method":"password"} {"method":"password"}`, 400, flowMsg, ""},
		{"empty body", js, ``, 400, flowMsg, ""},
		{"JSON array", js, `[{"method":"password"}]`, 400, flowMsg, ""},
		{"JSON string", js, `"password"`, 400, flowMsg, ""},
		{"deep nesting", js, `{"method":"password","traits":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, 400, flowMsg, ""},
		{"number out of range", js, `{"method":"password","password":1e999,"traits":{"email":"n@example.com"}}`, 400, flowMsg, ""},
		{"password is a number", js, `{"method":"password","password":123,"traits":{"email":"n@example.com"}}`, 400, flowMsg, "password"},
		{"traits is a string", js, `{"method":"password","password":"` + pw + `","traits":"x"}`, 400, flowMsg, ""},
		{"email is a number", js, `{"method":"password","password":"` + pw + `","traits":{"email":123}}`, 400, flowMsg, "traits.email"},
		{"email is an object", js, `{"method":"password","password":"` + pw + `","traits":{"email":{"$ne":""}}}`, 400, flowMsg, "traits.email"},
		{"unknown trait", js, `{"method":"password","password":"` + pw + `","traits":{"email":"u@example.com","admin":true}}`, 400, flowMsg, ""},
		{"duplicate top-level key", js, `{"method":"password","password":"` + pw + `","password":"x","traits":{"email":"d@example.com"}}`, 400, flowMsg, ""},
		{"duplicate trait key", js, `{"method":"password","password":"` + pw + `","traits":{"email":"d@example.com","email":"e@example.com"}}`, 400, flowMsg, ""},
		{"escaped NUL in email", js, `{"method":"password","password":"` + pw + `","traits":{"email":"nul\u0000@example.com"}}`, 400, flowMsg, ""},
		{"escaped NUL in password", js, `{"method":"password","password":"` + pw + `\u0000","traits":{"email":"nul@example.com"}}`, 400, flowMsg, ""},
		{"raw NUL byte", js, "{\"method\":\"password\",\"password\":\"" + pw + "\",\"traits\":{\"email\":\"nul\x00@example.com\"}}", 400, flowMsg, ""},
		{"invalid UTF-8 in email", js, "{\"method\":\"password\",\"password\":\"" + pw + "\",\"traits\":{\"email\":\"\xff\xfe@example.com\"}}", 400, flowMsg, ""},
		{"invalid UTF-8 in password", js, "{\"method\":\"password\",\"password\":\"" + pw + "\xc3\x28\",\"traits\":{\"email\":\"u8@example.com\"}}", 400, flowMsg, ""},
		{"2 KB password", js, `{"method":"password","password":"` + strings.Repeat("Xy7#", 512) + `","traits":{"email":"long@example.com"}}`, 400, flowMsg, "password"},
		{"1 MB password", js, `{"method":"password","password":"` + mb + `","traits":{"email":"big@example.com"}}`, 413, envelope, ""},
		{"1 MB trait", js, `{"method":"password","password":"` + pw + `","traits":{"email":"big@example.com","name":"` + mb + `"}}`, 413, envelope, ""},
		{"1 MB form", form, url.Values{"method": {"password"}, "password": {mb}, "traits.email": {"big@example.com"}}.Encode(), 413, envelope, ""},
		{"form: NUL in email", form, "method=password&password=" + url.QueryEscape(pw) + "&traits.email=nul%00%40example.com", 400, flowMsg, ""},
		{"form: invalid UTF-8 in email", form, "method=password&password=" + url.QueryEscape(pw) + "&traits.email=%FF%FE%40example.com", 400, flowMsg, "traits.email"},
		{"form: invalid UTF-8 in password", form, "method=password&password=" + url.QueryEscape(pw) + "%C3%28&traits.email=u8%40example.com", 400, flowMsg, "password"},
		{"form: malformed escape", form, "method=password&password=%zz&traits.email=x%40example.com", 400, flowMsg, ""},
		{"unsupported content type", "text/plain", `method=password`, 400, flowMsg, ""},
		{"no content type", "", `{"method":"password"}`, 400, flowMsg, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := sdk.Init(t, s, "registration")
			r := sdk.Submit(t, s, "registration", f.ID, c.contentType, []byte(c.body))
			switch c.kind {
			case envelope:
				sdk.WantError(t, r, c.status)
			case flowMsg:
				got := sdk.WantFlow(t, "registration", r)
				if got.ID != f.ID {
					t.Errorf("answered flow %s, want %s", got.ID, f.ID)
				}
				if c.node != "" && len(got.Node(c.node).Messages) == 0 {
					t.Errorf("node %s carries no message; messages %v", c.node, got.MessageIDs())
				}
				if len(got.MessageIDs()) == 0 {
					t.Errorf("the flow carries no message: %s", r.Body)
				}
			}
		})
	}
	wantNoIdentities(t, s)
}

// TestFlowOfAnotherKind: a login or settings flow id submitted as a
// registration is unknown here (404), a missing or malformed one is 400,
// and none writes anything.
func TestFlowOfAnotherKind(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	other := sdk.Register(t, s, "owner@example.com", sdk.GoodPassword)
	login := sdk.Init(t, s, "login")
	settings := sdk.Init(t, s, "settings", "X-Session-Token", other.SessionToken)
	for _, id := range []string{login.ID, settings.ID} {
		r := sdk.Submit(t, s, "registration", id, "application/json", body(t, "password", "x@example.com", sdk.GoodPassword))
		sdk.WantError(t, r, http.StatusNotFound)
	}
	for q, status := range map[string]int{"": 400, "?flow=": 400, "?flow=not-a-uuid": 400, "?flow=2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90": 404} {
		r := sdk.Do(t, http.MethodPost, s.PublicURL+"self-service/registration"+q, "application/json", body(t, "password", "x@example.com", sdk.GoodPassword))
		sdk.WantError(t, r, status)
	}
	if n := sdk.CountIdentities(t, s); n != 1 {
		t.Errorf("%d identities, want only the owner", n)
	}
}
