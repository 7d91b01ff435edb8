package app

import (
	"net/http"
	"net/url"
	"strings"
)

// canonicalHost sends a browser that opened the pages under another name
// (localhost instead of 127.0.0.1) to the public base URL first: cookies
// belong to one host name, and flows redirect to the base URL, so a page
// opened under another name would lose its anti-CSRF cookie. Dev mode
// only: behind a proxy that rewrites Host it would loop.
func canonicalHost(publicBase string, next http.Handler) http.Handler {
	base, err := url.Parse(publicBase)
	if err != nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		browserPage := p == "/" || strings.HasPrefix(p, "/ui/") || strings.HasSuffix(p, "/browser")
		if r.Method == http.MethodGet && browserPage && !strings.EqualFold(r.Host, base.Host) {
			http.Redirect(w, r, strings.TrimSuffix(publicBase, "/")+r.URL.RequestURI(), http.StatusFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}
