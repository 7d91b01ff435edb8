package courier_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestMailServerDownThenBack: while the mail server is down, asking for a
// recovery link still succeeds for the user; the message waits in the
// queue with its failed attempts recorded, and arrives once the server is
// back on the same address. The link in it works.
func TestMailServerDownThenBack(t *testing.T) {
	addr := mailtest.FreeAddr(t)
	e := startQuiet(t, testkit.NewDatabase(t, "sqlite"), "smtp://"+addr+"/", nil)
	fastWorker(e.Server.App.Courier, 1000)
	runWorker(t, e.Server.App.Courier)
	e.CreateIdentity("patient@example.com")

	status, body := requestRecovery(t, e, "patient@example.com")
	var f struct {
		State string `json:"state"`
		UI    struct {
			Messages []struct {
				ID int64 `json:"id"`
			} `json:"messages"`
		} `json:"ui"`
	}
	if err := json.Unmarshal(body, &f); err != nil || status != http.StatusOK || f.State != "sent_email" || len(f.UI.Messages) != 1 || f.UI.Messages[0].ID != 1060002 {
		t.Fatalf("recovery with the mail server down: %d %s, want 200 sent_email with 1060002", status, body)
	}

	if status, body := requestRecovery(t, e, "stranger@example.com"); status != http.StatusOK {
		t.Fatalf("recovery for an unknown address with the mail server down: %d %s", status, body)
	}

	failed := waitQueue(t, e, "recorded failed attempts", func(ms []courier.Message) bool {
		return len(ms) == 2 && ms[0].Attempts >= 2 && ms[1].Attempts >= 2 && ms[0].LastError != "" && ms[1].LastError != ""
	})
	for _, m := range failed {
		if m.Status != courier.StatusQueued || m.SentAt != nil {
			t.Fatalf("while the server is down the message to %s is %s (sent at %v), want queued", m.Recipient, m.Status, m.SentAt)
		}
	}
	failed = failed[1:] // the recovery link, the older of the two
	if failed[0].Recipient != "patient@example.com" {
		t.Fatalf("oldest message goes to %s", failed[0].Recipient)
	}

	mail := mailtest.Start(t, mailtest.Options{Addr: addr})
	got := mail.Next(t, "patient@example.com")
	if got.MessageID != failed[0].ID.String()+"@latchkey" {
		t.Errorf("Message-ID %q, want the queued message's %s@latchkey", got.MessageID, failed[0].ID)
	}
	mail.Next(t, "stranger@example.com")
	sent := waitQueue(t, e, "marked the messages sent", func(ms []courier.Message) bool {
		return len(ms) == 2 && ms[0].Status == courier.StatusSent && ms[1].Status == courier.StatusSent
	})
	if s := sent[1]; s.ID != failed[0].ID || s.SentAt == nil || s.Attempts <= failed[0].Attempts {
		t.Errorf("sent row: sent_at %v, %d attempts (was %d), want sent_at set and one more attempt", s.SentAt, s.Attempts, failed[0].Attempts)
	}
	if n := len(mail.Messages()); n != 2 {
		t.Errorf("%d messages arrived, want 2", n)
	}

	link := got.Link(t)
	if !strings.HasPrefix(link, e.Public+"self-service/recovery?") {
		t.Fatalf("link %s is not a recovery link on the public base URL", link)
	}
	b := e.Browser()
	r := b.Get(link)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), mailtest.UIBase+"settings?flow=") || r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("the delayed link: %d to %s, want a session and the settings UI", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestMailAbandoned: a message that keeps failing is given up after
// MaxAttempts; once the server is back, later mail flows and the
// abandoned message stays abandoned.
func TestMailAbandoned(t *testing.T) {
	addr := mailtest.FreeAddr(t)
	e := startQuiet(t, testkit.NewDatabase(t, "sqlite"), "smtp://"+addr+"/", nil)
	w := e.Server.App.Courier
	fastWorker(w, 3)
	runWorker(t, w)

	if status, body := requestRecovery(t, e, "nobody-home@example.com"); status != http.StatusOK {
		t.Fatalf("recovery: %d %s", status, body)
	}
	ms := waitQueue(t, e, "abandoned the message", func(ms []courier.Message) bool {
		return len(ms) == 1 && ms[0].Status == courier.StatusAbandoned
	})
	if ms[0].Attempts != 3 || ms[0].LastError == "" || ms[0].SentAt != nil {
		t.Errorf("abandoned after %d attempts, last error %q, sent at %v; want 3 attempts with the error kept", ms[0].Attempts, ms[0].LastError, ms[0].SentAt)
	}

	mail := mailtest.Start(t, mailtest.Options{Addr: addr})
	if status, body := requestRecovery(t, e, "later@example.com"); status != http.StatusOK {
		t.Fatalf("recovery: %d %s", status, body)
	}
	mail.Next(t, "later@example.com")
	waitQueue(t, e, "sent the later message", func(ms []courier.Message) bool {
		return len(ms) == 2 && ms[0].Status == courier.StatusSent
	})
	if got := mail.To("nobody-home@example.com"); len(got) != 0 {
		t.Errorf("the abandoned message was sent after all")
	}
	if m := queue(t, e)[1]; m.Status != courier.StatusAbandoned || m.Attempts != 3 {
		t.Errorf("abandoned message is now %s with %d attempts", m.Status, m.Attempts)
	}
}
