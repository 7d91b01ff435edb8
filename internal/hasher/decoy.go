package hasher

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"

	"golang.org/x/crypto/argon2"
)

// bcryptB64 is bcrypt's own base64 alphabet (not the standard one).
var bcryptB64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// Decoy returns a hash of the configured algorithm and cost that no
// password matches, for a login to compare against when the identifier is
// unknown, so that case costs what a wrong password costs. Verifying a
// bcrypt or argon2 hash does work set by its parameters alone, never by
// its salt or digest, so random salt and digest bytes under the configured
// parameters cost exactly what a real hash costs, without spending a whole
// hash (a third of a second at bcrypt's default cost) to make one at start.
func (h *Hasher) Decoy() string {
	if h.p.Algorithm == "argon2" {
		p := h.p.Argon2
		salt, key := random(int(max(p.SaltLength, 1))), random(int(max(p.KeyLength, 4)))
		enc := base64.RawStdEncoding
		return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Iterations, p.Parallelism, enc.EncodeToString(salt), enc.EncodeToString(key))
	}
	cost := strconv.Itoa(h.p.BcryptCost)
	if len(cost) < 2 {
		cost = "0" + cost
	}
	// 16 bytes of salt, 23 of digest: the lengths bcrypt writes.
	return "$2a$" + cost + "$" + bcryptB64.EncodeToString(random(16)) + bcryptB64.EncodeToString(random(23))
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics instead)
	return b
}
