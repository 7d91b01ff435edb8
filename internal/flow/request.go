package flow

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
)

// RequestURL is the URL a flow was started with, built from the configured
// public base URL (never from the Host header, which a client controls).
func RequestURL(publicBase string, r *http.Request) string {
	return strings.TrimSuffix(publicBase, "/") + r.URL.RequestURI()
}

// ErrNotFound answers an unknown, malformed or missing flow id.
var ErrNotFound = httpx.ErrNotFound.WithReason("The flow could not be found. It may never have existed or has been cleaned up; start a new one.")

// ID reads a flow id from a query parameter ("flow" when submitting, "id"
// when fetching).
func ID(r *http.Request, param string) (uuid.UUID, error) {
	raw := r.URL.Query().Get(param)
	id, err := uuid.Parse(raw)
	if err != nil || raw == "" {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// ActionURL is where a flow's form is submitted.
func ActionURL(publicBase string, kind Kind, id uuid.UUID) string {
	return publicBase + "self-service/" + string(kind) + "?flow=" + id.String()
}

// FetchURL is where a flow's JSON is fetched.
func FetchURL(publicBase string, kind Kind, id uuid.UUID) string {
	return publicBase + "self-service/" + string(kind) + "/flows?id=" + id.String()
}

// IsJSONRequest reports whether a browser-flow client wants JSON answers
// instead of redirects (single-page apps).
func IsJSONRequest(r *http.Request) bool {
	return httpx.MediaType(r) == "application/json" || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// APIRequestProblem names the browser header that an api flow must not be
// submitted with: a request that carries cookies or an Origin comes from a
// browser, which must use browser flows with CSRF protection.
func APIRequestProblem(r *http.Request) string {
	for _, h := range []string{"Cookie", "Origin"} {
		if r.Header.Get(h) != "" {
			return h
		}
	}
	return ""
}
