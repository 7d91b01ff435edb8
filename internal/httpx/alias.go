package httpx

import (
	"context"
	"net"
	"net/http"
	"strings"
)

// DomainAlias serves a host name under its own base URL
// (serve.public.domain_aliases).
type DomainAlias struct {
	MatchDomain, Scheme, BasePath string
}

type baseURLKey struct{}

// DomainAliases puts the base URL of the alias a request's host matches
// into its context, so the flows it starts point back at that host.
func DomainAliases(aliases []DomainAlias, next http.Handler) http.Handler {
	if len(aliases) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		for _, a := range aliases {
			if strings.EqualFold(host, a.MatchDomain) {
				base := a.Scheme + "://" + r.Host + "/" + strings.Trim(a.BasePath, "/")
				if !strings.HasSuffix(base, "/") {
					base += "/"
				}
				r = r.WithContext(context.WithValue(r.Context(), baseURLKey{}, base))
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}

// BaseURL is the public base URL for a request: its domain alias's, else
// the configured one.
func BaseURL(r *http.Request, configured string) string {
	if r != nil {
		if b, ok := r.Context().Value(baseURLKey{}).(string); ok {
			return b
		}
	}
	return configured
}
