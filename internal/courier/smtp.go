package courier

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends over SMTP as courier.smtp.connection_uri says: smtp:// uses
// STARTTLS when the server offers it, smtps:// is TLS from the start,
// ?skip_ssl_verify=true accepts any certificate, user:password authenticate.
type SMTP struct {
	host        string
	opts        []mail.Option
	fromName    string
	fromAddress string
}

// NewSMTP parses a connection URI. Errors never quote the URI: it may hold
// a password.
func NewSMTP(connectionURI, fromAddress, fromName string) (*SMTP, error) {
	u, err := url.Parse(connectionURI)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("courier.smtp.connection_uri is not a valid smtp:// or smtps:// URL")
	}
	s := &SMTP{host: u.Hostname(), fromName: fromName, fromAddress: fromAddress}
	tlsCfg := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	if skip, _ := strconv.ParseBool(u.Query().Get("skip_ssl_verify")); skip {
		tlsCfg.InsecureSkipVerify = true
	}
	s.opts = append(s.opts, mail.WithTLSConfig(tlsCfg), mail.WithTimeout(15*time.Second))
	port := 25
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		s.opts = append(s.opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("courier.smtp.connection_uri: scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("courier.smtp.connection_uri: the port is not a number")
		}
	}
	s.opts = append(s.opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pw, _ := u.User.Password()
		s.opts = append(s.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	return s, nil
}

// Send delivers m with one connection.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.FromFormat(s.fromName, s.fromAddress); err != nil {
		return fmt.Errorf("courier.smtp.from_address: %w", err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID.String() + "@latchkey")
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	if m.BodyHTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.BodyHTML)
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Keep is the sender of dev mode without an SMTP server: messages stay in
// the database, where the dev mailbox shows them.
type Keep struct{}

// Send implements Sender.
func (Keep) Send(context.Context, Message) error { return nil }
