package hasher

import (
	"crypto/md5"
	"fmt"
	"strconv"
	"strings"

	"github.com/GehirnInc/crypt"
	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha256_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
)

// crypt(3) hashes under the reference's names ($md5-crypt$, $sha256-crypt$,
// $sha512-crypt$, mapped to $1$, $5$ and $6$), and phpass as PHP
// applications (WordPress, phpBB, Drupal 7) store it.

type cryptHash struct {
	c       crypt.Crypter
	setting string // magic, rounds and salt in crypt(3)'s own syntax
	encoded string // the whole hash in that syntax
}

func parseCrypt(encoded string, l limits) (verifier, error) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(encoded, "$"), "$")
	var c crypt.Crypter
	var magic string
	switch name {
	case "md5-crypt":
		c, magic = md5_crypt.New(), "$1$"
	case "sha256-crypt":
		c, magic = sha256_crypt.New(), "$5$"
	case "sha512-crypt":
		c, magic = sha512_crypt.New(), "$6$"
	}
	parts := strings.Split(rest, "$")
	setting := magic
	if r, ok := strings.CutPrefix(parts[0], "rounds="); ok && name != "md5-crypt" {
		n, err := strconv.Atoi(r)
		if err != nil || n < 1000 || n > l.cryptRounds {
			return nil, fmt.Errorf("hasher: %s rounds %q out of range (1000-%d)", name, r, l.cryptRounds)
		}
		setting += parts[0] + "$"
		parts = parts[1:]
	}
	if len(parts) != 2 || parts[0] == "" || len(parts[0]) > 16 || parts[1] == "" {
		return nil, fmt.Errorf("hasher: malformed %s hash: want $%s$[rounds=N$]<salt>$<hash>", name, name)
	}
	want := map[string]int{"md5-crypt": 22, "sha256-crypt": 43, "sha512-crypt": 86}[name]
	if len(parts[1]) != want || strings.Trim(parts[1], itoa64) != "" {
		return nil, fmt.Errorf("hasher: malformed %s hash: the hash must be %d characters of ./0-9A-Za-z", name, want)
	}
	return cryptHash{c: c, setting: setting + parts[0], encoded: magic + rest}, nil
}

// verify generates from the setting alone and compares itself: the
// library's Verify misreads a hash that carries rounds=N.
func (c cryptHash) verify(password []byte) error {
	got, err := c.c.Generate(password, []byte(c.setting))
	if err != nil {
		return err
	}
	return match([]byte(got), []byte(c.encoded))
}

// itoa64 is the alphabet of crypt(3)'s and phpass's base64.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

type phpassHash struct {
	rounds  int
	salt    string
	encoded string
}

// $P$ or $H$, one character for log2(rounds), 8 of salt, 22 of hash: the
// "portable" phpass hash (iterated MD5), from its public description at
// openwall.com/phpass. No maintained Go package implements it.
func parsePHPass(encoded string, l limits) (verifier, error) {
	if len(encoded) != 34 || strings.Trim(encoded[3:], itoa64) != "" {
		return nil, fmt.Errorf("hasher: malformed phpass hash: want $P$ and 31 characters of ./0-9A-Za-z")
	}
	logRuns := strings.IndexByte(itoa64, encoded[3])
	if logRuns < 7 || logRuns > l.phpassLogRuns {
		return nil, fmt.Errorf("hasher: phpass cost %d out of range (7-%d)", logRuns, l.phpassLogRuns)
	}
	return phpassHash{rounds: 1 << logRuns, salt: encoded[4:12], encoded: encoded}, nil
}

func (p phpassHash) verify(password []byte) error {
	sum := md5.Sum(append([]byte(p.salt), password...))
	buf := make([]byte, 0, md5.Size+len(password))
	for range p.rounds {
		buf = append(append(buf[:0], sum[:]...), password...)
		sum = md5.Sum(buf)
	}
	got := p.encoded[:12] + phpassEncode(sum[:])
	return match([]byte(got), []byte(p.encoded))
}

// phpassEncode is phpass's base64: little-endian groups of three bytes,
// six bits at a time, over itoa64.
func phpassEncode(in []byte) string {
	var out strings.Builder
	for i := 0; i < len(in); i += 3 {
		v := uint(in[i])
		n := 2
		if i+1 < len(in) {
			v |= uint(in[i+1]) << 8
			n = 3
		}
		if i+2 < len(in) {
			v |= uint(in[i+2]) << 16
			n = 4
		}
		for k := range n {
			out.WriteByte(itoa64[(v>>(6*k))&0x3f])
		}
	}
	return out.String()
}
