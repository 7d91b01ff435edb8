package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
)

// TestHashIsKeyedHMAC: the stored form is hex(HMAC-SHA256(secret, purpose
// NUL token)) under the newest secret, and Candidates lists it under every
// secret, newest first, however many hashes run at once and whatever
// token came before (the hashing state is reused).
func TestHashIsKeyedHMAC(t *testing.T) {
	secrets := []string{"new-secret-0123456789abcdef", "old-secret-0123456789abcdef"}
	want := func(secret, purpose, tok string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(purpose + "\x00" + tok))
		return hex.EncodeToString(m.Sum(nil))
	}
	h := NewHasher(secrets)
	toks := []string{New(), "", strings.Repeat("long", 600), New(), "x"}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				for _, tok := range toks {
					if got, w := h.Hash(Session, tok), want(secrets[0], Session, tok); got != w {
						t.Errorf("Hash(%.10q) = %s, want %s", tok, got, w)
						return
					}
					c := h.Candidates(Recovery, tok)
					if len(c) != 2 || c[0] != want(secrets[0], Recovery, tok) || c[1] != want(secrets[1], Recovery, tok) {
						t.Errorf("Candidates(%.10q) = %v", tok, c)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
