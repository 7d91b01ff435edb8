package hasher

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/md4" //nolint:staticcheck // only to verify imported hashes, never to make new ones
)

// Plain digests, salted or not, as legacy systems stored them. They are
// weak: every one is rehashed on its first successful login.

var digests = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New}

type digestHash struct {
	h          func() hash.Hash
	format     string // with {SALT} and {PASSWORD}; "" means the password alone
	salt, want []byte
}

// $md5$<b64 digest> (unsalted) or $<alg>$pf=<b64 format>$<b64 salt>$<b64
// digest>, alg md5, sha1, sha256 or sha512. The reference requires pf for
// the sha family; the unsalted short form is accepted for them too.
func parseDigest(encoded string) (verifier, error) {
	alg, _, _ := strings.Cut(strings.TrimPrefix(encoded, "$"), "$")
	h := digests[alg]
	size := h().Size()
	parts := strings.Split(encoded, "$")
	switch len(parts) {
	case 3:
		want, err := b64Part(parts[2], alg, "digest", 0)
		if err != nil {
			return nil, err
		}
		if len(want) != size {
			return nil, fmt.Errorf("hasher: malformed %s hash: the digest has %d bytes, not %d", alg, len(want), size)
		}
		return digestHash{h: h, want: want}, nil
	case 5:
		pf, ok := strings.CutPrefix(parts[2], "pf=")
		if !ok {
			return nil, fmt.Errorf("hasher: malformed %s hash: want $%s$pf=<format>$<salt>$<digest>", alg, alg)
		}
		format, err := base64.StdEncoding.DecodeString(pf)
		if err != nil || !strings.Contains(string(format), "{PASSWORD}") {
			return nil, fmt.Errorf("hasher: malformed %s hash: pf must be base64 of a format containing {PASSWORD}", alg)
		}
		salt, err := b64Part(parts[3], alg, "salt", 0)
		if err != nil {
			return nil, err
		}
		want, err := b64Part(parts[4], alg, "digest", 0)
		if err != nil {
			return nil, err
		}
		if len(want) != size {
			return nil, fmt.Errorf("hasher: malformed %s hash: the digest has %d bytes, not %d", alg, len(want), size)
		}
		return digestHash{h: h, format: string(format), salt: salt, want: want}, nil
	}
	return nil, fmt.Errorf("hasher: malformed %s hash: want $%s$<digest> or $%s$pf=<format>$<salt>$<digest>", alg, alg, alg)
}

func (d digestHash) verify(password []byte) error {
	input := password
	if d.format != "" {
		// One pass, so a password containing "{SALT}" stays as typed.
		input = []byte(strings.NewReplacer("{SALT}", string(d.salt), "{PASSWORD}", string(password)).Replace(d.format))
	}
	m := d.h()
	m.Write(input)
	return match(m.Sum(nil), d.want)
}

type sshaHash struct {
	h          func() hash.Hash
	want, salt []byte
}

// {SSHA}, {SSHA256} or {SSHA512} followed by base64(digest‖salt), as LDAP
// servers store them.
func parseSSHA(encoded string) (verifier, error) {
	name, rest, ok := strings.Cut(strings.TrimPrefix(encoded, "{"), "}")
	var h func() hash.Hash
	switch name {
	case "SSHA":
		h = sha1.New
	case "SSHA256":
		h = sha256.New
	case "SSHA512":
		h = sha512.New
	}
	if !ok || h == nil {
		return nil, fmt.Errorf("hasher: unknown hash format {%s} (use {SSHA}, {SSHA256} or {SSHA512})", name)
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	size := h().Size()
	if err != nil || len(raw) <= size {
		return nil, fmt.Errorf("hasher: malformed {%s} hash: want base64 of the %d-byte digest followed by the salt", name, size)
	}
	return sshaHash{h: h, want: raw[:size], salt: raw[size:]}, nil
}

func (s sshaHash) verify(password []byte) error {
	m := s.h()
	m.Write(password)
	m.Write(s.salt)
	return match(m.Sum(nil), s.want)
}

var hmacs = map[string]func() hash.Hash{"md4": md4.New, "md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224,
	"sha256": sha256.New, "sha384": sha512.New384, "sha512": sha512.New}

type hmacHash struct {
	h         func() hash.Hash
	want, key []byte
}

// $hmac-<alg>$<b64 of the lowercase hex HMAC(key, password)>$<b64 key>.
func parseHMAC(encoded string) (verifier, error) {
	f, err := fields(encoded, "hmac", 2)
	if err != nil {
		return nil, err
	}
	alg := strings.TrimPrefix(strings.Split(encoded, "$")[1], "hmac-")
	h := hmacs[alg]
	if h == nil {
		return nil, fmt.Errorf("hasher: unsupported hmac algorithm %q", alg)
	}
	hexed, err := b64Part(f[0], "hmac", "hash", 1)
	if err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(string(hexed))
	if err != nil || len(want) != h().Size() {
		return nil, fmt.Errorf("hasher: malformed hmac hash: the hash must be base64 of the hex HMAC-%s", strings.ToUpper(alg))
	}
	key, err := b64Part(f[1], "hmac", "key", 1)
	if err != nil {
		return nil, err
	}
	return hmacHash{h: h, want: want, key: key}, nil
}

func (m hmacHash) verify(password []byte) error {
	mac := hmac.New(m.h, m.key)
	mac.Write(password)
	return match(mac.Sum(nil), m.want)
}
