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

func def(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

func defInt(n *int, v int) {
	if *n == 0 {
		*n = v
	}
}

func defBool(b **bool, v bool) {
	if *b == nil {
		*b = &v
	}
}

func defDur(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// applyDefaults fills what the configuration leaves out, section by
// section, and returns what is worth warning about.
func (c *Config) applyDefaults() (warnings []string) {
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
	c.Serve.applyDefaults()
	c.SelfService.applyDefaults(c.Serve.Public.BaseURL, c.Dev)
	c.Session.applyDefaults()
	applyMFADefaults(c)
	c.Hashers.applyDefaults()
	c.Throttle.applyDefaults()
	def(&c.Courier.SMTP.FromAddress, "no-reply@latchkey.localhost")
	defBool(&c.WatchCourier, true)
	if c.Serve.Shutdown.DrainPeriod == nil {
		// Nothing balances load in dev mode: Ctrl-C stops at once.
		d := Duration(5 * time.Second)
		if c.Dev {
			d = 0
		}
		c.Serve.Shutdown.DrainPeriod = &d
	}
	defDur(&c.Serve.Shutdown.Timeout, 15*time.Second)
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "text")
	def(&c.UI.Name, "Latchkey")
	if !c.Dev && strings.HasPrefix(c.Serve.Public.BaseURL, "http://") {
		warnings = append(warnings, "serve.public.base_url is http:// outside dev mode: cookies are Secure, so browsers will only keep them over https")
	}
	warnings = append(warnings, c.Tracing.applyDefaults()...)
	return append(warnings, c.Hashers.warnings()...)
}

func (s *Serve) applyDefaults() {
	s.Public.Endpoint.applyDefaults(4433)
	s.Admin.applyDefaults(4434)
	for i := range s.Public.DomainAliases {
		def(&s.Public.DomainAliases[i].BasePath, "/")
	}
	cors := &s.Public.CORS
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
	defBool(&cors.AllowCredentials, true)
}

func (e *Endpoint) applyDefaults(port int) {
	def(&e.Host, "0.0.0.0")
	defInt(&e.Port, port)
	if e.Socket.Mode == nil {
		m := 0o755
		e.Socket.Mode = &m
	}
	host := localName(e.Host)
	if _, unix := e.SocketPath(); unix {
		host = "127.0.0.1"
	}
	def(&e.BaseURL, fmt.Sprintf("http://%s:%d/", host, e.Port))
	if !strings.HasSuffix(e.BaseURL, "/") {
		e.BaseURL += "/"
	}
}

func (s *SelfService) applyDefaults(base string, dev bool) {
	def(&s.DefaultBrowserReturnURL, base+"ui/")
	s.Flows.applyDefaults(base)
	pw := &s.Methods.Password.Config
	if pw.HaveIBeenPwnedEnabled == nil {
		// Dev mode must work offline and quietly: it asks the breach
		// service only when told where that is.
		on := !dev || pw.HaveIBeenPwnedHost != ""
		pw.HaveIBeenPwnedEnabled = &on
	}
	def(&pw.HaveIBeenPwnedHost, "api.pwnedpasswords.com")
	defDur(&pw.HaveIBeenPwnedTimeout, time.Second)
	defInt(&pw.MinPasswordLength, 8)
	defBool(&pw.IgnoreNetworkErrors, true)
}

func (s *Session) applyDefaults() {
	defDur(&s.Lifespan, 24*time.Hour)
	defBool(&s.WhoamiCache, true)
	def(&s.Cookie.Name, "ory_kratos_session")
	def(&s.Cookie.Path, "/")
	def(&s.Cookie.SameSite, "Lax")
	defBool(&s.Cookie.Persistent, true)
}

func (h *Hashers) applyDefaults() {
	def(&h.Algorithm, "bcrypt")
	defInt(&h.Bcrypt.Cost, 12)
	a := &h.Argon2
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
	defDur(&a.ExpectedDuration, 500*time.Millisecond)
	defDur(&a.ExpectedDeviation, 500*time.Millisecond)
	if a.DedicatedMemory == 0 {
		a.DedicatedMemory = 1 << 30
	}
}

// HashSlots is how many passwords are hashed at once (the hasher's
// concurrency bound): one per CPU, at least two.
func HashSlots() int { return max(runtime.NumCPU(), 2) }

// warnings reports argon2 settings that would use more memory than
// dedicated_memory when every hashing slot is busy.
func (h Hashers) warnings() []string {
	a := h.Argon2
	if h.Algorithm != "argon2" {
		return nil
	}
	if peak := uint64(a.Memory) * uint64(HashSlots()); peak > uint64(a.DedicatedMemory) {
		return []string{fmt.Sprintf("hashers.argon2: %d concurrent hashes of %dMB need %dMB, more than dedicated_memory (%dMB); lower memory or run `latchkey hashers argon2 calibrate`",
			HashSlots(), a.Memory>>20, peak>>20, a.DedicatedMemory>>20)}
	}
	return nil
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
