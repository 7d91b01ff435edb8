// Package refdb builds databases shaped as the reference (Kratos v0.6.3)
// leaves them, for the takeover tests of internal/kratos and the CLI.
package refdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/kratos"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// DB is a database shaped as the reference (Kratos v0.6.3) leaves it,
// built from the facts in its notes: the tables and columns, one network,
// plain-text session tokens, lower-cased identifiers, bcrypt and argon2id
// hashes, and each dialect's own column types and time formats.
type DB struct {
	t       testing.TB
	db      *sql.DB
	dialect sqldb.Dialect
	DSN     string
	nid     string
	types   map[string]string // credential type name -> id
}

// The reference's DDL, reduced to the columns a takeover reads, in each
// dialect's types (TEXT and DATETIME text on SQLite, uuid/jsonb/timestamp on
// PostgreSQL, char(36)/json/datetime(6) on MySQL).
func refDDL(d sqldb.Dialect) []string {
	id, js, ts, b := "TEXT", "TEXT", "DATETIME", "BOOLEAN"
	switch d {
	case sqldb.Postgres:
		id, js, ts = "UUID", "JSONB", "TIMESTAMP"
	case sqldb.MySQL:
		id, js, ts = "CHAR(36)", "JSON", "DATETIME(6)"
	}
	return []string{
		`CREATE TABLE schema_migration (version VARCHAR(48) NOT NULL)`,
		`CREATE TABLE networks (id ` + id + ` PRIMARY KEY, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL)`,
		`CREATE TABLE identities (id ` + id + ` PRIMARY KEY, schema_id VARCHAR(2048) NOT NULL, traits ` + js + ` NOT NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE identity_credential_types (id ` + id + ` PRIMARY KEY, name VARCHAR(32) NOT NULL)`,
		`CREATE TABLE identity_credentials (id ` + id + ` PRIMARY KEY, config ` + js + ` NOT NULL, identity_credential_type_id ` + id + ` NOT NULL, identity_id ` + id + ` NOT NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE identity_credential_identifiers (id ` + id + ` PRIMARY KEY, identifier VARCHAR(255) NOT NULL, identity_credential_id ` + id + ` NOT NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE identity_verifiable_addresses (id ` + id + ` PRIMARY KEY, status VARCHAR(16) NOT NULL, via VARCHAR(16) NOT NULL, verified ` + b + ` NOT NULL, value VARCHAR(400) NOT NULL, verified_at ` + ts + ` NULL, identity_id ` + id + ` NOT NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE identity_recovery_addresses (id ` + id + ` PRIMARY KEY, via VARCHAR(16) NOT NULL, value VARCHAR(400) NOT NULL, identity_id ` + id + ` NOT NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE sessions (id ` + id + ` PRIMARY KEY, issued_at ` + ts + ` NOT NULL, expires_at ` + ts + ` NOT NULL, authenticated_at ` + ts + ` NOT NULL, identity_id ` + id + ` NOT NULL, token VARCHAR(32) NULL, active ` + b + ` NULL, created_at ` + ts + ` NOT NULL, updated_at ` + ts + ` NOT NULL, nid ` + id + `)`,
		`CREATE TABLE courier_messages (id ` + id + ` PRIMARY KEY, nid ` + id + `)`,
		`CREATE TABLE selfservice_login_flows (id ` + id + ` PRIMARY KEY, nid ` + id + `)`,
	}
}

// New creates the reference's schema in the empty database dsn.
func New(t testing.TB, dsn string) *DB {
	t.Helper()
	target, err := sqldb.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	driverDSN := target.DriverDSN
	if target.Dialect == sqldb.SQLite {
		// As the reference opens it: no WAL, no Latchkey settings.
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite://"), "?")
		driverDSN = "file:" + path
	}
	db, err := sql.Open(target.Driver, driverDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &DB{t: t, db: db, dialect: target.Dialect, DSN: dsn, nid: uuid.NewString(), types: map[string]string{}}
	for _, q := range refDDL(target.Dialect) {
		r.Exec(q)
	}
	for _, v := range []string{"20150100000001000000", "20210410175418000180", kratos.SchemaVersion} {
		r.Exec(`INSERT INTO schema_migration (version) VALUES (?)`, v)
	}
	now := r.ts(time.Now())
	r.Exec(`INSERT INTO networks (id, created_at, updated_at) VALUES (?, ?, ?)`, r.nid, now, now)
	for _, name := range []string{"password", "oidc"} {
		r.types[name] = uuid.NewString()
		r.Exec(`INSERT INTO identity_credential_types (id, name) VALUES (?, ?)`, r.types[name], name)
	}
	return r
}

// Exec runs a statement written with ? placeholders on the reference database.
func (r *DB) Exec(q string, args ...any) {
	r.t.Helper()
	if _, err := r.db.ExecContext(context.Background(), r.dialect.Rebind(q), args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

// ts writes a time as the reference's driver does on each database.
func (r *DB) ts(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05.000000")
	if r.dialect == sqldb.SQLite {
		s += "+00:00"
	}
	return s
}

func (r *DB) boolean(b bool) any {
	if r.dialect == sqldb.SQLite {
		if b {
			return 1
		}
		return 0
	}
	return b
}

// User is what a test puts in the reference and expects to find.
type User struct {
	ID, SchemaID, Traits string
	Identifier           string // as the reference stores it: lower-cased
	Password             string // "" for an identity without one
	Hash                 string
	Email                string // the verifiable address, if any
	VerifiedAt           *time.Time
	OIDC                 string // "<provider>:<subject>", if linked
}

// AddIdentity stores a user as the reference would have.
func (r *DB) AddIdentity(u *User) {
	r.t.Helper()
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	created := r.ts(time.Now().Add(-48 * time.Hour))
	traits := u.Traits
	if r.dialect == sqldb.SQLite {
		traits += "\n" // the reference writes a trailing newline there
	}
	r.Exec(`INSERT INTO identities (id, schema_id, traits, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?)`, u.ID, u.SchemaID, traits, created, created, r.nid)
	if u.Identifier != "" {
		cfg := `{}`
		if u.Hash != "" {
			cfg = `{"hashed_password":"` + u.Hash + `"}`
		}
		cid := uuid.NewString()
		r.Exec(`INSERT INTO identity_credentials (id, config, identity_credential_type_id, identity_id, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?, ?)`, cid, cfg, r.types["password"], u.ID, created, created, r.nid)
		r.Exec(`INSERT INTO identity_credential_identifiers (id, identifier, identity_credential_id, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?)`, uuid.NewString(), u.Identifier, cid, created, created, r.nid)
	}
	if u.OIDC != "" {
		provider, subject, _ := strings.Cut(u.OIDC, ":")
		cid := uuid.NewString()
		r.Exec(`INSERT INTO identity_credentials (id, config, identity_credential_type_id, identity_id, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?, ?)`, cid,
			fmt.Sprintf(`{"providers":[{"subject":%q,"provider":%q}]}`, subject, provider), r.types["oidc"], u.ID, created, created, r.nid)
		r.Exec(`INSERT INTO identity_credential_identifiers (id, identifier, identity_credential_id, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?)`, uuid.NewString(), u.OIDC, cid, created, created, r.nid)
	}
	if u.Email != "" {
		status, verified := "sent", false
		var at any
		if u.VerifiedAt != nil {
			status, verified, at = "completed", true, r.ts(*u.VerifiedAt)
		}
		r.Exec(`INSERT INTO identity_verifiable_addresses (id, status, via, verified, value, verified_at, identity_id, created_at, updated_at, nid) VALUES (?, ?, 'email', ?, ?, ?, ?, ?, ?, ?)`,
			uuid.NewString(), status, r.boolean(verified), u.Email, at, u.ID, created, created, r.nid)
		r.Exec(`INSERT INTO identity_recovery_addresses (id, via, value, identity_id, created_at, updated_at, nid) VALUES (?, 'email', ?, ?, ?, ?, ?)`,
			uuid.NewString(), u.Email, u.ID, created, created, r.nid)
	}
}

// AddSession stores a session as the reference does: its token in plain
// text. It returns the token.
func (r *DB) AddSession(identityID string, active bool, expires time.Time) string {
	r.t.Helper()
	tok := Token()
	now := time.Now().Add(-time.Hour)
	r.Exec(`INSERT INTO sessions (id, issued_at, expires_at, authenticated_at, identity_id, token, active, created_at, updated_at, nid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uuid.NewString(), r.ts(now), r.ts(expires), r.ts(now), identityID, tok, r.boolean(active), r.ts(now), r.ts(now), r.nid)
	return tok
}

// Revoke logs a session out as the reference does: active = false.
func (r *DB) Revoke(tok string) {
	r.Exec(`UPDATE sessions SET active = ? WHERE token = ?`, r.boolean(false), tok)
}

// Token is 32 characters of [A-Za-z0-9], as the reference makes them.
func Token() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	for k := range b {
		b[k] = alphabet[int(b[k])%len(alphabet)]
	}
	return string(b)
}

// BcryptHash is a bcrypt hash at the cheapest cost.
func BcryptHash(t testing.TB, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), 4)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// ArgonHash is argon2id in the reference's PHC form (raw std base64).
func ArgonHash(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, 1, 1024, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=1024,t=1,p=1$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(key))
}
