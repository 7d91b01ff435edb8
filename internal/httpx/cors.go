package httpx

import (
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/rs/cors"
)

// CORSConfig is serve.public.cors.
type CORSConfig struct {
	Enabled          bool
	AllowedOrigins   []string
	AllowedMethods   []string
	AllowedHeaders   []string
	ExposedHeaders   []string
	AllowCredentials bool
	MaxAge           int
	Debug            bool
	// OptionsPassthrough hands preflight requests on to the routes.
	OptionsPassthrough bool
}

// CORS lets single-page apps on other origins call the public API. A
// wildcard origin never gets credentials: reflecting any origin with
// cookies would let every site read a visitor's session.
func CORS(c CORSConfig, log *slog.Logger, next http.Handler) http.Handler {
	if !c.Enabled {
		return next
	}
	creds := c.AllowCredentials
	if creds && slices.ContainsFunc(c.AllowedOrigins, matchesAnySite) {
		log.Warn("serve.public.cors: allowed_origins has a pattern that matches any site, so credentials (cookies) are not allowed cross-origin; list the origins of your apps (https://*.example.com is fine)")
		creds = false
	}
	return cors.New(cors.Options{
		AllowedOrigins: c.AllowedOrigins, AllowedMethods: c.AllowedMethods, AllowedHeaders: c.AllowedHeaders,
		ExposedHeaders: c.ExposedHeaders, AllowCredentials: creds, MaxAge: c.MaxAge, Debug: c.Debug,
		OptionsPassthrough: c.OptionsPassthrough,
	}).Handler(next)
}

// ownSubdomains is the one wildcard form that names an operator's own
// sites: a scheme, "*." and a domain.
var ownSubdomains = regexp.MustCompile(`^https?://\*\.[^*/]+\.[^*/]+$`)

// matchesAnySite reports whether an allowed-origin pattern lets any site
// in ("*", "https://*", "http*", ...).
func matchesAnySite(origin string) bool {
	return strings.Contains(origin, "*") && !ownSubdomains.MatchString(origin)
}

// SecurityHeaders sets defaults every public answer gets: nothing is cached
// (flows, sessions and errors carry personal data and tokens; handlers of
// static content override this), no Referer leaks a token or flow id from
// the URL, and content types are not sniffed.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		NoStore(h)
		h["Referrer-Policy"] = noReferrer
		h["X-Content-Type-Options"] = noSniff
		next.ServeHTTP(w, r)
	})
}

// NoStore sets Cache-Control: no-store, for answers nothing may keep.
func NoStore(h http.Header) { h["Cache-Control"] = noStore }

// Header values every answer sets, made once: Header.Set makes a slice per
// call. They are assigned, never changed in place; Header.Add on one of
// them copies it first, as its capacity is its length.
var (
	noStore    = []string{"no-store"}
	noReferrer = []string{"no-referrer"}
	noSniff    = []string{"nosniff"}
	jsonUTF8   = []string{"application/json; charset=utf-8"}
	jsonType   = []string{"application/json"}
)
