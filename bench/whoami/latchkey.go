package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to create and drop the run's database

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/token"
)

// benchSecret is the secrets.default of the benchmark's config; the
// session rows are hashed with it (see insertSessions).
const benchSecret = "latchkey-bench-secret-0123456789"

// buildLatchkey compiles ./cmd/latchkey into dir and returns the binary.
func buildLatchkey(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root (run from inside the repository): %w", err)
	}
	bin := filepath.Join(dir, "latchkey")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/latchkey")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/latchkey: %w", err)
	}
	return bin, nil
}

// writeConfig writes a production-style config: no dev mode, loopback
// ports, a fixed secret, default pools and logging.
func writeConfig(path, dsn string, publicPort, adminPort int) error {
	cfg := fmt.Sprintf(`dsn: %q
serve:
  public:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
  admin:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
secrets:
  default:
    - %s
`, dsn, publicPort, publicPort, adminPort, adminPort, benchSecret)
	return os.WriteFile(path, []byte(cfg), 0o600)
}

// postgresDatabase creates a fresh database on the server base names and
// returns its DSN and a function that drops it.
func postgresDatabase(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "lk_bench_" + hex.EncodeToString(b[:])
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create PostgreSQL database: %w", err)
	}
	drop := func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "whoami: drop database %s: %v\n", name, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// createIdentities creates n identities with one email address each through
// the admin API (POST /identities), 8 at a time, and returns their ids.
func createIdentities(ctx context.Context, adminURL string, n int) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, n)
	client := &http.Client{Timeout: 30 * time.Second}
	next := make(chan int)
	errc := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				body := fmt.Sprintf(`{"schema_id":"default","traits":{"email":"bench-%06d@example.com"}}`, k)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, adminURL+"identities", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errc <- err
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out struct {
					ID uuid.UUID `json:"id"`
				}
				if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &out) != nil {
					errc <- fmt.Errorf("POST /identities: %d %s", resp.StatusCode, bytes.TrimSpace(raw))
					return
				}
				ids[k] = out.ID
			}
		}()
	}
	var err error
feed:
	for k := range n {
		select {
		case next <- k:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return ids, err
}

// insertSessions gives each identity one active session and returns the
// session tokens.
//
// BENCH-ONLY SHORTCUT: sessions are issued by self-service login and
// registration flows, which Latchkey does not have yet. Until it does, the
// benchmark writes the rows itself, exactly as the server would: a random
// token from internal/token, its keyed hash under the config's secret, and
// the server's own INSERT (sqlstore.CreateSession, through database/sql
// with the same DSN handling). Replace this with a login flow when one
// exists.
func insertSessions(ctx context.Context, dsn string, ids []uuid.UUID) ([]string, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	st := sqlstore.New(db)
	hasher := token.NewHasher([]string{benchSecret})
	tokens := make([]string, len(ids))
	for k, id := range ids {
		now := identity.Now()
		s := &session.Session{ID: uuid.New(), Active: true, IssuedAt: now, AuthenticatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), IdentityID: id}
		tok := token.New()
		if err := st.CreateSession(ctx, s, hasher.Hash(token.Session, tok)); err != nil {
			return nil, fmt.Errorf("insert session: %w", err)
		}
		tokens[k] = tok
	}
	return tokens, nil
}

// checkWhoami makes sure a token is answered with its session before the
// load starts, so a broken setup is not measured as errors.
func checkWhoami(ctx context.Context, url, tok string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("X-Session-Token", tok)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(raw))
	}
	var s struct {
		Active   bool `json:"active"`
		Identity struct {
			VerifiableAddresses []json.RawMessage `json:"verifiable_addresses"`
		} `json:"identity"`
	}
	if err := json.Unmarshal(raw, &s); err != nil || !s.Active || len(s.Identity.VerifiableAddresses) != 1 {
		return 0, fmt.Errorf("GET %s: unexpected session body %s", url, bytes.TrimSpace(raw))
	}
	return len(raw), nil
}
