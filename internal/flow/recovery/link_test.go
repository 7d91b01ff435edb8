package recovery_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// requestLink asks for a recovery link for email with an api flow and
// returns the link from the mail.
func (e *env) requestLink(email string) string {
	e.t.Helper()
	f := e.initAPI()
	if status, sent, raw := e.submitAPI(f.Id, email); status != http.StatusOK || sent.State != "sent_email" {
		e.t.Fatalf("submit %s: %d %s", email, status, raw)
	}
	return e.MailedLink(e.Mail.Next(e.t, email), "self-service/recovery/methods/link")
}

// TestRecoveryBadLinks: links that are not (or no longer) valid send the
// browser to a new recovery flow explaining why, or to the error page when
// the link is incomplete, and sign nobody in.
func TestRecoveryBadLinks(t *testing.T) {
	e := start(t, nil)
	e.CreateIdentity("lin@example.com")
	link := e.requestLink("lin@example.com")
	u, _ := url.Parse(link)
	q := u.Query()
	base := e.Public + "self-service/recovery"

	t.Run("unknown token", func(t *testing.T) {
		b := e.Browser()
		e.wantRetry(b.Get(base+"?"+url.Values{"flow": {q.Get("flow")}, "token": {strings.Repeat("A", 43)}}.Encode()), 4060004)
	})
	t.Run("without flow", func(t *testing.T) {
		b := e.Browser()
		r := b.Get(base + "?" + url.Values{"token": {q.Get("token")}}.Encode())
		loc := r.Location(t)
		if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"error?error=") {
			t.Fatalf("link without flow: %d to %s, want 302 to the error UI", r.StatusCode, loc)
		}
		c, _, err := e.Admin.AdminApi.GetSelfServiceError(t.Context()).Error_(loc.Query().Get("error")).Execute()
		if err != nil || len(c.Errors) != 1 {
			t.Fatalf("GetSelfServiceError: %v %+v", err, c)
		}
		if code, _ := c.Errors[0]["code"].(float64); code != 400 {
			t.Errorf("error page shows %v, want code 400", c.Errors[0])
		}
		if code, _ := b.Whoami(); code != http.StatusUnauthorized {
			t.Errorf("an incomplete link signed the browser in")
		}
	})
	t.Run("without token", func(t *testing.T) {
		r := e.Browser().Get(base + "?" + url.Values{"flow": {q.Get("flow")}}.Encode())
		if loc := r.Location(t); r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"error?error=") {
			t.Fatalf("link without token: %d to %s, want 302 to the error UI", r.StatusCode, loc)
		}
	})
	// The incomplete uses above did not spend the token.
	t.Run("still valid", func(t *testing.T) {
		b := e.Browser()
		r := b.Get(link)
		if r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Location(t).String(), mailtest.UIBase+"settings?flow=") {
			t.Fatalf("the link after failed attempts: %d to %s, want the settings UI", r.StatusCode, r.Header.Get("Location"))
		}
		e.wantRetry(e.Browser().Get(link), 4060004)
	})
}

// TestRecoveryLinkExpired: with a short recovery lifespan, a link followed
// after it has passed leads to a new flow of the expired one's type with
// 4060005 (for this api flow: its JSON, as the reference does) and no
// session.
func TestRecoveryLinkExpired(t *testing.T) {
	e := start(t, func(c *config.Config) { c.SelfService.Flows.Recovery.Lifespan = config.Duration(10 * time.Minute) })
	e.CreateIdentity("old@example.com")
	f := e.initAPI()
	status, sent, raw := e.submitAPI(f.Id, "old@example.com")
	if status != http.StatusOK || sent.State != "sent_email" {
		t.Fatalf("submit within the lifespan: %d %s (is the machine too slow for a 3s lifespan?)", status, raw)
	}
	link := e.MailedLink(e.Mail.Next(t, "old@example.com"), "self-service/recovery/methods/link")
	e.Server.Clock.Advance(time.Until(f.ExpiresAt) + time.Second)
	b := e.Browser()
	r := b.Get(link)
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), e.Public+"self-service/recovery/flows?id=") {
		t.Fatalf("expired link: %d to %s, want 302 to a new api flow's JSON", r.StatusCode, loc)
	}
	if nf := e.flow(loc.Query().Get("id")); nf.Id == f.Id || nf.GetType() != "api" || !slices.Equal(mailtest.IDs(nf.Ui.Messages), []int64{4060005}) {
		t.Errorf("replacement flow %s (%s) with messages %v, want a new api flow with 4060005", nf.Id, nf.GetType(), mailtest.IDs(nf.Ui.Messages))
	}
	if code, _ := b.Whoami(); code != http.StatusUnauthorized {
		t.Fatalf("an expired link signed the browser in: whoami %d", code)
	}

	// Submitting the expired api flow again points the app to a new one.
	r = e.Browser().Do(http.MethodPost, e.Public+"self-service/recovery?flow="+f.Id, "application/json", []byte(`{"email":"old@example.com"}`))
	loc = r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), e.Public+"self-service/recovery/flows?id=") {
		t.Fatalf("submit of the expired flow: %d to %s, want 302 to a new flow", r.StatusCode, loc)
	}
	if nf := e.flow(loc.Query().Get("id")); nf.Id == f.Id || nf.GetType() != "api" || !slices.Equal(mailtest.IDs(nf.Ui.Messages), []int64{4060005}) {
		t.Errorf("replacement flow %s (%s) with messages %v, want a new api flow with 4060005", nf.Id, nf.GetType(), mailtest.IDs(nf.Ui.Messages))
	}
}

// TestRecoveryLinkParallel: the same link opened by several browsers at
// once signs exactly one of them in; the others get 4060004.
func TestRecoveryLinkParallel(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("twin@example.com")
	link := e.requestLink("twin@example.com")

	const n = 8
	browsers := make([]*sdk.Browser, n)
	answers := make([]sdk.BrowserResponse, n)
	for k := range browsers {
		browsers[k] = e.Browser()
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k := range n {
		wg.Go(func() {
			<-start
			answers[k] = browsers[k].Get(link)
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for k, r := range answers {
		if strings.HasPrefix(r.Header.Get("Location"), mailtest.UIBase+"settings?flow=") {
			winners++
			e.wantRecovered(browsers[k], r, i.Id)
			continue
		}
		e.wantRetry(r, 4060004)
	}
	if winners != 1 {
		t.Fatalf("%d of %d parallel uses of one link succeeded, want exactly 1", winners, n)
	}
}

// TestRecoveryLinkIgnoresHost: the mailed link is on serve.public.base_url
// whatever Host and forwarding headers the request that asked for it had.
func TestRecoveryLinkIgnoresHost(t *testing.T) {
	e := start(t, nil)
	e.CreateIdentity("host@example.com")
	forged := []string{"Host", "evil.example", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "Forwarded", "host=evil.example;proto=https"}

	f := e.initAPI()
	raw := e.Browser().Do(http.MethodPost, e.Public+"self-service/recovery?flow="+f.Id, "application/json",
		[]byte(`{"email":"host@example.com","method":"link"}`), append([]string{"Accept", "application/json"}, forged...)...)
	if raw.StatusCode != http.StatusOK {
		t.Fatalf("submit with a forged Host: %d %s", raw.StatusCode, raw.Body)
	}
	link := e.MailedLink(e.Mail.Next(t, "host@example.com"), "self-service/recovery")
	if strings.Contains(link, "evil.example") || strings.HasPrefix(link, "https:") {
		t.Fatalf("link %s follows the request's headers", link)
	}

	// A browser flow submitted with forged forwarding headers (Go's
	// client keeps cookies to the host it names, so Host stays real).
	b := e.Browser()
	id, csrf := e.initBrowser(b)
	r := b.PostForm(e.Public+"self-service/recovery?flow="+id, url.Values{"csrf_token": {csrf}, "email": {"host@example.com"}}, forged[2:]...)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != mailtest.UIBase+"recovery?flow="+id {
		t.Fatalf("browser submit with a forged Host: %d to %s, want 302 back to the flow", r.StatusCode, r.Header.Get("Location"))
	}
	e.MailedLink(e.Mail.Next(t, "host@example.com"), "self-service/recovery")
}

// TestRecoveryLinkOfDeletedIdentity: a link whose account was deleted
// meanwhile signs nobody in: 4060004.
func TestRecoveryLinkOfDeletedIdentity(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("gone@example.com")
	link := e.requestLink("gone@example.com")
	if res, err := e.Admin.AdminApi.DeleteIdentity(t.Context(), i.Id).Execute(); err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteIdentity: %v", err)
	}
	b := e.Browser()
	e.wantRetry(b.Get(link), 4060004)
	if code, _ := b.Whoami(); code != http.StatusUnauthorized {
		t.Fatalf("whoami %d after the link of a deleted account", code)
	}
}

// TestRecoveryLinkDiesWithItsAddress: once the account's email changed,
// a link mailed to the old address no longer signs anyone in (the
// reference's tokens belong to the address and go with it).
func TestRecoveryLinkDiesWithItsAddress(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("before@example.com")
	link := e.requestLink("before@example.com")
	upd := client.NewUpdateIdentity(map[string]interface{}{"email": "after@example.com"})
	if _, _, err := e.Admin.AdminApi.UpdateIdentity(t.Context(), i.Id).UpdateIdentity(*upd).Execute(); err != nil {
		t.Fatalf("UpdateIdentity: %v", err)
	}
	b := e.Browser()
	e.wantRetry(b.Get(link), 4060004)
	if code, _ := b.Whoami(); code != http.StatusUnauthorized {
		t.Fatalf("the old address's link signed the browser in: whoami %d", code)
	}
}
