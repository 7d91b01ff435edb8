package totp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The later versions' key parameters: 160-bit secret, 6 digits, 30 s,
// SHA1. Authenticator apps assume these, so they are not configurable.
const (
	period    = 30
	digits    = otp.DigitsSix
	skewSteps = 1 // one step either side tolerates a slow phone clock
	qrSize    = 256
)

// ErrInvalidCode is returned for a wrong, expired or replayed code.
var ErrInvalidCode = errors.New("totp: invalid code")

// Key is a freshly made TOTP key.
type Key struct {
	URL    string // otpauth://totp/... as the credential stores it
	Secret string // base32 without padding, for manual entry
}

// Generate makes a new key for account at issuer.
func Generate(issuer, account string) (*Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      period,
		SecretSize:  20,
		Digits:      digits,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, err
	}
	return &Key{URL: k.URL(), Secret: k.Secret()}, nil
}

// QRDataURL renders the key URL as a 256×256 PNG data: URL, so the page
// needs no external image service and the secret never leaves the server
// in a request to someone else.
func QRDataURL(keyURL string) (string, error) {
	k, err := otp.NewKeyFromURL(keyURL)
	if err != nil {
		return "", err
	}
	img, err := k.Image(qrSize, qrSize)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Step is the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / period }

// Code computes the code of keyURL's secret at t (tests and enrolment
// previews use it).
func Code(keyURL string, t time.Time) (string, error) {
	k, err := otp.NewKeyFromURL(keyURL)
	if err != nil {
		return "", err
	}
	return totp.GenerateCodeCustom(k.Secret(), t, opts())
}

// Verify checks code against keyURL at now. lastStep is the step of the
// last accepted code (0 if none); a code of that step or an earlier one
// is refused, so an overheard code cannot be replayed. It returns the
// step to store as the new lastStep.
func Verify(keyURL, code string, now time.Time, lastStep int64) (int64, error) {
	k, err := otp.NewKeyFromURL(keyURL)
	if err != nil {
		return 0, err
	}
	if len(code) != int(digits) {
		return 0, ErrInvalidCode
	}
	// Check each step of the window on its own so we know which one
	// matched; newest first so a code is bound to its own step.
	for d := int64(skewSteps); d >= -skewSteps; d-- {
		step := Step(now) + d
		if step <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(k.Secret(), time.Unix(step*period, 0), opts())
		if err != nil {
			return 0, err
		}
		if constantEqual(want, code) {
			return step, nil
		}
	}
	return 0, ErrInvalidCode
}

func opts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: period, Digits: digits, Algorithm: otp.AlgorithmSHA1}
}

// SecretOf is the base32 secret of a key URL, for manual entry.
func SecretOf(keyURL string) (string, error) {
	k, err := otp.NewKeyFromURL(keyURL)
	if err != nil {
		return "", err
	}
	return k.Secret(), nil
}
