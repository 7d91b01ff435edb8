package totp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
)

// ErrUnsealed is returned when no configured secret opens a sealed value.
var ErrUnsealed = errors.New("totp: sealed value does not open with any configured secret")

// Sealer encrypts TOTP URLs with AES-256-GCM. The first secret seals; all
// of them are tried to open, so secrets.cipher can be rotated by putting
// the new secret first and keeping the old ones until every seed was
// re-sealed.
type Sealer struct{ aeads []cipher.AEAD }

// NewSealer derives one key per secret. Pass secrets.cipher, or
// secrets.default when cipher is empty, as the later versions fall back.
func NewSealer(secrets []string) (*Sealer, error) {
	if len(secrets) == 0 {
		return nil, errors.New("totp: no secret to derive the cipher key from")
	}
	s := &Sealer{}
	for _, sec := range secrets {
		// HKDF with a purpose label, so the same configured secret used
		// for cookies or token hashes never doubles as this key.
		key, err := hkdf.Key(sha256.New, []byte(sec), nil, "latchkey totp seed v1", 32)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts plain; the result is printable for a JSON config column.
func (s *Sealer) Seal(plain string) (string, error) {
	a := s.aeads[0]
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := a.Seal(nonce, nonce, []byte(plain), nil)
	return "v1." + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal under any configured secret.
func (s *Sealer) Open(sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, "v1.")
	if !ok {
		return "", ErrUnsealed
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return "", ErrUnsealed
	}
	for _, a := range s.aeads {
		if len(b) < a.NonceSize() {
			return "", ErrUnsealed
		}
		if p, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], nil); err == nil {
			return string(p), nil
		}
	}
	return "", ErrUnsealed
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
