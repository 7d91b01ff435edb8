package webauthn_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// authenticator is a software security key for tests that need no
// browser: it answers creation and request options as a CTAP2 device
// behind a browser would, with "none" attestation and an ES256 key. Tests
// bend its answers (another challenge, another key) to reach error paths.
type authenticator struct {
	t       *testing.T
	origin  string
	rpID    string
	key     *ecdsa.PrivateKey
	credID  []byte
	handle  []byte
	counter uint32
}

func newAuthenticator(t *testing.T, origin, rpID string) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &authenticator{t: t, origin: origin, rpID: rpID, key: key, credID: id}
}

var b64 = base64.RawURLEncoding

func (a *authenticator) decode(s string) []byte {
	a.t.Helper()
	b, err := b64.DecodeString(s)
	if err != nil {
		a.t.Fatalf("options hold %q, not base64url: %v", s, err)
	}
	return b
}

func (a *authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data: rp id hash, flags (user present and
// verified), counter, and the attested key when attested.
func (a *authenticator) authData(attested bool) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	flags := byte(0x01 | 0x04)
	if attested {
		flags |= 0x40
	}
	out := append(rp[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	if attested {
		out = append(out, make([]byte, 16)...) // AAGUID: none
		out = binary.BigEndian.AppendUint16(out, uint16(len(a.credID)))
		out = append(out, a.credID...)
		out = append(out, a.cose()...)
	}
	return out
}

// cose is the public key in COSE form, as keys are stored.
func (a *authenticator) cose() []byte {
	b, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pad32(a.key.X.Bytes()), -3: pad32(a.key.Y.Bytes())})
	if err != nil {
		a.t.Fatal(err)
	}
	return b
}

func pad32(b []byte) []byte { return append(make([]byte, 32-len(b)), b...) }

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *authenticator) parse(raw string) options {
	a.t.Helper()
	var o options
	if err := json.Unmarshal([]byte(raw), &o); err != nil || o.PublicKey.Challenge == "" {
		a.t.Fatalf("trigger value %q is not WebAuthn options: %v", raw, err)
	}
	return o
}

// create answers creation options (a trigger button's value) with the
// response the script would post; challenge "" means the options'.
func (a *authenticator) create(raw, challenge string) string {
	a.t.Helper()
	o := a.parse(raw)
	if challenge == "" {
		challenge = o.PublicKey.Challenge
	}
	a.handle = a.decode(o.PublicKey.User.ID)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(true)})
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{"attestationObject": b64.EncodeToString(att), "clientDataJSON": b64.EncodeToString(a.clientData("webauthn.create", challenge))},
	})
	return string(b)
}

// get answers request options with a signed assertion, counting up.
func (a *authenticator) get(raw, challenge string) string {
	a.t.Helper()
	o := a.parse(raw)
	if challenge == "" {
		challenge = o.PublicKey.Challenge
	}
	a.counter++
	data := a.authData(false)
	cd := a.clientData("webauthn.get", challenge)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, data...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{
			"authenticatorData": b64.EncodeToString(data), "clientDataJSON": b64.EncodeToString(cd),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.handle),
		},
	})
	return string(b)
}
