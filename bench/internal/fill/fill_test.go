package fill

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit"
)

const password = "Fill-v7#Qz9!kp"

// TestFilledIdentitiesSignInAndSessionsAnswerWhoami fills a running
// server's database and asks the server about the filled rows: each
// sample's session token answers whoami with its identity and address,
// each sample signs in with the password, and the identity list counts
// every filled identity.
func TestFilledIdentitiesSignInAndSessionsAnswerWhoami(t *testing.T) {
	defer func(n int) { txRows = n }(txRows)
	txRows = 1000 // several transactions, each with a short last INSERT
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		srv := testkit.Start(t, testkit.Config(t, dsn, nil))
		hash, err := bcrypt.GenerateFromPassword([]byte(password), 4)
		if err != nil {
			t.Fatal(err)
		}
		const n = 2500
		res, err := Fill(context.Background(), Options{Config: &srv.App.Config, N: n, PasswordHash: string(hash)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Samples) != 3 {
			t.Fatalf("samples = %d, want 3 (first, middle, last)", len(res.Samples))
		}
		if got := res.Samples[2].Email; got != fmt.Sprintf("fill-%09d@example.com", n-1) {
			t.Fatalf("last sample is %s", got)
		}
		for _, s := range res.Samples {
			checkWhoami(t, srv.PublicURL, s.Token, s.IdentityID, s.Email)
			tok := signIn(t, srv.PublicURL, s.Email)
			checkWhoami(t, srv.PublicURL, tok, s.IdentityID, s.Email)
		}
		var total int
		resp, err := http.Get(srv.AdminURL + "identities?per_page=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if _, err := fmt.Sscan(resp.Header.Get("X-Total-Count"), &total); err != nil || total != n {
			t.Fatalf("X-Total-Count = %q, want %d", resp.Header.Get("X-Total-Count"), n)
		}
	})
}

func checkWhoami(t *testing.T, base, tok string, id uuid.UUID, email string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"sessions/whoami", nil)
	req.Header.Set("X-Session-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var s struct {
		Active   bool `json:"active"`
		Identity struct {
			ID     uuid.UUID `json:"id"`
			Traits struct {
				Email string `json:"email"`
			} `json:"traits"`
			VerifiableAddresses []struct {
				Value string `json:"value"`
			} `json:"verifiable_addresses"`
			RecoveryAddresses []struct {
				Value string `json:"value"`
			} `json:"recovery_addresses"`
		} `json:"identity"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &s) != nil {
		t.Fatalf("whoami: %d %s", resp.StatusCode, raw)
	}
	i := s.Identity
	if !s.Active || i.ID != id || i.Traits.Email != email || len(i.VerifiableAddresses) != 1 || i.VerifiableAddresses[0].Value != email ||
		len(i.RecoveryAddresses) != 1 || i.RecoveryAddresses[0].Value != email {
		t.Fatalf("whoami of %s: %s", email, raw)
	}
}

// signIn runs an api login flow and returns the new session's token.
func signIn(t *testing.T, base, email string) string {
	t.Helper()
	resp, err := http.Get(base + "self-service/login/api")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&f)
	resp.Body.Close()
	if err != nil || f.ID == "" {
		t.Fatalf("init login: %d %v", resp.StatusCode, err)
	}
	body, _ := json.Marshal(map[string]string{"method": "password", "password_identifier": email, "password": password})
	resp, err = http.Post(base+"self-service/login?flow="+f.ID, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		SessionToken string `json:"session_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.SessionToken == "" {
		t.Fatalf("sign in as %s: %d %s", email, resp.StatusCode, raw)
	}
	return out.SessionToken
}

// TestKeptFillIsReused fills one database with a cache, then starts a
// second from the kept copy (SQLite, PostgreSQL; MariaDB is filled again):
// the second server answers the first fill's session tokens.
func TestKeptFillIsReused(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		hash, _ := bcrypt.GenerateFromPassword([]byte(password), 4)
		cache := &Cache{Dir: t.TempDir(), ServerDSN: os.Getenv(testkit.EnvPostgres)}
		cfgA := loaded(t, dsn)
		migrate(t, dsn)
		var before map[string]bool
		if cache.ServerDSN != "" {
			before = kept(t, cache.ServerDSN)
		}
		first, err := Fill(ctx, Options{Config: &cfgA, N: 300, PasswordHash: string(hash), Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		if first.Cached {
			t.Fatal("the first fill came from the cache")
		}
		if cache.ServerDSN != "" && strings.HasPrefix(dsn, "postgres") {
			t.Cleanup(func() { dropKept(t, cache.ServerDSN, before) })
		}
		dsnB := testkit.NewDatabase(t, dialectOf(dsn))
		migrate(t, dsnB)
		cfgB := loaded(t, dsnB)
		second, err := Fill(ctx, Options{Config: &cfgB, N: 300, PasswordHash: string(hash), Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		if wantCached := dialectOf(dsn) != "mysql"; second.Cached != wantCached {
			t.Fatalf("second fill cached = %v, want %v", second.Cached, wantCached)
		}
		srv := testkit.Start(t, testkit.Config(t, dsnB, nil))
		samples := first.Samples
		if !second.Cached {
			samples = second.Samples
		}
		for _, s := range samples {
			checkWhoami(t, srv.PublicURL, s.Token, s.IdentityID, s.Email)
		}
	})
}

// loaded is the test config with the defaults filled in, as the server
// reads it.
func loaded(t *testing.T, dsn string) config.Config {
	l, err := config.FromStruct(testkit.Config(t, dsn, nil))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func dialectOf(dsn string) string {
	d, _, _ := strings.Cut(dsn, ":")
	return d
}

func migrate(t *testing.T, dsn string) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// kept lists the PostgreSQL copies on the server.
func kept(t *testing.T, server string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	rows, err := admin.Query("SELECT datname FROM pg_database WHERE datname LIKE 'lk_fillcache_%'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			out[n] = true
		}
	}
	return out
}

// dropKept removes the PostgreSQL copies this test made: those not in
// before (a benchmark's kept fills stay).
func dropKept(t *testing.T, server string, before map[string]bool) {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return
	}
	defer admin.Close()
	for n := range kept(t, server) {
		if before[n] {
			continue
		}
		if _, err := admin.Exec("DROP DATABASE " + n); err != nil {
			t.Logf("drop %s: %v", n, err)
		}
	}
}
