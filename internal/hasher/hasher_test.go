package hasher_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/hasher"
)

// Cheap parameters: the tests check formats and logic, not cost.
var (
	bcryptParams = hasher.Params{Algorithm: "bcrypt", BcryptCost: 4}
	argonParams  = hasher.Params{Algorithm: "argon2", Argon2: hasher.Argon2Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
)

var ctx = context.Background()

// TestRoundTrip: each algorithm verifies its own hashes, refuses other
// passwords with ErrMismatch, and writes the standard string format.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      hasher.Params
		prefix string
	}{
		{"bcrypt", bcryptParams, "$2a$04$"},
		{"argon2id", argonParams, "$argon2id$v=19$m=1024,t=1,p=1$"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hasher.New(tc.p, 0)
			enc, err := h.Hash(ctx, []byte("correct horse battery staple"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, tc.prefix) {
				t.Errorf("hash %q does not start with %q", enc, tc.prefix)
			}
			if err := h.Compare(ctx, []byte("correct horse battery staple"), enc); err != nil {
				t.Errorf("Compare of the right password: %v", err)
			}
			for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", ""} {
				if err := h.Compare(ctx, []byte(wrong), enc); !errors.Is(err, hasher.ErrMismatch) {
					t.Errorf("Compare(%q) = %v, want ErrMismatch", wrong, err)
				}
			}
			// Two hashes of one password differ: the salt is random.
			again, _ := h.Hash(ctx, []byte("correct horse battery staple"))
			if again == enc {
				t.Error("two hashes of the same password are equal; the salt is not random")
			}
		})
	}
}

// TestVerifiesHashesMadeElsewhere: hashes imported from the reference (or
// any tool writing the standard formats) must keep verifying, whatever
// algorithm new hashes use.
func TestVerifiesHashesMadeElsewhere(t *testing.T) {
	password := []byte("imported password")
	bc, err := bcrypt.GenerateFromPassword(password, 5)
	if err != nil {
		t.Fatal(err)
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey(password, salt, 2, 8*1024, 2, 32)
	raw, std := base64.RawStdEncoding, base64.StdEncoding
	argonPHC := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", 8*1024, 2, 2, raw.EncodeToString(salt), raw.EncodeToString(key))
	// Some tools pad their base64.
	argonPadded := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", 8*1024, 2, 2, std.EncodeToString(salt), std.EncodeToString(key))
	// argon2i, the older variant, with a 16-byte key.
	ikey := argon2.Key(password, salt, 3, 4*1024, 1, 16)
	argonI := fmt.Sprintf("$argon2i$v=19$m=%d,t=%d,p=%d$%s$%s", 4*1024, 3, 1, raw.EncodeToString(salt), raw.EncodeToString(ikey))
	// $2b$ and $2y$ are the same algorithm under other names.
	bc2b := "$2b$" + string(bc[4:])
	bc2y := "$2y$" + string(bc[4:])

	for _, p := range []hasher.Params{bcryptParams, argonParams} {
		h := hasher.New(p, 0)
		for name, enc := range map[string]string{"bcrypt": string(bc), "bcrypt $2b$": bc2b, "bcrypt $2y$": bc2y,
			"argon2id": argonPHC, "argon2id padded": argonPadded, "argon2i": argonI} {
			t.Run(p.Algorithm+"/"+name, func(t *testing.T) {
				if err := h.Compare(ctx, password, enc); err != nil {
					t.Errorf("Compare with %s: %v", enc, err)
				}
				if err := h.Compare(ctx, []byte("imported passwore"), enc); !errors.Is(err, hasher.ErrMismatch) {
					t.Errorf("wrong password against %s: %v, want ErrMismatch", enc, err)
				}
			})
		}
	}
}

// TestUnreadableHashIsNotAMismatch: a corrupt or unknown hash is an error
// of its own, so it can be logged and fixed rather than reported to the
// user as a wrong password forever.
func TestUnreadableHashIsNotAMismatch(t *testing.T) {
	h := hasher.New(bcryptParams, 0)
	for _, enc := range []string{
		"", "plaintext", "$1$md5crypt$abc", "$argon2id$v=19$m=1024,t=1,p=1$onlysalt",
		"$argon2id$v=16$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$a2V5",
	} {
		err := h.Compare(ctx, []byte("pw"), enc)
		if err == nil || errors.Is(err, hasher.ErrMismatch) {
			t.Errorf("Compare against %q = %v, want an error other than ErrMismatch", enc, err)
		}
	}
}

// TestImpossibleArgon2ParametersAreErrors: argon2 panics on zero rounds or
// zero parallelism; a stored hash carrying them must give an error, not a
// panic in the login handler.
func TestImpossibleArgon2ParametersAreErrors(t *testing.T) {
	h := hasher.New(bcryptParams, 0)
	for _, enc := range []string{
		"$argon2id$v=19$m=1024,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
		"$argon2id$v=19$m=1024,t=1,p=0$c2FsdHNhbHRzYWx0c2FsdA$a2V5",
	} {
		err := compareNoPanic(h, []byte("pw"), enc)
		if err == nil || errors.Is(err, hasher.ErrMismatch) || strings.HasPrefix(err.Error(), "Compare panicked") {
			t.Errorf("Compare against %q = %v, want a malformed-hash error", enc, err)
		}
	}
}

// TestLongPasswordsAreNotTruncated: bcrypt reads 72 bytes; two passwords
// that differ only after byte 72 must not both open one account.
func TestLongPasswordsAreNotTruncated(t *testing.T) {
	prefix := strings.Repeat("p", 72)
	a, b := []byte(prefix+"-first"), []byte(prefix+"-second")
	for _, p := range []hasher.Params{bcryptParams, argonParams} {
		t.Run(p.Algorithm, func(t *testing.T) {
			h := hasher.New(p, 0)
			enc, err := h.Hash(ctx, a)
			if err != nil {
				t.Fatalf("hash of a %d-byte password: %v", len(a), err)
			}
			if err := h.Compare(ctx, a, enc); err != nil {
				t.Errorf("the long password does not verify: %v", err)
			}
			for _, wrong := range [][]byte{b, []byte(prefix)} {
				if err := h.Compare(ctx, wrong, enc); !errors.Is(err, hasher.ErrMismatch) {
					t.Errorf("a password sharing the first 72 bytes matched (%v)", err)
				}
			}
		})
	}
	// Very long input (a pasted passphrase) still hashes and verifies.
	huge := []byte(strings.Repeat("long passphrase ", 64))
	h := hasher.New(bcryptParams, 0)
	enc, err := h.Hash(ctx, huge)
	if err != nil || h.Compare(ctx, huge, enc) != nil {
		t.Errorf("a %d-byte password does not round-trip: %v", len(huge), err)
	}
}

// TestImportedBcryptKeepsReferenceSemantics: the reference hashed with
// plain bcrypt, which saw the first 72 bytes only; its users must still
// sign in with the password they typed.
func TestImportedBcryptKeepsReferenceSemantics(t *testing.T) {
	typed := []byte(strings.Repeat("x", 72) + "tail the reference never saw")
	imported, err := bcrypt.GenerateFromPassword(typed[:72], 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := hasher.New(bcryptParams, 0).Compare(ctx, typed, string(imported)); err != nil {
		t.Errorf("an imported bcrypt hash refuses the password its user typed: %v", err)
	}
}

// TestMoreCallersThanSlotsAllFinish: the semaphore queues callers beyond
// its slots; none may deadlock or be refused.
func TestMoreCallersThanSlotsAllFinish(t *testing.T) {
	for _, p := range []hasher.Params{bcryptParams, argonParams} {
		t.Run(p.Algorithm, func(t *testing.T) {
			h := hasher.New(p, 2)
			const callers = 24
			var wg sync.WaitGroup
			errs := make(chan error, callers)
			for k := 0; k < callers; k++ {
				wg.Add(1)
				go func(k int) {
					defer wg.Done()
					pw := []byte(fmt.Sprintf("password-%d", k))
					enc, err := h.Hash(ctx, pw)
					if err == nil {
						err = h.Compare(ctx, pw, enc)
					}
					if err == nil && h.Compare(ctx, []byte("other"), enc) == nil {
						err = fmt.Errorf("caller %d: a wrong password matched", k)
					}
					errs <- err
				}(k)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func compareNoPanic(h *hasher.Hasher, pw []byte, enc string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Compare panicked: %v", p)
		}
	}()
	return h.Compare(ctx, pw, enc)
}
