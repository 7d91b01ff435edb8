package flow

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
)

// RequestURL is the URL a flow was started with, built from the configured
// public base URL (never from the Host header, which a client controls).
func RequestURL(publicBase string, r *http.Request) string {
	return strings.TrimSuffix(publicBase, "/") + r.URL.RequestURI()
}

// ErrNotFound answers a fetch of an unknown, malformed or missing flow id.
var ErrNotFound = httpx.ErrNotFound.WithReason("The flow could not be found. It may never have existed or has been cleaned up; start a new one.")

// ErrFlowID answers a submission whose ?flow= is missing or not a UUID.
var ErrFlowID = httpx.ErrBadRequest.WithReason("The flow query parameter is missing or malformed.")

// NotFound answers a submission to an unknown flow, worded as the
// reference words it for each kind.
func NotFound(kind Kind) error {
	if kind == Login || kind == Registration {
		return &httpx.Error{Code: http.StatusNotFound, Message: "Unable to locate the resource"}
	}
	return httpx.ErrNotFound.WithReason("The %s request could not be found. Please restart the flow.", kind)
}

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

// IsJSONRequest reports whether a client wants JSON answers instead of
// redirects (single-page apps, native apps), as the reference decides it:
// the Content-Type is exactly application/json (with a charset it is not),
// or content negotiation over text/html, text/*, */* and application/json
// picks application/json. Without an Accept header a client is a browser.
func IsJSONRequest(r *http.Request) bool {
	return r.Header.Get("Content-Type") == "application/json" || negotiate(r.Header.Values("Accept")) == "application/json"
}

var offers = []string{"text/html", "text/*", "*/*", "application/json"}

// negotiate picks the offer the Accept header ranks highest: a higher q
// wins, then a more specific range, then the earlier offer.
func negotiate(accept []string) string {
	best, bestQ, bestWild := offers[0], -1.0, 3
	for _, offer := range offers {
		for _, spec := range acceptSpecs(accept) {
			wild := 0
			switch {
			case spec.q == 0 || spec.q < bestQ:
				continue
			case spec.value == "*/*":
				wild = 2
			case strings.HasSuffix(spec.value, "/*"):
				if !strings.HasPrefix(offer, strings.TrimSuffix(spec.value, "*")) {
					continue
				}
				wild = 1
			case spec.value != offer:
				continue
			}
			if spec.q > bestQ || wild < bestWild {
				best, bestQ, bestWild = offer, spec.q, wild
			}
		}
	}
	return best
}

type acceptSpec struct {
	value string
	q     float64
}

func acceptSpecs(accept []string) []acceptSpec {
	var specs []acceptSpec
	for _, header := range accept {
		for _, part := range strings.Split(header, ",") {
			value, params, _ := strings.Cut(part, ";")
			spec := acceptSpec{value: strings.ToLower(strings.TrimSpace(value)), q: 1}
			for _, p := range strings.Split(params, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
					if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						spec.q = q
					}
				}
			}
			if spec.value != "" {
				specs = append(specs, spec)
			}
		}
	}
	return specs
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
