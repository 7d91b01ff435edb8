package login_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestBadInput: broken or hostile login submissions get a clear 4xx
// (never a session, never a 5xx). A body that cannot be read is, as in the
// reference, the flow with a 4000001 saying why; one over the size limit
// is a 413.
func TestBadInput(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	sdk.Register(t, s, "victim@example.com", sdk.GoodPassword)
	const js = "application/json"
	pw := sdk.GoodPassword
	mb := strings.Repeat("a", 1<<20)
	cases := []struct {
		name        string
		contentType string
		body        string
		status      int
		flowID      int64 // 0: the error envelope; else the flow with this message
	}{
		{"malformed JSON", js, `{"method":"password",}`, 400, 4000001},
		{"truncated JSON", js, `{"method":"password","password_identifier":"victim@example.com","password":"` + pw, 400, 4000001},
		{"duplicate password key", js, `{"method":"password","password_identifier":"victim@example.com","password":"x","password":"` + pw + `"}`, 400, 4000001},
		{"NUL in identifier", js, `{"method":"password","password_identifier":"victim@example.com\u0000","password":"` + pw + `"}`, 400, 4000001},
		{"invalid UTF-8 in identifier", js, "{\"method\":\"password\",\"password_identifier\":\"victim\xff@example.com\",\"password\":\"" + pw + "\"}", 400, 4000001},
		{"identifier is an object", js, `{"method":"password","password_identifier":{"$gt":""},"password":"` + pw + `"}`, 400, 4000002},
		{"identifier is an array", js, `{"method":"password","password_identifier":["victim@example.com"],"password":"` + pw + `"}`, 400, 4000002},
		{"2 KB password", js, `{"method":"password","password_identifier":"victim@example.com","password":"` + strings.Repeat("x", 2048) + `"}`, 400, 4000006},
		{"300-byte identifier", js, `{"method":"password","password_identifier":"` + strings.Repeat("v", 300) + `@example.com","password":"` + pw + `"}`, 400, 4000006},
		{"1 MB password", js, `{"method":"password","password_identifier":"victim@example.com","password":"` + mb + `"}`, 413, 0},
		{"1 MB identifier, form", "application/x-www-form-urlencoded", "method=password&password=x&password_identifier=" + mb, 413, 0},
		{"form: NUL in password", "application/x-www-form-urlencoded", "method=password&password_identifier=victim%40example.com&password=" + pw + "%00", 400, 4000002},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := submit(t, s, c.contentType, []byte(c.body))
			if strings.Contains(string(r.Body), "session_token") {
				t.Fatalf("bad input signed in: %s", r.Body)
			}
			if c.flowID == 0 {
				sdk.WantError(t, r, c.status)
				return
			}
			if f := sdk.WantFlow(t, "login", r); !f.HasMessage(c.flowID) {
				t.Errorf("messages %v, want %d", f.MessageIDs(), c.flowID)
			}
		})
	}
	// The account still works: nothing above locked or changed it.
	sdk.Login(t, s, "victim@example.com", sdk.GoodPassword)
	if got := sdk.Do(t, http.MethodPost, s.PublicURL+"self-service/login?flow=not-a-uuid", js, []byte(`{}`)); got.Status != http.StatusBadRequest {
		t.Errorf("malformed flow id: %d, want 400", got.Status)
	}
}
