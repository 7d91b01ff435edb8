package totp

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 15, 0, time.UTC)

func TestGenerateKeyParameters(t *testing.T) {
	t.Parallel()
	k, err := Generate("Latchkey", "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Secret) != 32 || strings.Contains(k.Secret, "=") {
		t.Fatalf("secret %q: want 32 base32 characters without padding", k.Secret)
	}
	u, err := url.Parse(k.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("issuer") != "Latchkey" ||
		q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" || q.Get("secret") != k.Secret {
		t.Fatalf("url %s", k.URL)
	}
}

func TestQRDataURLIsPNG(t *testing.T) {
	t.Parallel()
	k, _ := Generate("Latchkey", "ada")
	src, err := QRDataURL(k.URL)
	if err != nil {
		t.Fatal(err)
	}
	b64, ok := strings.CutPrefix(src, "data:image/png;base64,")
	if !ok {
		t.Fatalf("src %.40s", src)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || string(b[1:4]) != "PNG" {
		t.Fatalf("not a PNG: %v", err)
	}
}

func TestVerifySkewAndReplay(t *testing.T) {
	t.Parallel()
	k, _ := Generate("Latchkey", "ada")
	code, _ := Code(k.URL, t0)

	step, err := Verify(k.URL, code, t0, 0)
	if err != nil || step != Step(t0) {
		t.Fatalf("current code: step %d err %v", step, err)
	}
	// The same code again, even a second later, is a replay.
	if _, err := Verify(k.URL, code, t0.Add(time.Second), step); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("replay accepted: %v", err)
	}
	// One step of skew either way is tolerated, two are not.
	if _, err := Verify(k.URL, code, t0.Add(30*time.Second), 0); err != nil {
		t.Fatalf("previous step refused: %v", err)
	}
	if _, err := Verify(k.URL, code, t0.Add(-30*time.Second), 0); err != nil {
		t.Fatalf("next step refused: %v", err)
	}
	if _, err := Verify(k.URL, code, t0.Add(90*time.Second), 0); !errors.Is(err, ErrInvalidCode) {
		t.Fatalf("code three steps old accepted: %v", err)
	}
	// A newer code after an accepted one works.
	next, _ := Code(k.URL, t0.Add(30*time.Second))
	if _, err := Verify(k.URL, next, t0.Add(30*time.Second), step); err != nil {
		t.Fatalf("next code refused: %v", err)
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, err := Verify(k.URL, bad, t0, 0); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestSealOpenAndRotation(t *testing.T) {
	t.Parallel()
	old, err := NewSealer([]string{"old-secret-0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := Generate("Latchkey", "ada")
	sealed, err := old.Seal(k.URL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, k.Secret) || strings.Contains(sealed, "otpauth") {
		t.Fatal("sealed value shows the secret")
	}
	rotated, _ := NewSealer([]string{"new-secret-0123456789abcdef", "old-secret-0123456789abcdef"})
	if got, err := rotated.Open(sealed); err != nil || got != k.URL {
		t.Fatalf("rotated open: %q %v", got, err)
	}
	other, _ := NewSealer([]string{"unrelated-secret-0123456789"})
	if _, err := other.Open(sealed); !errors.Is(err, ErrUnsealed) {
		t.Fatalf("opened with the wrong secret: %v", err)
	}
	if _, err := rotated.Open("v1." + sealed[5:]); !errors.Is(err, ErrUnsealed) {
		t.Fatalf("tampered value opened: %v", err)
	}
	if _, err := NewSealer(nil); err == nil {
		t.Fatal("no secrets accepted")
	}
}
