package registration_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestResubmittedRegistration: a client that sends its registration again
// on the same flow (its first answer was lost, or was a 503 after the
// identity was committed) gets the identity its first submission created
// and a session for it, not "exists already". Only the same values do:
// another password or other traits on that flow, and the same values on
// another flow, meet 4000007 as before.
func TestResubmittedRegistration(t *testing.T) {
	t.Parallel()
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s := testkit.Start(t, testkit.Config(t, dsn, nil))
		const email = "retry@example.org"
		same := body(t, "password", email, sdk.GoodPassword)
		f := sdk.Init(t, s, "registration")
		first := sdk.Submit(t, s, "registration", f.ID, "application/json", same)
		if first.Status != http.StatusOK {
			t.Fatalf("first submission: %d %s", first.Status, first.Body)
		}
		created := sdk.DecodeObject(t, first.Body)["identity"].(map[string]any)["id"]

		again := sdk.Submit(t, s, "registration", f.ID, "application/json", same)
		if again.Status != http.StatusOK {
			t.Fatalf("the same submission again: %d %s", again.Status, again.Body)
		}
		out := sdk.DecodeObject(t, again.Body)
		if id := out["identity"].(map[string]any)["id"]; id != created {
			t.Errorf("the submission again answered identity %v, want %v, the one it created", id, created)
		}
		if tok, _ := out["session_token"].(string); tok == "" || sdk.WhoamiStatus(t, s, tok) != http.StatusOK {
			t.Errorf("the submission again gave no working session: %s", again.Body)
		}

		for what, b := range map[string][]byte{
			"another password on the flow": body(t, "password", email, sdk.GoodPassword+"x"),
			"other traits on the flow": sdk.Marshal(t, map[string]any{"method": "password", "password": sdk.GoodPassword,
				"traits": map[string]any{"email": email, "name": "Mallory"}}),
		} {
			r := sdk.Submit(t, s, "registration", f.ID, "application/json", b)
			if r.Status != http.StatusBadRequest || !sdk.DecodeFlow(t, r.Body).HasMessage(4000007) {
				t.Errorf("%s: %d %s, want 400 with 4000007", what, r.Status, r.Body)
			}
		}
		if r := submit(t, s, same); r.Status != http.StatusBadRequest || !sdk.DecodeFlow(t, r.Body).HasMessage(4000007) {
			t.Errorf("the same values on another flow: %d %s, want 400 with 4000007", r.Status, r.Body)
		}
		if n := sdk.CountIdentities(t, s); n != 1 {
			t.Errorf("%d identities, want 1", n)
		}
	})
}
