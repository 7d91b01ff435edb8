package config

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// devSecret lets `serve --dev` start without secrets. It is public, so dev
// mode must never face real users; Validate refuses it outside dev mode.
const devSecret = "latchkey-dev-secret-do-not-use-in-production"

// DefaultDevDSN is where `serve --dev` keeps its data without a dsn.
const DefaultDevDSN = "sqlite://latchkey.db?_fk=true"

func (c *Config) applyDefaults() (warnings []string) {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	defInt := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	defDur := func(d *Duration, v time.Duration) {
		if *d == 0 {
			*d = Duration(v)
		}
	}
	if c.Dev {
		def(&c.DSN, DefaultDevDSN)
		// The reference listens on every interface; a laptop in dev mode
		// should not, unless asked to.
		def(&c.Serve.Public.Host, "127.0.0.1")
		def(&c.Serve.Admin.Host, "127.0.0.1")
		if len(c.Secrets.Default) == 0 && len(c.Secrets.Cookie) == 0 {
			c.Secrets.Default = []string{devSecret}
			warnings = append(warnings, "no secrets configured: dev mode uses a fixed, public secret; set secrets.default before real users sign up")
		}
	}
	def(&c.Serve.Public.Host, "0.0.0.0")
	def(&c.Serve.Admin.Host, "0.0.0.0")
	defInt(&c.Serve.Public.Port, 4433)
	defInt(&c.Serve.Admin.Port, 4434)
	def(&c.Serve.Public.BaseURL, fmt.Sprintf("http://%s:%d/", localName(c.Serve.Public.Host), c.Serve.Public.Port))
	def(&c.Serve.Admin.BaseURL, fmt.Sprintf("http://%s:%d/", localName(c.Serve.Admin.Host), c.Serve.Admin.Port))
	if !strings.HasSuffix(c.Serve.Public.BaseURL, "/") {
		c.Serve.Public.BaseURL += "/"
	}
	if !strings.HasSuffix(c.Serve.Admin.BaseURL, "/") {
		c.Serve.Admin.BaseURL += "/"
	}

	cors := &c.Serve.Public.CORS
	if cors.AllowedOrigins == nil {
		cors.AllowedOrigins = []string{"*"}
	}
	if cors.AllowedMethods == nil {
		cors.AllowedMethods = []string{"POST", "GET", "PUT", "PATCH", "DELETE"}
	}
	if cors.AllowedHeaders == nil {
		cors.AllowedHeaders = []string{"Authorization", "Content-Type", "X-Session-Token"}
	}
	if cors.ExposedHeaders == nil {
		cors.ExposedHeaders = []string{"Content-Type"}
	}
	if cors.AllowCredentials == nil {
		t := true
		cors.AllowCredentials = &t
	}

	base := c.Serve.Public.BaseURL
	ss := &c.SelfService
	def(&ss.DefaultBrowserReturnURL, base+"ui/")
	f := &ss.Flows
	def(&f.Login.UIURL, base+"ui/login")
	def(&f.Registration.UIURL, base+"ui/registration")
	def(&f.Settings.UIURL, base+"ui/settings")
	def(&f.Recovery.UIURL, base+"ui/recovery")
	def(&f.Verification.UIURL, base+"ui/verification")
	def(&f.Error.UIURL, base+"ui/error")
	defDur(&f.Login.Lifespan, time.Hour)
	defDur(&f.Registration.Lifespan, time.Hour)
	defDur(&f.Settings.Lifespan, time.Hour)
	defDur(&f.Settings.PrivilegedSessionMaxAge, time.Hour)
	defDur(&f.Recovery.Lifespan, time.Hour)
	defDur(&f.Verification.Lifespan, time.Hour)

	pw := &ss.Methods.Password.Config
	if pw.HaveIBeenPwnedEnabled == nil {
		// Dev mode must work offline and quietly: it asks the breach
		// service only when told where that is.
		on := !c.Dev || pw.HaveIBeenPwnedHost != ""
		pw.HaveIBeenPwnedEnabled = &on
	}
	def(&pw.HaveIBeenPwnedHost, "api.pwnedpasswords.com")
	defDur(&pw.HaveIBeenPwnedTimeout, time.Second)
	defInt(&pw.MinPasswordLength, 8)
	if pw.IgnoreNetworkErrors == nil {
		t := true
		pw.IgnoreNetworkErrors = &t
	}

	defDur(&c.Session.Lifespan, 24*time.Hour)
	def(&c.Session.Cookie.Name, "ory_kratos_session")
	def(&c.Session.Cookie.Path, "/")
	def(&c.Session.Cookie.SameSite, "Lax")
	if c.Session.Cookie.Persistent == nil {
		t := true
		c.Session.Cookie.Persistent = &t
	}

	def(&c.Hashers.Algorithm, "bcrypt")
	defInt(&c.Hashers.Bcrypt.Cost, 12)
	a := &c.Hashers.Argon2
	if a.Memory == 0 {
		a.Memory = 128 << 20
	}
	if a.Iterations == 0 {
		a.Iterations = 1
	}
	if a.Parallelism == 0 {
		a.Parallelism = uint8(min(2*runtime.NumCPU(), 255))
	}
	if a.SaltLength == 0 {
		a.SaltLength = 16
	}
	if a.KeyLength == 0 {
		a.KeyLength = 32
	}

	def(&c.Courier.SMTP.FromAddress, "no-reply@latchkey.localhost")
	if c.WatchCourier == nil {
		t := true
		c.WatchCourier = &t
	}
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "text")
	def(&c.UI.Name, "Latchkey")
	if !c.Dev && strings.HasPrefix(c.Serve.Public.BaseURL, "http://") {
		warnings = append(warnings, "serve.public.base_url is http:// outside dev mode: cookies are Secure, so browsers will only keep them over https")
	}
	return warnings
}

// localName is the host a browser on this machine uses to reach a listener.
func localName(host string) string {
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "127.0.0.1"
	}
	return host
}

// SecretList is the configured secrets for hashing and signing, newest
// first: secrets.default, then secrets.cookie as the reference falls back.
func (c Config) SecretList() []string {
	if len(c.Secrets.Default) > 0 {
		return c.Secrets.Default
	}
	return c.Secrets.Cookie
}

// WatchesCourier reports whether serve runs the mail worker.
func (c Config) WatchesCourier() bool { return c.WatchCourier == nil || *c.WatchCourier }
