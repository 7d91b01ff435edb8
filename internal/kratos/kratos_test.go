package kratos_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/kratos"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/refdb"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const cookieSecret = "the-reference-cookie-secret-0123456789"

const usernameSchema = `{"$id":"https://example.com/username.schema.json","$schema":"http://json-schema.org/draft-07/schema#","type":"object",
"properties":{"traits":{"type":"object","properties":{"username":{"type":"string","minLength":1,
"ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}}},"required":["username"],"additionalProperties":false}}}`

// referenceCookie is the session cookie the reference sets: a
// gorilla/sessions value made with gorilla/securecookie under
// secrets.cookie.
func referenceCookie(t *testing.T, tok string) string {
	v, err := securecookie.EncodeMulti("ory_kratos_session", map[any]any{"session_token": tok}, securecookie.CodecsFromPairs([]byte(cookieSecret))...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// oldReferenceCookie is one built by hand from the notes' description,
// dated age ago: the reference refuses it after 30 days.
func oldReferenceCookie(t *testing.T, tok string, age time.Duration) string {
	plain, err := securecookie.GobEncoder{}.Serialize(map[any]any{"session_token": tok})
	if err != nil {
		t.Fatal(err)
	}
	date := strconv.FormatInt(time.Now().Add(-age).Unix(), 10)
	value := date + "|" + base64.URLEncoding.EncodeToString(plain)
	mac := hmac.New(sha256.New, []byte(cookieSecret))
	mac.Write([]byte("ory_kratos_session|" + value))
	return base64.URLEncoding.EncodeToString([]byte(value + "|" + string(mac.Sum(nil))))
}

// copyInto runs what `latchkey migrate kratos` runs.
func copyInto(t *testing.T, srv *testkit.Server, dsn string) *kratos.Counts {
	t.Helper()
	src, err := kratos.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open the reference database: %v", err)
	}
	defer src.Close()
	a := srv.App
	n, err := (&kratos.Copier{Target: a.Store, Identities: a.Identities, Tokens: a.Tokens, Now: time.Now, BatchSize: 2}).Run(context.Background(), src)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	return n
}

func whoami(t *testing.T, srv *testkit.Server, headers ...string) (int, string) {
	t.Helper()
	s, resp, err := sdk.Public(srv, headers...).PublicApi.ToSession(context.Background()).Execute()
	status := sdk.Status(t, resp, err)
	if status != http.StatusOK {
		return status, ""
	}
	return status, s.Identity.Id
}

// TestTakeover: a reference deployment copied into Latchkey on each
// database. Through the reference's SDK every user signs in with their old
// password, every live token and cookie is its identity's session,
// revoked and expired ones stay dead; a second run changes nothing, and a
// third picks up what changed in the source since.
func TestTakeover(t *testing.T) {
	t.Parallel()
	for _, dialect := range testkit.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			testTakeover(t, dialect)
		})
	}
}

func testTakeover(t *testing.T, dialect string) {
	ref := refdb.New(t, testkit.NewDatabase(t, dialect))
	schemaFile := filepath.Join(t.TempDir(), "username.schema.json")
	if err := os.WriteFile(schemaFile, []byte(usernameSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, dialect), func(c *config.Config) {
		c.Secrets.Cookie = []string{cookieSecret}
		c.Identity.Schemas = []config.SchemaRef{{ID: "username", URL: "file://" + schemaFile}}
	}))

	verified := time.Date(2026, 11, 3, 10, 20, 30, 123456000, time.UTC)
	alice := &refdb.User{SchemaID: "default", Traits: `{"email":"Alice@Example.com"}`, Identifier: "alice@example.com", Password: "alice-old-Passw0rd",
		Email: "Alice@Example.com", VerifiedAt: &verified}
	alice.Hash = refdb.BcryptHash(t, alice.Password)
	bob := &refdb.User{SchemaID: "default", Traits: `{"email":"bob@example.com"}`, Identifier: "bob@example.com", Password: "bob-argon-Passw0rd", Email: "bob@example.com"}
	bob.Hash = refdb.ArgonHash(bob.Password)
	carol := &refdb.User{SchemaID: "default", Traits: `{"email":"carol@example.com"}`, Identifier: "carol@example.com", Email: "carol@example.com"} // admin-made, no password
	dave := &refdb.User{SchemaID: "username", Traits: `{"username":"Dave"}`, Identifier: "dave", Password: "dave-user-Passw0rd"}
	dave.Hash = refdb.BcryptHash(t, dave.Password)
	erin := &refdb.User{SchemaID: "default", Traits: `{"email":"erin@example.com"}`, Email: "erin@example.com", OIDC: "github:4711"}
	for _, u := range []*refdb.User{alice, bob, carol, dave, erin} {
		ref.AddIdentity(u)
	}
	future, past := time.Now().Add(24*time.Hour), time.Now().Add(-time.Minute)
	aliceLive := ref.AddSession(alice.ID, true, future)
	aliceSecond := ref.AddSession(alice.ID, true, future)
	aliceRevoked := ref.AddSession(alice.ID, false, future)
	aliceExpired := ref.AddSession(alice.ID, true, past)
	bobLive := ref.AddSession(bob.ID, true, future)
	daveLive := ref.AddSession(dave.ID, true, future)

	first := copyInto(t, srv, ref.DSN)
	if first.Identities.Created != 5 || first.Sessions.Created != 4 || first.Credentials != 6 {
		t.Errorf("first run: %+v, want 5 identities, 6 credentials (erin: oidc and an empty password one, as for any identity with an email) and 4 live sessions copied", first)
	}
	if first.Skipped["session revoked (logged out) in the source"] != 1 || first.Skipped["session expired"] != 1 {
		t.Errorf("first run skipped %v, want the revoked and the expired session", first.Skipped)
	}

	// Every user with a password signs in with it; carol, who has none,
	// cannot, whatever she types.
	for _, c := range []struct{ identifier, password, id string }{
		{"alice@example.com", alice.Password, alice.ID}, {"Alice@Example.COM", alice.Password, alice.ID},
		{"bob@example.com", bob.Password, bob.ID}, {"Dave", dave.Password, dave.ID}, {"dave", dave.Password, dave.ID},
	} {
		if got := sdk.Login(t, srv, c.identifier, c.password); got.Session.Identity.Id != c.id {
			t.Errorf("%s signed in as %s, want %s", c.identifier, got.Session.Identity.Id, c.id)
		}
	}
	for _, pw := range []string{"", "anything", alice.Password} {
		if _, resp, _ := sdk.TryLogin(t, srv, "carol@example.com", pw); resp == nil || resp.StatusCode == http.StatusOK {
			t.Errorf("carol, who has no password, signed in with %q", pw)
		}
	}

	// Live tokens and cookies answer whoami with their identity; dead ones
	// are 401. A cookie older than the reference's 30 days is refused too.
	for _, c := range []struct {
		name, header, value, id string
	}{
		{"alice token", "X-Session-Token", aliceLive, alice.ID},
		{"alice bearer", "Authorization", "Bearer " + aliceSecond, alice.ID},
		{"alice cookie", "Cookie", "ory_kratos_session=" + referenceCookie(t, aliceLive), alice.ID},
		{"bob token", "X-Session-Token", bobLive, bob.ID},
		{"bob cookie, 29 days old", "Cookie", "ory_kratos_session=" + oldReferenceCookie(t, bobLive, 29*24*time.Hour), bob.ID},
		{"dave cookie", "Cookie", "ory_kratos_session=" + referenceCookie(t, daveLive), dave.ID},
		{"revoked token", "X-Session-Token", aliceRevoked, ""},
		{"expired token", "X-Session-Token", aliceExpired, ""},
		{"revoked cookie", "Cookie", "ory_kratos_session=" + referenceCookie(t, aliceRevoked), ""},
		{"bob cookie, 31 days old", "Cookie", "ory_kratos_session=" + oldReferenceCookie(t, bobLive, 31*24*time.Hour), ""},
	} {
		status, id := whoami(t, srv, c.header, c.value)
		if c.id == "" && status != http.StatusUnauthorized || c.id != "" && (status != http.StatusOK || id != c.id) {
			t.Errorf("%s: whoami %d as %q, want %s", c.name, status, id, map[bool]string{true: "401", false: "200 as " + c.id}[c.id == ""])
		}
	}
	// Addresses keep their verification; the OIDC link arrives as such.
	got, _, err := sdk.Admin(srv).AdminApi.GetIdentity(context.Background(), alice.ID).Execute()
	if err != nil || len(got.VerifiableAddresses) != 1 || !got.VerifiableAddresses[0].Verified || got.VerifiableAddresses[0].VerifiedAt == nil ||
		!got.VerifiableAddresses[0].VerifiedAt.Equal(verified) || len(got.RecoveryAddresses) != 1 {
		t.Errorf("alice's addresses after the copy: %+v (%v), want one verified at %s and one recovery address", got, err, verified)
	}
	if n := count(t, srv, `SELECT COUNT(*) FROM identity_credential_identifiers WHERE type = 'oidc' AND identifier = 'github:4711' AND identity_id = ?`, erin.ID); n != 1 {
		t.Errorf("erin's oidc identifier rows: %d, want 1", n)
	}

	// Settings and logout work with an imported session.
	if _, resp, err := sdk.Public(srv).PublicApi.InitializeSelfServiceSettingsForNativeApps(context.Background()).XSessionToken(daveLive).Execute(); sdk.Status(t, resp, err) != http.StatusOK {
		t.Errorf("settings with an imported token: %d", sdk.Status(t, resp, err))
	}
	if resp, err := sdk.Public(srv).PublicApi.RevokeSession(context.Background()).RevokeSession(*client.NewRevokeSession(aliceSecond)).Execute(); sdk.Status(t, resp, err) != http.StatusNoContent {
		t.Errorf("logout of an imported token: %d", sdk.Status(t, resp, err))
	}
	if status, _ := whoami(t, srv, "X-Session-Token", aliceSecond); status != http.StatusUnauthorized {
		t.Errorf("whoami after logout: %d", status)
	}

	// Browser sign-out with the reference's cookie ends that session.
	daveCookie := "ory_kratos_session=" + referenceCookie(t, daveLive)
	if r := sdk.Do(t, http.MethodGet, srv.PublicURL+"self-service/browser/flows/logout", "", nil, "Cookie", daveCookie); r.Status != http.StatusFound {
		t.Errorf("browser logout with the reference's cookie: %d", r.Status)
	}
	if status, _ := whoami(t, srv, "Cookie", daveCookie); status != http.StatusUnauthorized {
		t.Errorf("whoami with the cookie after browser logout: %d, want 401", status)
	}

	// A second run changes nothing.
	before := tableCounts(t, srv)
	second := copyInto(t, srv, ref.DSN)
	if second.Identities != (kratos.Tally{Unchanged: 5}) || second.Sessions != (kratos.Tally{Unchanged: 4}) {
		t.Errorf("second run: %+v, want everything unchanged", second)
	}
	if after := tableCounts(t, srv); after != before {
		t.Errorf("second run changed the tables: %v -> %v", before, after)
	}

	// What changes in the source arrives with the next run: a new user
	// and her session, a logout.
	frank := &refdb.User{SchemaID: "default", Traits: `{"email":"frank@example.com"}`, Identifier: "frank@example.com", Password: "frank-late-Passw0rd", Email: "frank@example.com"}
	frank.Hash = refdb.BcryptHash(t, frank.Password)
	ref.AddIdentity(frank)
	frankLive := ref.AddSession(frank.ID, true, future)
	ref.Revoke(bobLive)
	newHash := refdb.BcryptHash(t, "dave-new-Passw0rd")
	ref.Exec(`UPDATE identity_credentials SET config = ? WHERE identity_id = ?`, `{"hashed_password":"`+newHash+`"}`, dave.ID)
	for _, table := range []string{"identity_verifiable_addresses", "identity_recovery_addresses", "identity_credentials", "identities"} {
		column := "identity_id"
		if table == "identities" {
			column = "id"
		}
		ref.Exec(`DELETE FROM `+table+` WHERE `+column+` = ?`, carol.ID)
	}
	third := copyInto(t, srv, ref.DSN)
	if third.Identities.Created != 1 || third.Identities.Updated != 1 || third.Identities.Removed != 1 || third.Sessions.Created != 1 || third.Sessions.Updated != 1 {
		t.Errorf("third run: %+v, want frank and his session new, dave's password changed, carol removed and bob's session updated", third)
	}
	sdk.Login(t, srv, "Dave", "dave-new-Passw0rd")
	if n := count(t, srv, `SELECT COUNT(*) FROM identities WHERE id = ?`, carol.ID); n != 0 {
		t.Errorf("carol, deleted in the source, is still here")
	}
	sdk.Login(t, srv, "frank@example.com", frank.Password)
	if status, id := whoami(t, srv, "X-Session-Token", frankLive); status != http.StatusOK || id != frank.ID {
		t.Errorf("frank's session: %d %s", status, id)
	}
	if status, _ := whoami(t, srv, "X-Session-Token", bobLive); status != http.StatusUnauthorized {
		t.Errorf("bob's session, revoked in the source after the first run: whoami %d, want 401", status)
	}
	// bob's argon2 hash was replaced by bcrypt at his first sign-in here;
	// the reruns kept it, and he still signs in.
	sdk.Login(t, srv, "bob@example.com", bob.Password)
}

func count(t *testing.T, srv *testkit.Server, q string, args ...any) int {
	t.Helper()
	db := srv.App.DB
	var n int
	if err := db.SQL.QueryRowContext(context.Background(), db.Q(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func tableCounts(t *testing.T, srv *testkit.Server) string {
	out := ""
	for _, table := range []string{"identities", "identity_credentials", "identity_credential_identifiers", "identity_verifiable_addresses", "identity_recovery_addresses", "sessions"} {
		out += fmt.Sprintf("%s=%d ", table, count(t, srv, "SELECT COUNT(*) FROM "+table))
	}
	return out
}

// TestRefusesOtherDatabases: what is not a v0.6.3 reference database with
// one network is refused with a message that says what was found.
func TestRefusesOtherDatabases(t *testing.T) {
	t.Parallel()
	latchkeyDB := testkit.NewDatabase(t, "sqlite")
	testkit.Start(t, testkit.Config(t, latchkeyDB, nil))
	newer := refdb.New(t, testkit.NewDatabase(t, "sqlite"))
	newer.Exec(`INSERT INTO schema_migration (version) VALUES ('20220301102030000000')`)
	twoNetworks := refdb.New(t, testkit.NewDatabase(t, "sqlite"))
	twoNetworks.Exec(`INSERT INTO networks (id, created_at, updated_at) VALUES ('6f8e2f54-0000-4000-8000-000000000002', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')`)
	for dsn, want := range map[string]string{
		latchkeyDB:       "not a Kratos database: it has no schema_migration table",
		newer.DSN:        "schema version 20220301102030000000",
		twoNetworks.DSN:  "has 2 networks",
		"mysql://nobody": "",
	} {
		src, err := kratos.Open(context.Background(), dsn)
		if err == nil {
			src.Close()
			t.Errorf("%s opened as a reference database", dsn)
			continue
		}
		if want != "" && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to say %q", dsn, err, want)
		}
	}
}
