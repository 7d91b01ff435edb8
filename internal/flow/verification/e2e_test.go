package verification_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestVerificationJourney is address verification end to end on every
// database: sign-up mails a link, which verifies the address without
// signing anyone in and works once; a native app and a browser can ask for
// new links, also for an address typed in another letter case.
func TestVerificationJourney(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := startOn(t, dsn, nil)

		// Sign-up: the new address is "sent" and gets a link.
		id, _ := e.register("Grace@Example.com")
		e.wantAddress(id, "grace@example.com", false, "sent")
		m := e.Mail.Next(t, "grace@example.com")
		if m.Subject != "Please verify your email address" || !slices.Equal(m.To, []string{"grace@example.com"}) {
			t.Errorf("sign-up mail %q to %v", m.Subject, m.To)
		}
		link := e.MailedLink(m, "self-service/verification")
		b := e.Browser()
		e.wantVerified(b.Get(link))
		if code, _ := b.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("following a verification link signed the browser in: whoami %d", code)
		}
		e.wantAddress(id, "grace@example.com", true, "completed")
		verifiedAt := *e.address(id).VerifiedAt
		e.wantRetry(e.Browser().Get(link), 4070001)

		// A native app asks again for the verified address (another letter
		// case): a new link, which works and keeps the address verified.
		f := e.initAPI()
		if f.State != "choose_method" || f.Type != "api" {
			t.Fatalf("new api flow: %s %s", f.State, f.Type)
		}
		status, sent, raw := e.submitAPI(f.Id, "GRACE@example.COM")
		if status != http.StatusOK || sent.Id != f.Id || sent.State != "sent_email" || sent.GetActive() != "link" ||
			!slices.Equal(mailtest.IDs(sent.Ui.Messages), []int64{1070001}) {
			t.Fatalf("submit: %d %s", status, raw)
		}
		if got := e.flow(f.Id); got.State != "sent_email" {
			t.Errorf("fetched flow state %s, want sent_email", got.State)
		}
		link2 := e.MailedLink(e.Mail.Next(t, "grace@example.com"), "self-service/verification/methods/link")
		if u, _ := url.Parse(link2); u.Query().Get("flow") != f.Id {
			t.Errorf("link names flow %s, want %s", u.Query().Get("flow"), f.Id)
		}
		e.wantVerified(e.Browser().Get(link2))
		e.wantAddress(id, "grace@example.com", true, "completed")
		if a := e.address(id); a.VerifiedAt.Before(verifiedAt) {
			t.Errorf("verified_at moved back from %v to %v", verifiedAt, a.VerifiedAt)
		}

		// A browser flow for an identity the admin API made (pending).
		hopper := e.CreateIdentity("hopper@example.com")
		e.wantAddress(hopper.Id, "hopper@example.com", false, "pending")
		c := e.Browser()
		r := c.Get(e.Public + "self-service/verification/browser")
		loc := r.Location(t)
		if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"verification?flow=") {
			t.Fatalf("start browser verification: %d to %s", r.StatusCode, loc)
		}
		fid := loc.Query().Get("flow")
		csrf := mailtest.NodeValue(e.flow(fid).Ui.Nodes, "csrf_token")
		r = c.PostForm(e.Public+"self-service/verification?flow="+fid, url.Values{"csrf_token": {csrf}, "email": {"Hopper@Example.com"}, "method": {"link"}})
		if r.StatusCode != http.StatusFound || r.Location(t).String() != mailtest.UIBase+"verification?flow="+fid {
			t.Fatalf("browser submit: %d to %q; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		if bf := e.flow(fid); bf.State != "sent_email" || !slices.Equal(mailtest.IDs(bf.Ui.Messages), []int64{1070001}) {
			t.Errorf("browser flow after submit: %s %v", bf.State, mailtest.IDs(bf.Ui.Messages))
		}
		e.wantVerified(c.Get(e.MailedLink(e.Mail.Next(t, "hopper@example.com"), "self-service/verification")))
		e.wantAddress(hopper.Id, "hopper@example.com", true, "completed")
		e.wantAddress(id, "grace@example.com", true, "completed")
	})
}

// TestVerificationUnknownAddressLooksTheSame: an address no account uses
// gets the same answer as a known one; its mailbox gets a notice without a
// link.
func TestVerificationUnknownAddressLooksTheSame(t *testing.T) {
	e := start(t, nil)
	e.CreateIdentity("known@example.com")
	f1, f2 := e.initAPI(), e.initAPI()
	s1, a1, raw1 := e.submitAPI(f1.Id, "known@example.com")
	s2, a2, raw2 := e.submitAPI(f2.Id, "nobody@example.com")
	if s1 != http.StatusOK || s2 != http.StatusOK || a1.State != "sent_email" || a2.State != a1.State ||
		!slices.Equal(mailtest.IDs(a1.Ui.Messages), mailtest.IDs(a2.Ui.Messages)) {
		t.Fatalf("known: %d %s; unknown: %d %s", s1, raw1, s2, raw2)
	}
	norm := func(raw []byte, id, email string) string {
		return strings.ReplaceAll(strings.ReplaceAll(timestamps.ReplaceAllString(string(raw), `"TIME"`), id, "ID"), email, "EMAIL")
	}
	if a, b := norm(raw1, f1.Id, "known@example.com"), norm(raw2, f2.Id, "nobody@example.com"); a != b {
		t.Errorf("answers differ:\nknown   %s\nunknown %s", a, b)
	}
	e.MailedLink(e.Mail.Next(t, "known@example.com"), "self-service/verification/methods/link")
	n := e.Mail.Next(t, "nobody@example.com")
	if len(n.Links()) != 0 || strings.Contains(n.HTML, "href=") || strings.Contains(n.Text, "token=") {
		t.Errorf("the notice to an unknown address carries a link:\n%s", n.Text)
	}
	if n.Subject == "Please verify your email address" || !strings.Contains(n.Text, "nobody@example.com") {
		t.Errorf("notice %q: %q", n.Subject, n.Text)
	}
}
