// Package mailtest is a real SMTP server for tests, running in-process on
// loopback (github.com/emersion/go-smtp): it receives what Latchkey's
// courier sends over the wire, keeps every message with how it arrived
// (TLS, authenticated user), and lets a test wait for the mail to an
// address and follow the link in it.
package mailtest

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultWait is how long Next and WaitCount wait for mail by default.
const DefaultWait = 20 * time.Second

// Options say how the server behaves.
type Options struct {
	// Addr is where to listen ("127.0.0.1:0" when empty); pass an address
	// from FreeAddr to start the server where a client already points.
	Addr string
	// TLS offers STARTTLS with this configuration, or, with Implicit,
	// speaks TLS from the first byte (smtps://).
	TLS      *tls.Config
	Implicit bool
	// Username and Password, when set, are required (AUTH PLAIN, only
	// after TLS when TLS is on) before any mail is accepted.
	Username, Password string
}

// Auth is one AUTH attempt the server saw.
type Auth struct {
	Username, Password string
	OK                 bool
}

// Server is a running SMTP server collecting messages.
type Server struct {
	// Addr is the listening host:port.
	Addr string
	opts Options
	srv  *smtp.Server

	mu       sync.Mutex
	msgs     []Message
	auths    []Auth
	read     map[int]bool
	changed  chan struct{}
	sessions int
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mailtest: listen on %s: %v", addr, err)
	}
	if opts.Implicit {
		if opts.TLS == nil {
			t.Fatal("mailtest: Implicit needs a TLS configuration")
		}
		ln = tls.NewListener(ln, opts.TLS)
	}
	s := &Server{Addr: ln.Addr().String(), opts: opts, read: map[int]bool{}, changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "mail.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.AllowInsecureAuth = opts.TLS == nil
	if !opts.Implicit {
		s.srv.TLSConfig = opts.TLS
	}
	done := make(chan struct{})
	go func() { _ = s.srv.Serve(ln); close(done) }()
	t.Cleanup(func() { s.Close(); <-done })
	return s
}

// Close stops the server; a test may call it early to take the server down.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}

// URI is a connection_uri for this server: smtp:// or, with Implicit,
// smtps://, accepting its self-signed certificate, with the credentials
// when the server requires some.
func (s *Server) URI() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr, Path: "/"}
	if s.opts.Implicit {
		u.Scheme = "smtps"
	}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	if s.opts.TLS != nil {
		u.RawQuery = "skip_ssl_verify=true"
	}
	return u.String()
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Messages is every message received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// To is every message received so far for an address (compared without
// regard to letter case).
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.SentTo(addr) {
			out = append(out, m)
		}
	}
	return out
}

// Auths is every AUTH attempt so far.
func (s *Server) Auths() []Auth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Auth(nil), s.auths...)
}

// Sessions is how many SMTP connections greeted the server.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Next waits for the oldest message to addr that Next has not returned yet
// and returns it; it fails the test after DefaultWait.
func (s *Server) Next(t testing.TB, addr string) Message {
	t.Helper()
	deadline := time.After(DefaultWait)
	for {
		s.mu.Lock()
		for i, m := range s.msgs {
			if !s.read[i] && m.SentTo(addr) {
				s.read[i] = true
				s.mu.Unlock()
				return m
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("mailtest: no new message to %s within %s (received: %s)", addr, DefaultWait, s.summary())
		}
	}
}

// WaitCount waits until at least n messages have arrived in all and
// returns them.
func (s *Server) WaitCount(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(DefaultWait)
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return out
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("mailtest: %d messages within %s, want %d", len(s.Messages()), DefaultWait, n)
		}
	}
}

func (s *Server) summary() string {
	var parts []string
	for _, m := range s.Messages() {
		parts = append(parts, strings.Join(m.To, ",")+" "+m.Subject)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	return &session{s: s, c: c}, nil
}

type session struct {
	s        *Server
	c        *smtp.Conn
	authUser string
	from     string
	to       []string
}

var errAuthRequired = smtp.ErrAuthRequired

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || x.s.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		ok := username == x.s.opts.Username && password == x.s.opts.Password
		x.s.mu.Lock()
		x.s.auths = append(x.s.auths, Auth{Username: username, Password: password, OK: ok})
		x.s.mu.Unlock()
		if !ok {
			return smtp.ErrAuthFailed
		}
		x.authUser = username
		return nil
	}), nil
}

func (x *session) authorized() error {
	if x.s.opts.Username != "" && x.authUser == "" {
		return errAuthRequired
	}
	return nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := x.authorized(); err != nil {
		return err
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := x.authorized(); err != nil {
		return err
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	if err := x.authorized(); err != nil {
		return err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable message: " + err.Error()}
	}
	m.From, m.To, m.AuthUser = x.from, append([]string(nil), x.to...), x.authUser
	_, m.TLS = x.c.TLSConnectionState()
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, *m)
	x.s.notify()
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// FreeAddr is a loopback address nothing listens on (yet): a mail server
// that is down, which a test may start later with Options.Addr.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
