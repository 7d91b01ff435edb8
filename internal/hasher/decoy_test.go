package hasher_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/hasher"
)

// TestDecoyLooksLikeARealHash: the decoy a login with an unknown
// identifier compares against has the configured algorithm and parameters
// (so verifying it does the same work as a real hash), the length of a
// real one, matches no password, is not due for a rehash, and is fresh
// each time.
func TestDecoyLooksLikeARealHash(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    hasher.Params
	}{
		{"bcrypt", bcryptParams},
		{"argon2id", argonParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hasher.New(tc.p, 0)
			real, err := h.Hash(ctx, []byte("correct horse battery staple"))
			if err != nil {
				t.Fatal(err)
			}
			decoy := h.Decoy()
			// What precedes the salt: "$2a$04$", "$argon2id$v=19$m=..,t=..,p=..".
			params := func(s string) string { return s[:strings.LastIndex(s, "$")+1] }
			if tc.name == "argon2id" {
				params = func(s string) string { return s[:strings.LastIndex(s[:strings.LastIndex(s, "$")], "$")] }
			}
			if params(decoy) != params(real) || len(decoy) != len(real) {
				t.Errorf("decoy %q does not have the shape of a real hash %q", decoy, real)
			}
			for _, pw := range []string{"", "correct horse battery staple", strings.Repeat("x", 100)} {
				if err := h.Compare(ctx, []byte(pw), decoy); !errors.Is(err, hasher.ErrMismatch) {
					t.Errorf("Compare(%q, decoy) = %v, want ErrMismatch", pw, err)
				}
			}
			if h.NeedsRehash(decoy) {
				t.Error("the decoy is due for a rehash: its parameters differ from the configured ones")
			}
			if h.Decoy() == decoy {
				t.Error("two decoys are equal")
			}
		})
	}
}
