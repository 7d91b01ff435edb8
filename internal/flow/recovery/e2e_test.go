package recovery_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestRecoveryJourney is account recovery end to end on every database:
// an account made by the admin API (so without a password) asks for a
// link from a native app, the link from the mail signs a browser in and
// opens settings, where the user chooses a password and can then sign in
// with it; the link does not work twice. A browser flow does the same.
func TestRecoveryJourney(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := startOn(t, dsn, nil)
		ada := e.CreateIdentity("ada@example.com")

		// The native app's flow: the SDK posts to .../methods/link.
		f := e.initAPI()
		if f.State != "choose_method" || f.GetType() != "api" || f.Ui.Action != e.Public+"self-service/recovery?flow="+f.Id || f.Ui.Method != "POST" {
			t.Fatalf("new api flow: state %s type %s, ui %s %s", f.State, f.GetType(), f.Ui.Method, f.Ui.Action)
		}
		status, sent, raw := e.submitAPI(f.Id, "ada@example.com")
		if status != http.StatusOK || sent.Id != f.Id || sent.State != "sent_email" || sent.GetActive() != "link" {
			t.Fatalf("submit: %d, flow %s state %s active %s; body %s", status, sent.Id, sent.State, sent.GetActive(), raw)
		}
		if got := mailtest.IDs(sent.Ui.Messages); !slices.Equal(got, []int64{1060002}) {
			t.Errorf("messages after submit %v, want [1060002]", got)
		}
		if got := e.flow(f.Id); got.State != "sent_email" || !slices.Equal(mailtest.IDs(got.Ui.Messages), []int64{1060002}) {
			t.Errorf("fetched flow: state %s messages %v, want sent_email with 1060002", got.State, mailtest.IDs(got.Ui.Messages))
		}

		m := e.Mail.Next(t, "ada@example.com")
		if m.Subject != "Recover access to your account" || !strings.Contains(m.Header.Get("From"), "accounts@latchkey.test") {
			t.Errorf("mail subject %q from %q, want the recovery mail from the configured address", m.Subject, m.Header.Get("From"))
		}
		link := e.MailedLink(m, "self-service/recovery/methods/link")
		if u, _ := url.Parse(link); u.Query().Get("flow") != f.Id {
			t.Errorf("link names flow %s, want the submitted flow %s", u.Query().Get("flow"), f.Id)
		}

		b := e.Browser()
		settingsID := e.wantRecovered(b, b.Get(link), ada.Id)
		if got := e.Identity(ada.Id).RecoveryAddresses; len(got) != 1 || got[0].Value != "ada@example.com" {
			t.Errorf("recovery addresses changed: %+v", got)
		}
		// Signed in now, starting recovery again leads home.
		if r := b.Get(e.Public + "self-service/recovery/browser"); r.StatusCode != http.StatusFound || r.Location(t).String() != mailtest.UIBase+"home" {
			t.Errorf("recovery started while signed in: %d to %s, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
		}
		e.setPassword(b, settingsID, newPassword)
		if code := e.login("ada@example.com", newPassword); code != http.StatusOK {
			t.Fatalf("login with the password chosen after recovery: %d, want 200", code)
		}

		// The same link again, from another browser: a new flow saying so.
		other := e.Browser()
		e.wantRetry(other.Get(link), 4060004)
		if code, _ := other.Whoami(); code != http.StatusUnauthorized {
			t.Fatalf("a used link signed a browser in: whoami %d", code)
		}

		// A browser flow: form post, 302 back to the UI, mail, link.
		c := e.Browser()
		id, csrf := e.initBrowser(c)
		r := c.PostForm(e.Public+"self-service/recovery?flow="+id, url.Values{"csrf_token": {csrf}, "email": {"ada@example.com"}, "method": {"link"}})
		if r.StatusCode != http.StatusFound || r.Location(t).String() != mailtest.UIBase+"recovery?flow="+id {
			t.Fatalf("browser submit: %d to %q, want 302 back to the flow; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
		}
		bf := e.flow(id)
		if bf.State != "sent_email" || !slices.Equal(mailtest.IDs(bf.Ui.Messages), []int64{1060002}) || mailtest.NodeValue(bf.Ui.Nodes, "email") != "ada@example.com" {
			t.Errorf("browser flow after submit: state %s messages %v email %q", bf.State, mailtest.IDs(bf.Ui.Messages), mailtest.NodeValue(bf.Ui.Nodes, "email"))
		}
		link2 := e.MailedLink(e.Mail.Next(t, "ada@example.com"), "self-service/recovery")
		if link2 == link {
			t.Fatal("the second request mailed the same link")
		}
		settings2 := e.wantRecovered(c, c.Get(link2), ada.Id)
		e.setPassword(c, settings2, newPassword+"-2")
		if code := e.login("ADA@example.com", newPassword+"-2"); code != http.StatusOK {
			t.Fatalf("login with the second new password: %d, want 200", code)
		}
		if code := e.login("ada@example.com", newPassword); code == http.StatusOK {
			t.Fatal("the replaced password still signs in")
		}
	})
}

// TestRecoveryUnknownAddressLooksTheSame: the answer for an address no
// account uses is the one a known address gets, so the form tells nobody
// who has an account; only the mailbox learns it, by a notice without a
// link.
func TestRecoveryUnknownAddressLooksTheSame(t *testing.T) {
	e := start(t, nil)
	e.CreateIdentity("known@example.com")

	known, unknown := e.initAPI(), e.initAPI()
	s1, f1, raw1 := e.submitAPI(known.Id, "known@example.com")
	s2, f2, raw2 := e.submitAPI(unknown.Id, "nobody@example.com")
	if s1 != http.StatusOK || s2 != http.StatusOK {
		t.Fatalf("statuses %d and %d, want 200 for both", s1, s2)
	}
	if f1.State != f2.State || f2.State != "sent_email" || !slices.Equal(mailtest.IDs(f1.Ui.Messages), mailtest.IDs(f2.Ui.Messages)) {
		t.Errorf("known: %s %v; unknown: %s %v; want the same sent_email answer", f1.State, mailtest.IDs(f1.Ui.Messages), f2.State, mailtest.IDs(f2.Ui.Messages))
	}
	// Same bytes once the per-flow values are blanked.
	norm := func(raw []byte, id, email string) string {
		s := strings.ReplaceAll(string(raw), id, "ID")
		s = strings.ReplaceAll(s, email, "EMAIL")
		return timestamps.ReplaceAllString(s, `"TIME"`)
	}
	if a, b := norm(raw1, known.Id, "known@example.com"), norm(raw2, unknown.Id, "nobody@example.com"); a != b {
		t.Errorf("answers differ:\nknown   %s\nunknown %s", a, b)
	}

	valid := e.Mail.Next(t, "known@example.com")
	invalid := e.Mail.Next(t, "nobody@example.com")
	e.MailedLink(valid, "self-service/recovery/methods/link")
	if len(invalid.Links()) != 0 || strings.Contains(invalid.HTML, "href=") || strings.Contains(invalid.Text, "token=") {
		t.Errorf("the notice to an unknown address carries a link:\n%s\n%s", invalid.Text, invalid.HTML)
	}
	if invalid.Subject == valid.Subject || !strings.Contains(invalid.Text, "nobody@example.com") {
		t.Errorf("notice subject %q (valid mail: %q), text %q: want a different notice naming the address", invalid.Subject, valid.Subject, invalid.Text)
	}
}

// TestRecoveryAddressLetterCase: an address typed in another letter case
// finds the account; the mail goes to the address the account has.
func TestRecoveryAddressLetterCase(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("Grace.Hopper@Example.COM")
	if got := i.RecoveryAddresses; len(got) != 1 || got[0].Value != "grace.hopper@example.com" {
		t.Fatalf("recovery addresses %+v, want the canonical grace.hopper@example.com", got)
	}
	for _, typed := range []string{"GRACE.HOPPER@EXAMPLE.COM", "grace.hopper@example.com", "  Grace.Hopper@example.com "} {
		f := e.initAPI()
		if status, _, raw := e.submitAPI(f.Id, typed); status != http.StatusOK {
			t.Fatalf("submit %q: %d %s", typed, status, raw)
		}
		m := e.Mail.Next(t, "grace.hopper@example.com")
		if !slices.Equal(m.To, []string{"grace.hopper@example.com"}) {
			t.Errorf("typed %q: mail went to %v, want the account's address", typed, m.To)
		}
		b := e.Browser()
		e.wantRecovered(b, b.Get(e.MailedLink(m, "self-service/recovery/methods/link")), i.Id)
	}
}
