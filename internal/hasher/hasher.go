// Package hasher hashes and verifies passwords with bcrypt or argon2id,
// stored as standard modular-crypt / PHC strings so hashes imported from the
// reference verify. A semaphore bounds how many hashes run at once: a burst
// of logins queues instead of exhausting CPU and memory.
package hasher

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Params select the algorithm for new hashes.
type Params struct {
	Algorithm  string // "bcrypt" or "argon2"
	BcryptCost int
	Argon2     Argon2Params
	// SlowAfter, when set, is how long an argon2 hash may take before
	// OnSlow is told (hashers.argon2.expected_duration + _deviation): the
	// parameters no longer fit the machine.
	SlowAfter time.Duration
	OnSlow    func(took time.Duration)
}

// Hasher hashes new passwords with the configured algorithm and verifies
// hashes of any supported algorithm.
type Hasher struct {
	p   Params
	sem chan struct{}
}

// New returns a Hasher. concurrency <= 0 means one slot per CPU.
func New(p Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = max(2, runtime.NumCPU())
	}
	return &Hasher{p: p, sem: make(chan struct{}, concurrency)}
}

// prehashPrefix marks a bcrypt hash of a SHA-256 pre-hash. bcrypt reads only
// 72 bytes, so longer passwords are pre-hashed rather than truncated.
const prehashPrefix = "$latchkey-sha256"

// bcryptMax is the longest password bcrypt hashes without truncation.
const bcryptMax = 72

// ErrMismatch is returned by Compare for a wrong password.
var ErrMismatch = errors.New("hasher: password does not match")

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the encoded hash of password.
func (h *Hasher) Hash(ctx context.Context, password []byte) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	if h.p.Algorithm == "argon2" {
		start := time.Now()
		encoded, err := hashArgon2(password, h.p.Argon2)
		if took := time.Since(start); h.p.SlowAfter > 0 && took > h.p.SlowAfter && h.p.OnSlow != nil {
			h.p.OnSlow(took)
		}
		return encoded, err
	}
	if len(password) > bcryptMax {
		b, err := bcrypt.GenerateFromPassword(prehash(password), h.p.BcryptCost)
		if err != nil {
			return "", err
		}
		return prehashPrefix + string(b), nil
	}
	b, err := bcrypt.GenerateFromPassword(password, h.p.BcryptCost)
	return string(b), err
}

func prehash(password []byte) []byte {
	sum := sha256.Sum256(password)
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}

// Compare checks password against an encoded hash. It returns ErrMismatch
// for a wrong password and another error for a hash it cannot read.
func (h *Hasher) Compare(ctx context.Context, password []byte, encoded string) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	switch {
	case strings.HasPrefix(encoded, prehashPrefix+"$2"):
		return bcryptCompare(strings.TrimPrefix(encoded, prehashPrefix), prehash(password))
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		if len(password) > bcryptMax {
			// Hashes made elsewhere saw only the first 72 bytes.
			password = password[:bcryptMax]
		}
		return bcryptCompare(encoded, password)
	case strings.HasPrefix(encoded, "$argon2id$"), strings.HasPrefix(encoded, "$argon2i$"):
		return compareArgon2(password, encoded)
	}
	return fmt.Errorf("hasher: unknown hash format")
}

func bcryptCompare(encoded string, password []byte) error {
	err := bcrypt.CompareHashAndPassword([]byte(encoded), password)
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return ErrMismatch
	}
	return err
}

func constantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
