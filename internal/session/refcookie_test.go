package session_test

import (
	"testing"

	"github.com/gorilla/securecookie"

	"github.com/latchkey/latchkey/internal/session"
)

// TestReferenceCookie: cookies the reference made with one cookie secret
// (signed) or two (signed and AES-encrypted) give back their token; a
// cookie under another secret or name, or tampered with, gives nothing.
func TestReferenceCookie(t *testing.T) {
	const name = "ory_kratos_session"
	signed := []string{"hash-key-of-the-reference-0123456789"}
	encrypted := []string{"hash-key-of-the-reference-0123456789", "0123456789abcdef0123456789abcdef"}
	encode := func(cookieName string, secrets []string, tok string) string {
		pairs := [][]byte{}
		for _, s := range secrets {
			pairs = append(pairs, []byte(s))
		}
		v, err := securecookie.EncodeMulti(cookieName, map[any]any{"session_token": tok}, securecookie.CodecsFromPairs(pairs...)...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, secrets := range [][]string{signed, encrypted} {
		rc := session.NewReferenceCookie(name, secrets)
		if tok, ok := rc.Token(encode(name, secrets, "AbCdEfGhIjKlMnOpQrStUvWxYz012345")); !ok || tok != "AbCdEfGhIjKlMnOpQrStUvWxYz012345" {
			t.Errorf("%d secrets: Token = %q, %v", len(secrets), tok, ok)
		}
		good := encode(name, secrets, "tok")
		for what, v := range map[string]string{
			"other secret":  encode(name, []string{"another-hash-key-0123456789"}, "tok"),
			"other name":    encode("session", secrets, "tok"),
			"tampered":      good[:len(good)-4] + "AAAA",
			"a plain token": "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
			"empty":         "",
		} {
			if tok, ok := rc.Token(v); ok {
				t.Errorf("%d secrets, %s: Token = %q, want nothing", len(secrets), what, tok)
			}
		}
	}
	if rc := session.NewReferenceCookie(name, nil); rc != nil {
		t.Error("a reader without secrets")
	}
	var none *session.ReferenceCookie
	if _, ok := none.Token("x"); ok {
		t.Error("a nil reader decoded something")
	}
}
