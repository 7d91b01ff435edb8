// Package hasher hashes and verifies passwords. New hashes are bcrypt or
// argon2id, as configured; hashes of many other formats (imported from the
// reference or from other systems) verify too, and NeedsRehash says when a
// stored hash should be replaced by one of the configured kind. A semaphore
// bounds how many hashes run at once: a burst of logins queues instead of
// exhausting CPU and memory.
package hasher

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"runtime"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
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
	// Tracer, when set, gets a span per hash and comparison (with the
	// time spent waiting for a slot inside it).
	Tracer trace.Tracer

	p   Params
	sem chan struct{}
}

func (h *Hasher) span(ctx context.Context, name string) (context.Context, trace.Span) {
	if h.Tracer == nil {
		return ctx, nil
	}
	return h.Tracer.Start(ctx, name, trace.WithAttributes(attribute.String("latchkey.hasher.algorithm", h.p.Algorithm)))
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
	if ctx, span := h.span(ctx, "hasher.hash"); span != nil {
		defer span.End()
		return h.hash(ctx, password)
	}
	return h.hash(ctx, password)
}

func (h *Hasher) hash(ctx context.Context, password []byte) (string, error) {
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
	if ctx, span := h.span(ctx, "hasher.compare"); span != nil {
		defer span.End()
		return h.compare(ctx, password, encoded)
	}
	return h.compare(ctx, password, encoded)
}

func (h *Hasher) compare(ctx context.Context, password []byte, encoded string) error {
	v, err := parse(encoded, h.limits(false))
	if err != nil {
		return err
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	return v.verify(password)
}

// Check reports whether an encoded hash given for import can ever verify,
// naming the problem when not: an unknown format, a malformed part, or a
// cost beyond what the reference accepts (or this server writes itself).
func (h *Hasher) Check(encoded string) error {
	_, err := parse(encoded, h.limits(true))
	return err
}

// NeedsRehash reports whether a hash that just verified should be replaced
// by a fresh one: it is of another algorithm than the configured one, or of
// the configured one at a lower cost.
func (h *Hasher) NeedsRehash(encoded string) bool {
	v, err := parse(encoded, h.limits(false))
	if err != nil {
		return true
	}
	switch v := v.(type) {
	case bcryptHash:
		return h.p.Algorithm == "argon2" || v.cost < h.p.BcryptCost
	case argon2Hash:
		a := h.p.Argon2
		return h.p.Algorithm != "argon2" || !v.id || v.p.Memory < a.Memory || v.p.Iterations < a.Iterations || v.keyLen < a.KeyLength
	}
	return true
}

// verifier is a parsed hash.
type verifier interface {
	verify(password []byte) error
}

type bcryptHash struct {
	encoded string
	cost    int
	prehash bool
}

func (b bcryptHash) verify(password []byte) error {
	if b.prehash {
		password = prehash(password)
	} else if len(password) > bcryptMax {
		// Hashes made elsewhere saw only the first 72 bytes.
		password = password[:bcryptMax]
	}
	err := bcrypt.CompareHashAndPassword([]byte(b.encoded), password)
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return ErrMismatch
	}
	return err
}

func constantTimeEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// match turns a comparison of derived bytes into the package's answer.
func match(got, want []byte) error {
	if !constantTimeEqual(got, want) {
		return ErrMismatch
	}
	return nil
}
