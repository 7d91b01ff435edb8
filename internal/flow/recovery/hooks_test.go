package recovery_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
)

// TestRecoveryAfterHooksRun: selfservice.flows.recovery.after.hooks run
// when a recovery link is followed, with the identity it recovered; a
// failing in-line hook stops the link from signing anyone in.
func TestRecoveryAfterHooksRun(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusInternalServerError} {
		bodies := make(chan []byte, 4)
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(status)
			bodies <- b
		}))
		t.Cleanup(rc.Close)
		e := start(t, func(c *config.Config) {
			c.SelfService.Flows.Recovery.After.Hooks = []config.Hook{{Hook: "web_hook", Config: &config.WebHookConfig{URL: rc.URL, Method: "POST"}}}
		})
		ada := e.CreateIdentity("ada@example.com")
		f := e.initAPI()
		e.submitAPI(f.Id, "ada@example.com")
		link := e.MailedLink(e.Mail.Next(t, "ada@example.com"), "self-service/recovery/methods/link")
		b := e.Browser()
		r := b.Get(link)
		var got struct {
			Identity struct {
				ID string `json:"id"`
			} `json:"identity"`
			Flow struct {
				Kind string `json:"kind"`
			} `json:"flow"`
		}
		select {
		case body := <-bodies:
			_ = json.Unmarshal(body, &got)
		case <-time.After(15 * time.Second):
			t.Fatal("the recovery hook was not called")
		}
		if got.Identity.ID != ada.Id || got.Flow.Kind != "recovery" {
			t.Errorf("hook payload identity %q flow %q, want %s recovery", got.Identity.ID, got.Flow.Kind, ada.Id)
		}
		code, _ := b.Whoami()
		switch status {
		case http.StatusOK:
			e.wantRecovered(b, r, ada.Id)
		default:
			if code != http.StatusUnauthorized || r.StatusCode != http.StatusFound {
				t.Errorf("failing hook: link answered %d, whoami %d; want the error page and no session", r.StatusCode, code)
			}
		}
	}
}
