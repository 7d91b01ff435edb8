// Package token makes the secrets Latchkey hands out (session, recovery and
// verification tokens, CSRF tokens) and the keyed hashes it stores in their
// place, so a copy of the database does not let anyone sign in.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"sync"
)

// New returns 256 random bits as 43 URL-safe characters.
func New() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Hasher computes keyed hashes with the configured secrets. The first secret
// hashes new tokens; the others still match tokens hashed before a rotation.
type Hasher struct {
	macs []*sync.Pool // per secret, newest first; each holds keyed HMACs
}

// NewHasher returns a Hasher over secrets, newest first.
func NewHasher(secrets []string) *Hasher {
	h := &Hasher{}
	for _, s := range secrets {
		key := []byte(s)
		// Keyed HMAC states are reused: whoami hashes a token on every
		// request, and setting up the key each time was most of the cost.
		h.macs = append(h.macs, &sync.Pool{New: func() any { return &macState{mac: hmac.New(sha256.New, key)} }})
	}
	return h
}

// Purposes keep a token of one kind from matching a hash of another.
const (
	Session      = "session"
	Recovery     = "recovery"
	Verification = "verification"
	CSRF         = "csrf"
)

// Hash is the stored form of a token under the current secret.
func (h *Hasher) Hash(purpose, tok string) string {
	return hashWith(h.macs[0], purpose, tok)
}

// Candidates are the stored forms of a token under every configured secret,
// for a lookup with `WHERE token_hash IN (...)`.
func (h *Hasher) Candidates(purpose, tok string) []string {
	out := make([]string, len(h.macs))
	for i, p := range h.macs {
		out[i] = hashWith(p, purpose, tok)
	}
	return out
}

// macState is a keyed HMAC with room for its input and output, so that a
// hash allocates only the string it returns.
type macState struct {
	mac hash.Hash
	in  []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

// maxPooledInput keeps an odd huge token from pinning its buffer.
const maxPooledInput = 1 << 10

func hashWith(p *sync.Pool, purpose, tok string) string {
	m := p.Get().(*macState)
	m.mac.Reset()
	m.in = append(append(append(m.in[:0], purpose...), 0), tok...)
	m.mac.Write(m.in)
	hex.Encode(m.hex[:], m.mac.Sum(m.sum[:0]))
	out := string(m.hex[:])
	// The token is a secret: no copy of it waits in the pool.
	clear(m.in)
	if cap(m.in) <= maxPooledInput {
		p.Put(m)
	}
	return out
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}

// Outcomes of using a token from a link (recovery, verification).
var (
	ErrUnknown = errors.New("token: unknown or already used")
	ErrExpired = errors.New("token: expired")
)
