package courier_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestDeliveredMailLeavesNoLinkInTheDatabase: once a recovery or
// verification mail is delivered, its row keeps who it went to and when,
// but no body: a copy of the database must not carry a live link. The
// mailed links still work.
func TestDeliveredMailLeavesNoLinkInTheDatabase(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := mailtest.StartEnv(t, dsn, nil)
		e.CreateIdentity("keeper@example.com")

		if status, body := requestRecovery(t, e, "keeper@example.com"); status != http.StatusOK {
			t.Fatalf("recovery: %d %s", status, body)
		}
		f, _, err := e.SDK.PublicApi.InitializeSelfServiceVerificationForNativeApps(context.Background()).Execute()
		if err != nil {
			t.Fatalf("init verification: %v", err)
		}
		if r := e.Browser().Do(http.MethodPost, e.Public+"self-service/verification?flow="+f.Id, "application/json",
			[]byte(`{"method":"link","email":"keeper@example.com"}`), "Accept", "application/json"); r.StatusCode != http.StatusOK {
			t.Fatalf("verification: %d %s", r.StatusCode, r.Body)
		}
		var links, tokens []string
		for range 2 {
			link := e.Mail.Next(t, "keeper@example.com").Link(t)
			u, err := url.Parse(link)
			if err != nil || u.Query().Get("token") == "" {
				t.Fatalf("mailed link %q has no token", link)
			}
			links, tokens = append(links, link), append(tokens, u.Query().Get("token"))
		}
		waitQueue(t, e, "both marked sent", func(ms []courier.Message) bool {
			return len(ms) == 2 && ms[0].Status == courier.StatusSent && ms[1].Status == courier.StatusSent
		})

		db := e.Server.App.DB
		rows, err := db.SQL.QueryContext(context.Background(), `SELECT recipient, subject, body, body_html FROM courier_messages`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var to, subject, body, html string
			if err := rows.Scan(&to, &subject, &body, &html); err != nil {
				t.Fatal(err)
			}
			n++
			if to != "keeper@example.com" || subject == "" {
				t.Errorf("sent row lost its recipient or subject: %q %q", to, subject)
			}
			for _, col := range []string{subject, body, html} {
				for _, tok := range tokens {
					if strings.Contains(col, tok) {
						t.Errorf("a delivered message's row still holds a mailed token: %q", col)
					}
				}
				if strings.Contains(col, "self-service/") {
					t.Errorf("a delivered message's row still holds a link: %q", col)
				}
			}
		}
		if err := rows.Err(); err != nil || n != 2 {
			t.Fatalf("%d rows (%v), want the 2 delivered messages", n, err)
		}

		// The links themselves are untouched: recovery still signs in.
		r := e.Browser().Get(links[0])
		if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
			t.Errorf("the mailed recovery link after delivery: %d to %s, want a session", r.StatusCode, r.Header.Get("Location"))
		}
	})
}
