package hasher

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters; Memory is in KiB.
type Argon2Params struct {
	Memory      uint32
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32
	KeyLength   uint32
}

func hashArgon2(password []byte, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey(password, salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Iterations, p.Parallelism, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

const (
	maxArgon2MemoryKiB  = 4 << 20 // 4 GiB
	maxArgon2Iterations = 1 << 10
)

// argon2Hash is a parsed PHC argon2 string.
type argon2Hash struct {
	id        bool // argon2id, else argon2i
	p         Argon2Params
	keyLen    uint32
	salt, key []byte
}

func parseArgon2(encoded string, l limits) (verifier, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 {
		return nil, fmt.Errorf("hasher: malformed argon2 hash: want $%s$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<key>", parts[1])
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return nil, fmt.Errorf("hasher: unsupported argon2 version %q (only v=19)", parts[2])
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return nil, fmt.Errorf("hasher: malformed argon2 parameters %q", parts[3])
	}
	// Parameters come from stored (perhaps imported) strings: bound them
	// before they reach a function that panics or allocates without limit.
	if p.Iterations < 1 || p.Iterations > l.argonTime || p.Parallelism < 1 || p.Parallelism > l.argonThreads ||
		p.Memory < 8*uint32(p.Parallelism) || p.Memory > l.argonMemory {
		return nil, fmt.Errorf("hasher: argon2 parameters %q out of range (m <= %d, t <= %d, p <= %d)", parts[3], l.argonMemory, l.argonTime, l.argonThreads)
	}
	salt, err := b64Part(parts[4], "argon2", "salt", 1)
	if err != nil {
		return nil, err
	}
	key, err := b64Part(parts[5], "argon2", "key", 4)
	if err != nil {
		return nil, err
	}
	return argon2Hash{id: parts[1] == "argon2id", p: p, keyLen: uint32(len(key)), salt: salt, key: key}, nil
}

func (a argon2Hash) verify(password []byte) error {
	var got []byte
	if a.id {
		got = argon2.IDKey(password, a.salt, a.p.Iterations, a.p.Memory, a.p.Parallelism, a.keyLen)
	} else {
		got = argon2.Key(password, a.salt, a.p.Iterations, a.p.Memory, a.p.Parallelism, a.keyLen)
	}
	return match(got, a.key)
}
