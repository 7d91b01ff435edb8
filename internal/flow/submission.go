package flow

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/locale"
)

// Submission is a decoded form submission: JSON objects as they are, and
// form-urlencoded bodies with dotted names ("traits.name.first") turned into
// nested objects, so strategies read one shape.
type Submission struct {
	Values map[string]any
	Form   bool // true when the values came from a form (all strings)
	// Language is the submitter's language preference (locale.Preference),
	// for mail a submission sends.
	Language string
	// queried: a social sign-in field came from the query string.
	queried bool
}

// socialFields are the names of social sign-in's buttons. As in the
// reference they are read from a form body or the query string, never
// from JSON.
var socialFields = []string{"provider", "link", "unlink"}

// fromQuery fills the social fields the body did not carry from the
// query string.
func (s *Submission) fromQuery(q url.Values) {
	for _, k := range socialFields {
		if !s.Has(k) && q.Get(k) != "" {
			if s.Values == nil {
				s.Values = map[string]any{}
			}
			s.Values[k] = q.Get(k)
			s.queried = true
		}
	}
}

// Decode reads a submission from a JSON or form-urlencoded body, or from
// the query string of a GET (the reference starts social sign-in with
// GET /self-service/login?flow=…&provider=…).
func Decode(w http.ResponseWriter, r *http.Request) (Submission, error) {
	sub, err := decode(w, r)
	if err == nil {
		sub.fromQuery(r.URL.Query())
	}
	return sub, err
}

func decode(w http.ResponseWriter, r *http.Request) (Submission, error) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		q.Del("flow")
		return Submission{Values: nest(q), Form: true, Language: locale.Preference(r)}, nil
	}
	switch httpx.MediaType(r) {
	case "application/json":
		b, err := httpx.ReadBody(w, r)
		if err != nil {
			return Submission{}, err
		}
		if err := httpx.CheckJSON(b); err != nil {
			return Submission{}, err
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return Submission{}, httpx.ErrBadRequest.WithReason("the body must be a JSON object")
		}
		for _, k := range socialFields {
			delete(v, k)
		}
		return Submission{Values: v, Language: locale.Preference(r)}, nil
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes)
		if err := r.ParseForm(); err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return Submission{}, httpx.ErrTooLarge
			}
			return Submission{}, httpx.ErrBadRequest.WithReason("the form body could not be parsed")
		}
		return Submission{Values: nest(r.PostForm), Form: true, Language: locale.Preference(r)}, nil
	}
	return Submission{}, httpx.ErrUnsupportedMedia.WithReason("send application/json or application/x-www-form-urlencoded")
}

func nest(form url.Values) map[string]any {
	out := map[string]any{}
	for key, vals := range form {
		if len(vals) == 0 || strings.IndexByte(vals[0], 0) >= 0 {
			continue
		}
		parts := strings.Split(key, ".")
		node := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = vals[0]
	}
	return out
}

// String returns a string field; ok is false when it is absent or not a
// string.
func (s Submission) String(key string) (string, bool) {
	v, ok := s.Values[key].(string)
	return v, ok
}

// Lookup returns the value at a dotted node name ("traits.name.first").
func (s Submission) Lookup(name string) (any, bool) {
	var v any = s.Values
	for _, part := range strings.Split(name, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Has reports whether a field is present at all.
func (s Submission) Has(key string) bool {
	_, ok := s.Values[key]
	return ok
}

// Method is the submitted "method", the strategy the client chose. Social
// sign-in's buttons submit provider (login, registration) or link / unlink
// (settings) without a method, as the reference's forms do; like the
// reference, only form bodies and the query string select it that way.
func (s Submission) Method() string {
	if m, _ := s.String("method"); m != "" {
		return m
	}
	// The WebAuthn script submits its form without pressing a button, as
	// the later versions' does: the answer it fills in names the method.
	for _, k := range []string{"webauthn_register", "webauthn_login", "webauthn_remove"} {
		if v, _ := s.String(k); v != "" {
			return "webauthn"
		}
	}
	// The second factors' settings buttons are submits of their own name
	// with the value "true", without a method, as the later versions draw
	// them.
	for _, k := range []string{"lookup_secret_regenerate", "lookup_secret_reveal", "lookup_secret_confirm", "lookup_secret_disable"} {
		if s.Has(k) {
			return "lookup_secret"
		}
	}
	if s.Has("totp_unlink") {
		return "totp"
	}
	if s.Form || s.queried {
		for _, k := range []string{"provider", "link", "unlink"} {
			if s.Has(k) {
				return "oidc"
			}
		}
	}
	return ""
}
