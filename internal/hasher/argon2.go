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

func compareArgon2(password []byte, encoded string) error {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 {
		return fmt.Errorf("hasher: malformed argon2 hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("hasher: unsupported argon2 version")
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return fmt.Errorf("hasher: malformed argon2 parameters")
	}
	// Parameters come from stored (perhaps imported) strings: bound them
	// before they reach a function that panics or allocates without limit.
	if p.Iterations < 1 || p.Iterations > maxArgon2Iterations || p.Parallelism < 1 || p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxArgon2MemoryKiB {
		return fmt.Errorf("hasher: argon2 parameters out of range")
	}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return fmt.Errorf("hasher: malformed argon2 salt")
	}
	want, err := decodeB64(parts[5])
	if err != nil || len(want) < 4 || len(want) > 1024 {
		return fmt.Errorf("hasher: malformed argon2 key")
	}
	var got []byte
	if parts[1] == "argon2id" {
		got = argon2.IDKey(password, salt, p.Iterations, p.Memory, p.Parallelism, uint32(len(want)))
	} else {
		got = argon2.Key(password, salt, p.Iterations, p.Memory, p.Parallelism, uint32(len(want)))
	}
	if !constantTimeEqual(got, want) {
		return ErrMismatch
	}
	return nil
}

// decodeB64 accepts padded and unpadded standard base64, since PHC strings
// in the wild use both.
func decodeB64(s string) ([]byte, error) {
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.StdEncoding.DecodeString(s)
}
