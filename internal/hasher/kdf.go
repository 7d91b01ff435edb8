package hasher

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// The key-derivation formats in the reference's string syntax: PBKDF2,
// scrypt and Firebase's modified scrypt.

type pbkdf2Hash struct {
	h          func() hash.Hash
	iter       int
	salt, want []byte
}

// $pbkdf2-<alg>$i=<n>,l=<keylen>$<raw salt>$<raw hash>
func parsePBKDF2(encoded string, l limits) (verifier, error) {
	alg, _, _ := strings.Cut(strings.TrimPrefix(encoded, "$pbkdf2-"), "$")
	var h func() hash.Hash
	switch alg {
	case "sha1":
		h = sha1.New
	case "sha256":
		h = sha256.New
	case "sha512":
		h = sha512.New
	default:
		// The reference maps unknown names to SHA-256 and sha224/sha384 to
		// SHA-3; a silent guess stores a hash that may never match, so
		// anything but the three common ones is refused.
		return nil, fmt.Errorf("hasher: unsupported pbkdf2 algorithm %q (use sha1, sha256 or sha512)", alg)
	}
	f, err := fields(encoded, "pbkdf2", 3)
	if err != nil {
		return nil, err
	}
	p, err := params(f[0], "pbkdf2", "i", "l")
	if err != nil {
		return nil, err
	}
	if p["i"] < 1 || p["i"] > l.pbkdf2Iter {
		return nil, fmt.Errorf("hasher: pbkdf2 iterations %d out of range (1-%d)", p["i"], l.pbkdf2Iter)
	}
	salt, err := b64Part(f[1], "pbkdf2", "salt", 1)
	if err != nil {
		return nil, err
	}
	want, err := b64Part(f[2], "pbkdf2", "hash", 8)
	if err != nil {
		return nil, err
	}
	if len(want) != p["l"] {
		return nil, fmt.Errorf("hasher: malformed pbkdf2 hash: l=%d but the hash has %d bytes", p["l"], len(want))
	}
	return pbkdf2Hash{h: h, iter: p["i"], salt: salt, want: want}, nil
}

func (p pbkdf2Hash) verify(password []byte) error {
	got, err := pbkdf2.Key(p.h, string(password), p.salt, p.iter, len(p.want))
	if err != nil {
		return err
	}
	return match(got, p.want)
}

type scryptHash struct {
	n, r, p    int
	salt, want []byte
}

// $scrypt$ln=<N>,r=<r>,p=<p>$<b64 salt>$<b64 hash>, where ln is N itself
// (not its logarithm), as the reference writes it.
func parseScrypt(encoded string, l limits) (verifier, error) {
	f, err := fields(encoded, "scrypt", 3)
	if err != nil {
		return nil, err
	}
	p, err := params(f[0], "scrypt", "ln", "r", "p")
	if err != nil {
		return nil, err
	}
	n := p["ln"]
	if n < 2 || n&(n-1) != 0 || n > l.scryptN || p["r"] < 1 || p["r"] > l.scryptR || p["p"] < 1 || p["p"] > l.scryptP {
		return nil, fmt.Errorf("hasher: scrypt parameters %q out of range (ln a power of two <= %d, r <= %d, p <= %d)", f[0], l.scryptN, l.scryptR, l.scryptP)
	}
	salt, err := b64Part(f[1], "scrypt", "salt", 1)
	if err != nil {
		return nil, err
	}
	want, err := b64Part(f[2], "scrypt", "hash", 8)
	if err != nil {
		return nil, err
	}
	return scryptHash{n: n, r: p["r"], p: p["p"], salt: salt, want: want}, nil
}

func (s scryptHash) verify(password []byte) error {
	got, err := scrypt.Key(password, s.salt, s.n, s.r, s.p, len(s.want))
	if err != nil {
		return err
	}
	return match(got, s.want)
}

type firebaseHash struct {
	scryptHash
	signer []byte
}

// $firescrypt$ln=<log2 N>,r=<r>,p=<p>$<b64 salt>$<b64 hash>$<b64 salt
// separator>$<b64 signer key>: Firebase's export. The hash is the signer
// key encrypted with AES-256-CTR (zero IV) under scrypt(password,
// salt‖separator).
func parseFirebase(encoded string, l limits) (verifier, error) {
	f, err := fields(encoded, "firescrypt", 5)
	if err != nil {
		return nil, err
	}
	p, err := params(f[0], "firescrypt", "ln", "r", "p")
	if err != nil {
		return nil, err
	}
	if p["ln"] < 1 || p["ln"] > l.firebaseLogN || p["r"] < 1 || p["r"] > l.scryptR || p["p"] < 1 || p["p"] > l.scryptP {
		return nil, fmt.Errorf("hasher: firescrypt parameters %q out of range (ln <= %d, r <= %d, p <= %d)", f[0], l.firebaseLogN, l.scryptR, l.scryptP)
	}
	salt, err := b64Part(f[1], "firescrypt", "salt", 1)
	if err != nil {
		return nil, err
	}
	want, err := b64Part(f[2], "firescrypt", "hash", 8)
	if err != nil {
		return nil, err
	}
	sep, err := b64Part(f[3], "firescrypt", "salt separator", 0)
	if err != nil {
		return nil, err
	}
	signer, err := b64Part(f[4], "firescrypt", "signer key", 8)
	if err != nil {
		return nil, err
	}
	if len(signer) != len(want) {
		return nil, fmt.Errorf("hasher: malformed firescrypt hash: the hash has %d bytes and the signer key %d", len(want), len(signer))
	}
	return firebaseHash{scryptHash: scryptHash{n: 1 << p["ln"], r: p["r"], p: p["p"], salt: append(salt, sep...), want: want}, signer: signer}, nil
}

func (f firebaseHash) verify(password []byte) error {
	key, err := scrypt.Key(password, f.salt, f.n, f.r, f.p, 32)
	if err != nil {
		return err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	got := make([]byte, len(f.signer))
	cipher.NewCTR(block, make([]byte, aes.BlockSize)).XORKeyStream(got, f.signer)
	return match(got, f.want)
}
