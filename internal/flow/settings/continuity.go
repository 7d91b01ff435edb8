package settings

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
)

// A change that needs a fresh sign-in is kept while the browser signs in
// again, and applied when it comes back, so the user does not type it a
// second time. The reference keeps the submitted payload itself in the
// ory_kratos_continuity cookie for 15 minutes. Latchkey keeps the cookie's
// name and lifetime but not a password in a cookie: the payload is sealed
// with AES-GCM and stored on the flow, and the cookie holds only the key.
// Neither a copy of the database nor the cookie alone reveals the change.
const (
	continuityCookie   = "ory_kratos_continuity"
	continuityLifetime = 15 * time.Minute
)

// pending is what a flow stores of a change waiting for a fresh sign-in.
type pending struct {
	Nonce     []byte    `json:"nonce"`
	Sealed    []byte    `json:"sealed"`
	ExpiresAt time.Time `json:"expires_at"`
}

type savedSubmission struct {
	Values map[string]any `json:"values"`
	Form   bool           `json:"form"`
}

// keep seals sub onto f (which the caller stores) and gives the browser
// the key.
func (h *Handler) keep(w http.ResponseWriter, f *flow.Flow, sub flow.Submission) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(savedSubmission{Values: sub.Values, Form: sub.Form})
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	p := &pending{Nonce: nonce, Sealed: aead.Seal(nil, nonce, plain, f.ID[:]), ExpiresAt: h.Kit.Clock.Now().Add(continuityLifetime)}
	if err := f.SetInternal("pending", p); err != nil {
		return err
	}
	c := h.continuityCookie()
	c.Value, c.MaxAge = base64.RawURLEncoding.EncodeToString(key), int(continuityLifetime.Seconds())
	http.SetCookie(w, c)
	return nil
}

// resumed takes the change kept on f back, if this browser holds its key
// and it is recent; ok is false otherwise. Either way the change is
// dropped from f (which the caller stores) and the cookie expired: it is
// applied once at most.
func (h *Handler) resumed(w http.ResponseWriter, r *http.Request, f *flow.Flow) (sub flow.Submission, ok bool) {
	var p *pending
	if f.GetInternal("pending", &p) {
		_ = f.SetInternal("pending", nil)
	}
	c, err := r.Cookie(continuityCookie)
	if err != nil {
		return sub, false
	}
	expired := h.continuityCookie()
	expired.MaxAge = -1
	http.SetCookie(w, expired)
	if p == nil || !h.Kit.Clock.Now().Before(p.ExpiresAt) {
		return sub, false
	}
	key, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return sub, false
	}
	aead, err := newAEAD(key)
	if err != nil || len(p.Nonce) != aead.NonceSize() {
		return sub, false
	}
	plain, err := aead.Open(nil, p.Nonce, p.Sealed, f.ID[:])
	if err != nil {
		return sub, false
	}
	var saved savedSubmission
	if json.Unmarshal(plain, &saved) != nil || saved.Values == nil {
		return sub, false
	}
	return flow.Submission{Values: saved.Values, Form: saved.Form}, true
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("settings: continuity key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (h *Handler) continuityCookie() *http.Cookie {
	c := h.Sessions.Cookie
	return &http.Cookie{Name: continuityCookie, Path: "/", Domain: c.Domain, HttpOnly: true, Secure: c.Secure, SameSite: c.SameSite}
}
