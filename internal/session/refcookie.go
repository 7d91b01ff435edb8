package session

import (
	"github.com/gorilla/securecookie"
)

// ReferenceCookie reads the session cookie the reference (Kratos v0.6)
// set, so that browsers signed in before a takeover stay signed in: a
// gorilla/sessions cookie holding {"session_token": token}, signed (and,
// with a second secret, encrypted) with the cookie secrets taken as
// (hash key, block key) pairs, and refused by the reference once its date
// is 30 days old whatever the session's lifespan.
type ReferenceCookie struct {
	name   string
	codecs []securecookie.Codec
}

// referenceMaxAge is securecookie's default, which the reference kept.
const referenceMaxAge = 30 * 24 * 60 * 60

// NewReferenceCookie decodes cookies named name made with secrets, which
// are the reference's secrets.cookie (or secrets.default) in its order.
// It returns nil when there are no secrets.
func NewReferenceCookie(name string, secrets []string) *ReferenceCookie {
	if len(secrets) == 0 {
		return nil
	}
	pairs := make([][]byte, len(secrets))
	for k, s := range secrets {
		pairs[k] = []byte(s)
	}
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(referenceMaxAge)
		}
	}
	return &ReferenceCookie{name: name, codecs: codecs}
}

// Token returns the session token inside a reference cookie value.
func (rc *ReferenceCookie) Token(value string) (string, bool) {
	if rc == nil || value == "" {
		return "", false
	}
	values := map[any]any{}
	if err := securecookie.DecodeMulti(rc.name, value, &values, rc.codecs...); err != nil {
		return "", false
	}
	tok, ok := values["session_token"].(string)
	return tok, ok && tok != ""
}
