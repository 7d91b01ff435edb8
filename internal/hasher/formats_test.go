package hasher_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/hasher"
)

// TestVectorsFromTheWild: every recorded hash (made by openssl, mkpasswd,
// htpasswd, passlib and Python's hashlib) verifies its password, refuses
// another, passes the import check, and asks to be rehashed.
func TestVectorsFromTheWild(t *testing.T) {
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := hasher.New(bcryptParams, 0)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		tool, enc, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(tool, "#") {
			continue
		}
		n++
		t.Run(tool, func(t *testing.T) {
			t.Parallel()
			if err := h.Check(enc); err != nil {
				t.Errorf("Check(%s) = %v", enc, err)
			}
			if err := h.Compare(ctx, []byte("latchkey-test"), enc); err != nil {
				t.Errorf("Compare(%s) with the right password = %v", enc, err)
			}
			for _, wrong := range []string{"latchkey-tesT", "latchkey-test ", ""} {
				if err := h.Compare(ctx, []byte(wrong), enc); !errors.Is(err, hasher.ErrMismatch) {
					t.Errorf("Compare(%s) with %q = %v, want ErrMismatch", enc, wrong, err)
				}
			}
			// bcrypt at cost 5 is at least the configured cost 4; all
			// other formats are not what this server writes.
			if want := !strings.HasPrefix(enc, "$2"); h.NeedsRehash(enc) != want {
				t.Errorf("NeedsRehash(%s) = %v, want %v", enc, !want, want)
			}
		})
	}
	if n < 30 {
		t.Fatalf("only %d vectors read", n)
	}
}

// TestCheckNamesTheProblem: hashes that can never verify are refused on
// import with a message saying what is wrong.
func TestCheckNamesTheProblem(t *testing.T) {
	h := hasher.New(bcryptParams, 0)
	for enc, want := range map[string]string{
		"":                                   "empty",
		"plaintext":                          "unknown hash format",
		"$1$saltsalt$KvkJyXhf3hrpRJtUH6pEZ0": "$md5-crypt$",
		"$6$salt$abc":                        "bare crypt",
		"$2b$05$tooshort":                    "bcrypt",
		"$2b$20$9xX9zxafzAw/.qnwgG.kbehwOfRTUldlPX28AhF.ZEx2.vaxci/pG":                                  "cost 20 is above",
		"$argon2id$v=19$m=2097152,t=1,p=1$c2FsdA$a2V5a2V5":                                              "out of range",
		"$argon2id$v=19$m=1024,t=1$c2FsdA$a2V5a2V5":                                                     "parameters",
		"$pbkdf2-md5$i=1000,l=32$c2FsdA$a2V5":                                                           "pbkdf2 algorithm",
		"$pbkdf2-sha256$i=100000000,l=32$c2FsdA$a2V5":                                                   "iterations",
		"$pbkdf2-sha256$i=1000,l=16$MDEyMzQ1Njc4OWFiY2RlZg$GUN6LACyHAe1GqFiAMAQpj55nISdwJAVx+3tkdhzjzo": "l=16",
		"$scrypt$ln=1000,r=8,p=1$c2FsdA==$a2V5a2V5a2V5":                                                 "power of two",
		"$scrypt$ln=16384,r=8,p=1$!!$a2V5a2V5a2V5":                                                      "not base64",
		"$firescrypt$ln=30,r=8,p=1$c2FsdA==$a2V5a2V5a2V5$Bw==$a2V5a2V5a2V5":                             "out of range",
		"$md5$pf=e1NBTFR9$c2FsdA==$JxgNDXmxERju0C6JhE2haQ==":                                            "{PASSWORD}",
		"$sha256$c2hvcnQ=": "digest has 5 bytes",
		"{SSHA}c2hvcnQ=":   "{SSHA}",
		"{SMD5}c2hvcnQ=":   "unknown hash format",
		"$sha512-crypt$rounds=999999999$salt$" + strings.Repeat("a", 86): "rounds",
		"$md5-crypt$salt$short":              "22 characters",
		"$P$Babcdefgh":                       "phpass",
		"$P$zabcdefghSTmb3TgW6wbu8SSHFAE4t/": "cost",
		"$hmac-whirlpool$YWJj$a2V5":          "hmac algorithm",
	} {
		err := h.Check(enc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%q) = %v, want an error mentioning %q", enc, err, want)
		}
	}
}

// TestNeedsRehash: only a hash of the configured algorithm at (at least)
// the configured cost is kept.
func TestNeedsRehash(t *testing.T) {
	bc := hasher.New(hasher.Params{Algorithm: "bcrypt", BcryptCost: 5}, 0)
	ar := hasher.New(argonParams, 0)
	own4, _ := hasher.New(bcryptParams, 0).Hash(ctx, []byte("pw"))
	own5, _ := bc.Hash(ctx, []byte("pw"))
	long5, _ := bc.Hash(ctx, []byte(strings.Repeat("long", 30)))
	argon, _ := ar.Hash(ctx, []byte("pw"))
	for _, c := range []struct {
		h    *hasher.Hasher
		enc  string
		want bool
	}{
		{bc, own5, false}, {bc, long5, false}, {bc, own4, true}, {bc, argon, true},
		{ar, argon, false}, {ar, own5, true},
		{ar, strings.Replace(argon, "$argon2id$", "$argon2i$", 1), true},
		{ar, strings.Replace(argon, "m=1024", "m=512", 1), true},
	} {
		if got := c.h.NeedsRehash(c.enc); got != c.want {
			t.Errorf("NeedsRehash(%s) = %v, want %v", c.enc, got, c.want)
		}
	}
}
