package login_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/strategy/password"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestTooManyFailuresRefuseFurtherSignIns: after MaxFailures wrong
// passwords for one identifier, even the right password is refused for the
// rest of the window, with a message saying why; another account is not
// affected, and an unknown identifier is refused the same way (so the
// refusal reveals nothing about which accounts exist). The counters live in
// the database, so this runs on every dialect.
func TestTooManyFailuresRefuseFurtherSignIns(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, nil))
		sdk.Register(t, s, "target@example.com", sdk.GoodPassword)
		sdk.Register(t, s, "bystander@example.com", sdk.GoodPassword)

		for _, who := range []string{"target@example.com", "nobody@example.com"} {
			for k := 0; k < password.MaxFailures; k++ {
				_, resp, err := sdk.TryLogin(t, s, who, "wrong password "+who)
				sdk.Want(t, "wrong password", resp, err, http.StatusBadRequest)
				if f := sdk.DecodeFlow(t, sdk.ErrorBody(err)); !f.HasMessage(4000006) {
					t.Fatalf("attempt %d for %s: messages %v, want 4000006", k+1, who, f.MessageIDs())
				}
			}
		}
		// The right password, in another letter case, no longer gets in.
		_, resp, err := sdk.TryLogin(t, s, "TARGET@example.com", sdk.GoodPassword)
		sdk.Want(t, "login after too many failures", resp, err, http.StatusBadRequest)
		locked := sdk.DecodeFlow(t, sdk.ErrorBody(err))
		if !locked.HasMessage(4000001) || locked.HasMessage(4000006) {
			t.Errorf("locked account: messages %v, want 4000001 only", locked.MessageIDs())
		}
		_, resp, err = sdk.TryLogin(t, s, "nobody@example.com", "anything at all")
		sdk.Want(t, "unknown identifier after too many failures", resp, err, http.StatusBadRequest)
		if got := sdk.DecodeFlow(t, sdk.ErrorBody(err)); !got.HasMessage(4000001) {
			t.Errorf("unknown identifier: messages %v, want the same refusal (4000001)", got.MessageIDs())
		}
		sdk.Login(t, s, "bystander@example.com", sdk.GoodPassword)
	})
}

// TestSuccessClearsFailures: failures below the limit are forgotten after a
// successful sign-in, so a user who mistypes now and then is never locked.
func TestSuccessClearsFailures(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	sdk.Register(t, s, "typo@example.com", sdk.GoodPassword)
	for round := 0; round < 2; round++ {
		for k := 0; k < password.MaxFailures-1; k++ {
			_, resp, err := sdk.TryLogin(t, s, "typo@example.com", "mistyped")
			sdk.Want(t, "wrong password", resp, err, http.StatusBadRequest)
		}
		sdk.Login(t, s, "typo@example.com", sdk.GoodPassword)
	}
}
