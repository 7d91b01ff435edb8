package registration_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestParallelRegistrationsOfOneEmail: twenty clients, each with its own
// flow, sign up the same email (in different cases) at once. The database
// must decide: exactly one succeeds, every other gets the flow back with
// 4000007 (never a 5xx from a lost race), and exactly one identity exists.
func TestParallelRegistrationsOfOneEmail(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, nil))
		const n = 20
		emails := []string{"race@example.com", "Race@Example.com", "RACE@EXAMPLE.COM", "race@EXAMPLE.com"}
		flows := make([]sdk.Flow, n)
		for k := range flows {
			flows[k] = sdk.Init(t, s, "registration")
		}
		results := make([]sdk.Response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for k := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[k] = sdk.Submit(t, s, "registration", flows[k].ID, "application/json", body(t, "password", emails[k%len(emails)], sdk.GoodPassword))
			}()
		}
		close(start)
		wg.Wait()

		ok := 0
		for k, r := range results {
			switch r.Status {
			case http.StatusOK:
				ok++
			case http.StatusBadRequest:
				if f := sdk.DecodeFlow(t, r.Body); f.ID != flows[k].ID || !f.HasMessage(4000007) {
					t.Errorf("client %d: 400 without 4000007 on its flow: %s", k, r.Body)
				}
			default:
				t.Errorf("client %d: status %d, want 200 or 400 with 4000007: %s", k, r.Status, r.Body)
			}
		}
		if ok != 1 {
			t.Errorf("%d registrations succeeded, want exactly 1", ok)
		}
		if ids := sdk.Identities(t, s); len(ids) != 1 {
			t.Errorf("%d identities exist (%v), want exactly 1", len(ids), sdk.Emails(ids))
		}
	})
}

// TestLongRequestURL: a flow remembers the URL it was started with, and a
// client chooses its length (up to the 64 KiB header limit). A long query
// string must not turn into a server error on any database.
func TestLongRequestURL(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, nil))
		query := "?utm=" + strings.Repeat("a", 66000)
		for _, kind := range []string{"registration", "login"} {
			r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/"+kind+"/api"+query, "", nil)
			if r.Status >= 500 {
				t.Fatalf("%s init with a 66 KB query: %d %s", kind, r.Status, r.Body)
			}
			if r.Status == http.StatusOK {
				if f := sdk.DecodeFlow(t, r.Body); !strings.HasSuffix(f.RequestURL, query) {
					t.Errorf("%s request_url lost the query (%d bytes)", kind, len(f.RequestURL))
				}
			}
		}
	})
}
