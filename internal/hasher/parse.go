package hasher

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// limits bound the cost parameters a stored hash may carry: they come from
// imported strings, and an absurd cost would let one login pin a CPU or
// exhaust memory. Imports are held to the bounds the reference documents,
// widened to what this server writes itself; verification at login is
// looser so that nothing already stored stops working.
type limits struct {
	bcryptCost                 int
	argonMemory, argonTime     uint32
	argonThreads               uint8
	pbkdf2Iter                 int
	scryptN, scryptR, scryptP  int
	firebaseLogN               int
	cryptRounds, phpassLogRuns int
}

func (h *Hasher) limits(strict bool) limits {
	if !strict {
		return limits{bcryptCost: 31, argonMemory: maxArgon2MemoryKiB, argonTime: maxArgon2Iterations, argonThreads: 255,
			pbkdf2Iter: 1e8, scryptN: 1 << 20, scryptR: 32, scryptP: 16, firebaseLogN: 20, cryptRounds: 1e8, phpassLogRuns: 30}
	}
	l := limits{bcryptCost: 15, argonMemory: 1 << 20, argonTime: 10, argonThreads: 16,
		pbkdf2Iter: 1e7, scryptN: 1 << 17, scryptR: 8, scryptP: 10, firebaseLogN: 17, cryptRounds: 1e7, phpassLogRuns: 30}
	l.bcryptCost = max(l.bcryptCost, h.p.BcryptCost)
	l.argonMemory = max(l.argonMemory, h.p.Argon2.Memory)
	l.argonTime = max(l.argonTime, h.p.Argon2.Iterations)
	l.argonThreads = max(l.argonThreads, h.p.Argon2.Parallelism)
	return l
}

// parse reads an encoded hash, picking the format by its prefix.
func parse(encoded string, l limits) (verifier, error) {
	switch {
	case strings.HasPrefix(encoded, prehashPrefix+"$2"):
		return parseBcrypt(strings.TrimPrefix(encoded, prehashPrefix), true, l)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"),
		strings.HasPrefix(encoded, "$2z$"), strings.HasPrefix(encoded, "$2$"):
		return parseBcrypt(encoded, false, l)
	case strings.HasPrefix(encoded, "$argon2id$"), strings.HasPrefix(encoded, "$argon2i$"):
		return parseArgon2(encoded, l)
	case strings.HasPrefix(encoded, "$pbkdf2-"):
		return parsePBKDF2(encoded, l)
	case strings.HasPrefix(encoded, "$scrypt$"):
		return parseScrypt(encoded, l)
	case strings.HasPrefix(encoded, "$firescrypt$"):
		return parseFirebase(encoded, l)
	case strings.HasPrefix(encoded, "$md5$"), strings.HasPrefix(encoded, "$sha1$"),
		strings.HasPrefix(encoded, "$sha256$"), strings.HasPrefix(encoded, "$sha512$"):
		return parseDigest(encoded)
	case strings.HasPrefix(encoded, "{SSHA"):
		return parseSSHA(encoded)
	case strings.HasPrefix(encoded, "$hmac-"):
		return parseHMAC(encoded)
	case strings.HasPrefix(encoded, "$md5-crypt$"), strings.HasPrefix(encoded, "$sha256-crypt$"), strings.HasPrefix(encoded, "$sha512-crypt$"):
		return parseCrypt(encoded, l)
	case strings.HasPrefix(encoded, "$P$"), strings.HasPrefix(encoded, "$H$"):
		return parsePHPass(encoded, l)
	case strings.HasPrefix(encoded, "$1$"), strings.HasPrefix(encoded, "$5$"), strings.HasPrefix(encoded, "$6$"):
		return nil, fmt.Errorf("hasher: bare crypt(3) hashes are not accepted; write $md5-crypt$, $sha256-crypt$ or $sha512-crypt$ instead of $1$, $5$ or $6$")
	case encoded == "":
		return nil, fmt.Errorf("hasher: empty hash")
	}
	return nil, fmt.Errorf("hasher: unknown hash format (the hash must start with a known prefix such as $2b$, $argon2id$, $pbkdf2-sha256$, $scrypt$ or {SSHA})")
}

func parseBcrypt(encoded string, pre bool, l limits) (verifier, error) {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil {
		return nil, fmt.Errorf("hasher: malformed bcrypt hash: %v", err)
	}
	if len(encoded) != 60 && !(strings.HasPrefix(encoded, "$2$") && len(encoded) == 59) {
		return nil, fmt.Errorf("hasher: malformed bcrypt hash: %d characters instead of 60", len(encoded))
	}
	if cost > l.bcryptCost {
		return nil, fmt.Errorf("hasher: bcrypt cost %d is above the limit %d", cost, l.bcryptCost)
	}
	return bcryptHash{encoded: encoded, cost: cost, prehash: pre}, nil
}

// fields splits "$name$a$b..." into its n parts after the name.
func fields(encoded, format string, n int) ([]string, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != n+2 || parts[0] != "" {
		return nil, fmt.Errorf("hasher: malformed %s hash: want %d $-separated parts after the prefix", format, n)
	}
	return parts[2:], nil
}

// params reads "k=v,k=v" into integers, requiring exactly the given keys.
func params(s, format string, keys ...string) (map[string]int, error) {
	out := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("hasher: malformed %s parameters %q", format, s)
		}
		out[k] = n
	}
	for _, k := range keys {
		if _, ok := out[k]; !ok || len(out) != len(keys) {
			return nil, fmt.Errorf("hasher: %s parameters %q must be exactly %s", format, s, strings.Join(keys, ","))
		}
	}
	return out, nil
}

// decodeB64 accepts padded and unpadded standard base64, since hash strings
// in the wild use both.
func decodeB64(s string) ([]byte, error) {
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.StdEncoding.DecodeString(s)
}

// b64Part decodes one base64 part of a hash, naming it on failure.
func b64Part(s, format, what string, minLen int) ([]byte, error) {
	b, err := decodeB64(s)
	if err != nil {
		return nil, fmt.Errorf("hasher: malformed %s hash: the %s is not base64", format, what)
	}
	if len(b) < minLen || len(b) > 1024 {
		return nil, fmt.Errorf("hasher: malformed %s hash: the %s has %d bytes", format, what, len(b))
	}
	return b, nil
}
