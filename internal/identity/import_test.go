package identity_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// vectors reads the hash vectors recorded for the hasher: hashes of
// "latchkey-test" made by openssl, mkpasswd, htpasswd, passlib and hashlib.
func vectors(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../hasher/testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if tool, enc, ok := strings.Cut(sc.Text(), "\t"); ok && !strings.HasPrefix(tool, "#") {
			out[tool] = enc
		}
	}
	return out
}

func (e *env) passwordHash(identityID string) string {
	e.t.Helper()
	db := e.srv.App.DB
	var cfg string
	if err := db.SQL.QueryRowContext(context.Background(), db.Q(`SELECT config FROM identity_credentials WHERE identity_id = ? AND type = 'password'`), identityID).Scan(&cfg); err != nil {
		e.t.Fatal(err)
	}
	var c struct {
		HashedPassword string `json:"hashed_password"`
	}
	_ = json.Unmarshal([]byte(cfg), &c)
	return c.HashedPassword
}

func importBody(email, credential string) []byte {
	return []byte(`{"schema_id":"default","traits":{"email":"` + email + `"},"credentials":{"password":{"config":` + credential + `}}}`)
}

// TestImportHashedPasswords: an identity created with a hash of any
// supported format signs in with its password through the reference's SDK;
// that first sign-in replaces the hash by one of the configured hasher
// (bcrypt, cost 4 in tests), after which the password still works and a
// wrong one does not.
func TestImportHashedPasswords(t *testing.T) {
	t.Parallel()
	e := startSQLite(t)
	k := 0
	for tool, enc := range vectors(t) {
		k++
		email := fmt.Sprintf("imported-%d@example.com", k)
		cred, _ := json.Marshal(map[string]string{"hashed_password": enc})
		r := e.admin("POST", "identities", "application/json", importBody(email, string(cred)))
		if r.Status != http.StatusCreated {
			t.Errorf("%s: import %s: %d %s", tool, enc, r.Status, r.Body)
			continue
		}
		id := sdk.DecodeObject(t, r.Body)["id"].(string)
		if got := e.passwordHash(id); got != enc {
			t.Errorf("%s: stored %q, want the imported hash as given", tool, got)
		}
		if _, resp, _ := sdk.TryLogin(t, e.srv, email, "latchkey-tesT"); resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: a wrong password signed in", tool)
		}
		sdk.Login(t, e.srv, email, "latchkey-test")
		after := e.passwordHash(id)
		if strings.HasPrefix(enc, "$2") {
			// bcrypt of at least the configured cost is kept as it is.
			if after != enc {
				t.Errorf("%s: a bcrypt hash of cost >= 4 was replaced by %s", tool, after)
			}
		} else if !strings.HasPrefix(after, "$2a$04$") {
			t.Errorf("%s: after the first sign-in the hash is %q, want a fresh bcrypt hash", tool, after)
		}
		sdk.Login(t, e.srv, email, "latchkey-test")
		if _, resp, _ := sdk.TryLogin(t, e.srv, email, "latchkey-tesT"); resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: after the rehash a wrong password signed in", tool)
		}
	}
}

// TestImportRefusesUnusableHashes: an unknown or malformed hash is a 400
// naming the problem, and nothing is stored.
func TestImportRefusesUnusableHashes(t *testing.T) {
	t.Parallel()
	e := startSQLite(t)
	for enc, want := range map[string]string{
		"plaintext-password":                 "unknown hash format",
		"$1$saltsalt$KvkJyXhf3hrpRJtUH6pEZ0": "$md5-crypt$",
		"$2b$05$short":                       "bcrypt",
		"$pbkdf2-md4$i=1,l=32$c2FsdA$a2V5":   "pbkdf2 algorithm",
		"$scrypt$ln=16384,r=8,p=1$@@$a2V5":   "salt is not base64",
	} {
		cred, _ := json.Marshal(map[string]string{"hashed_password": enc})
		r := e.admin("POST", "identities", "application/json", importBody("bad@example.com", string(cred)))
		body := sdk.WantError(t, r, http.StatusBadRequest)
		if reason, _ := body["reason"].(string); !strings.Contains(reason, "hashed_password") || !strings.Contains(reason, want) {
			t.Errorf("import of %q: reason %q, want it to name hashed_password and %q", enc, reason, want)
		}
	}
	for _, body := range []string{`{}`, `{"hashed_password":""}`} {
		sdk.WantError(t, e.admin("POST", "identities", "application/json", importBody("bad@example.com", body)), http.StatusBadRequest)
	}
	if n := e.countRows("identities", ""); n != 0 {
		t.Errorf("%d identities stored by refused imports", n)
	}
}

// TestImportPasswordAndAddresses: a plain password is hashed on arrival;
// verified addresses keep their state; PUT replaces the password when it
// names one and keeps it otherwise.
func TestImportPasswordAndAddresses(t *testing.T) {
	t.Parallel()
	e := startSQLite(t)
	r := e.admin("POST", "identities", "application/json", []byte(`{"schema_id":"default","traits":{"email":"Ann@Example.com"},
		"credentials":{"password":{"config":{"password":"first-Passw0rd!"}}},
		"verifiable_addresses":[{"value":"ann@example.com","via":"email","verified":true,"status":"completed","verified_at":"2025-03-04T05:06:07Z"}],
		"recovery_addresses":[{"value":"ann@example.com","via":"email"}],"state":"active"}`))
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	created := sdk.DecodeObject(t, r.Body)
	id := created["id"].(string)
	if h := e.passwordHash(id); !strings.HasPrefix(h, "$2a$04$") {
		t.Errorf("plain password stored as %q, want a bcrypt hash", h)
	}
	va := created["verifiable_addresses"].([]any)[0].(map[string]any)
	if va["verified"] != true || va["status"] != "completed" || va["verified_at"] != "2025-03-04T05:06:07Z" {
		t.Errorf("verifiable address = %v, want verified at 2025-03-04T05:06:07Z", va)
	}
	sdk.Login(t, e.srv, "ann@example.com", "first-Passw0rd!")

	put := func(body string) {
		t.Helper()
		if r := e.admin("PUT", "identities/"+id, "application/json", []byte(body)); r.Status != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", body, r.Status, r.Body)
		}
	}
	put(`{"traits":{"email":"Ann@Example.com"},"credentials":{"password":{"config":{"hashed_password":"$md5-crypt$saltsalt$KvkJyXhf3hrpRJtUH6pEZ0"}}}}`)
	sdk.Login(t, e.srv, "ann@example.com", "latchkey-test")
	put(`{"traits":{"email":"ann@example.com"}}`)
	sdk.Login(t, e.srv, "ann@example.com", "latchkey-test")

	for _, body := range []string{`{"traits":{"email":"x@example.com"},"state":"inactive"}`, `{"traits":{"email":"x@example.com"},"nonsense":1}`} {
		sdk.WantError(t, e.admin("POST", "identities", "application/json", []byte(body)), http.StatusBadRequest)
	}
}
