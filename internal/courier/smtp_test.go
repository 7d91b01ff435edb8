package courier_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// send asks for recovery for an unknown address through a fresh Latchkey
// mailing to uri and returns the message the server received.
func sendThrough(t *testing.T, mail *mailtest.Server, uri string) mailtest.Message {
	t.Helper()
	e := mailtest.NewEnv(t, testkit.Start(t, mailtest.Config(t, testkit.NewDatabase(t, "sqlite"), uri, nil)), mail)
	if status, body := requestRecovery(t, e, "tls@example.com"); status != http.StatusOK {
		t.Fatalf("recovery: %d %s", status, body)
	}
	return mail.Next(t, "tls@example.com")
}

// TestSMTPTransportSecurity: smtp:// upgrades with STARTTLS when the server
// offers it, smtps:// speaks TLS from the start, and ?skip_ssl_verify=true
// is what lets a self-signed certificate through.
func TestSMTPTransportSecurity(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		mail := mailtest.Start(t, mailtest.Options{})
		if m := sendThrough(t, mail, mail.URI()); m.TLS {
			t.Fatal("a server without TLS reports a TLS session")
		}
	})
	t.Run("starttls", func(t *testing.T) {
		mail := mailtest.Start(t, mailtest.Options{TLS: mailtest.SelfSignedTLS(t)})
		if !strings.HasPrefix(mail.URI(), "smtp://") || !strings.HasSuffix(mail.URI(), "?skip_ssl_verify=true") {
			t.Fatalf("uri %s", mail.URI())
		}
		if m := sendThrough(t, mail, mail.URI()); !m.TLS {
			t.Fatal("the server offered STARTTLS but the message came in the clear")
		}
	})
	t.Run("smtps", func(t *testing.T) {
		mail := mailtest.Start(t, mailtest.Options{TLS: mailtest.SelfSignedTLS(t), Implicit: true})
		if !strings.HasPrefix(mail.URI(), "smtps://") {
			t.Fatalf("uri %s", mail.URI())
		}
		if m := sendThrough(t, mail, mail.URI()); !m.TLS {
			t.Fatal("smtps:// delivered without TLS")
		}
	})
	t.Run("self-signed refused without skip_ssl_verify", func(t *testing.T) {
		mail := mailtest.Start(t, mailtest.Options{TLS: mailtest.SelfSignedTLS(t), Implicit: true})
		e := startQuiet(t, testkit.NewDatabase(t, "sqlite"), "smtps://"+mail.Addr+"/", nil)
		fastWorker(e.Server.App.Courier, 1000)
		runWorker(t, e.Server.App.Courier)
		if status, body := requestRecovery(t, e, "tls@example.com"); status != http.StatusOK {
			t.Fatalf("recovery: %d %s", status, body)
		}
		ms := waitQueue(t, e, "recorded a failed attempt", func(ms []courier.Message) bool {
			return len(ms) == 1 && ms[0].LastError != ""
		})
		if ms[0].Status != courier.StatusQueued || len(mail.Messages()) != 0 {
			t.Fatalf("an unverifiable certificate was accepted: %s", describe(ms))
		}
	})
}

// TestSMTPAuth: user:password in the connection URI authenticate (after
// STARTTLS); the server sees exactly those credentials.
func TestSMTPAuth(t *testing.T) {
	mail := mailtest.Start(t, mailtest.Options{TLS: mailtest.SelfSignedTLS(t), Username: "mailer", Password: "s3cret-p@ss"})
	if u, err := url.Parse(mail.URI()); err != nil || u.User.String() != "mailer:s3cret-p%40ss" {
		t.Fatalf("uri %s", mail.URI())
	}
	m := sendThrough(t, mail, mail.URI())
	if m.AuthUser != "mailer" || !m.TLS {
		t.Errorf("message from user %q (TLS %v), want mailer over TLS", m.AuthUser, m.TLS)
	}
	auths := mail.Auths()
	if len(auths) != 1 || auths[0] != (mailtest.Auth{Username: "mailer", Password: "s3cret-p@ss", OK: true}) {
		t.Errorf("auth attempts %+v, want one with mailer's credentials", auths)
	}
}

// TestSMTPAuthFailureKeepsPasswordSecret: a refused login leaves the
// message queued with the error recorded, and the password appears
// neither in the logs nor in the stored error.
func TestSMTPAuthFailureKeepsPasswordSecret(t *testing.T) {
	const secret = "Wr0ng-Pa55word-XYZZY"
	mail := mailtest.Start(t, mailtest.Options{TLS: mailtest.SelfSignedTLS(t), Username: "mailer", Password: "the-right-one"})
	uri := "smtp://mailer:" + secret + "@" + mail.Addr + "/?skip_ssl_verify=true"
	cfg := mailtest.Config(t, testkit.NewDatabase(t, "sqlite"), uri, func(c *config.Config) {
		off := false
		c.WatchCourier = &off
	})
	e, logs := startLogged(t, cfg)
	fastWorker(e.Server.App.Courier, 1000)
	runWorker(t, e.Server.App.Courier)

	if status, body := requestRecovery(t, e, "locked@example.com"); status != http.StatusOK {
		t.Fatalf("recovery while the mail login fails: %d %s", status, body)
	}
	ms := waitQueue(t, e, "recorded failed logins", func(ms []courier.Message) bool {
		return len(ms) == 1 && ms[0].Attempts >= 2 && ms[0].LastError != ""
	})
	if len(mail.Auths()) == 0 || mail.Auths()[0].Password != secret || mail.Auths()[0].OK {
		t.Fatalf("the server saw auth attempts %+v, want refused ones with the configured password", mail.Auths())
	}
	if ms[0].Status != courier.StatusQueued || len(mail.Messages()) != 0 {
		t.Fatalf("a message got through a refused login: %s", describe(ms))
	}
	out := logs.String()
	if !strings.Contains(out, "courier") {
		t.Fatalf("the failed sends were not logged at all; log:\n%s", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("the SMTP password is in the log:\n%s", out)
	}
	if strings.Contains(ms[0].LastError, secret) {
		t.Errorf("the SMTP password is in the stored error %q", ms[0].LastError)
	}
}
