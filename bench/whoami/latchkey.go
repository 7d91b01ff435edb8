package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/token"
)

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
// BENCH-ONLY SHORTCUT: users get sessions through login flows, which
// for a thousand sessions would mostly measure password hashing before the
// run. The benchmark writes the rows itself, exactly as the server would: a
// random token from internal/token, its keyed hash under the config's
// secret, and the server's own INSERT (sqlstore.CreateSession, through
// database/sql with the same DSN handling).
func insertSessions(ctx context.Context, dsn string, ids []uuid.UUID) ([]string, error) {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var clk clock.Clock
	st := sqlstore.New(db, clk)
	hasher := token.NewHasher([]string{harness.Secret})
	tokens := make([]string, len(ids))
	for k, id := range ids {
		now := clk.Now()
		// What a password sign-in from this machine records (see
		// session.Manager.Issue), so the body matches the baseline's.
		s := &session.Session{ID: uuid.New(), Active: true, IssuedAt: now, AuthenticatedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), IdentityID: id,
			Devices: []session.Device{{ID: uuid.New(), IPAddress: "127.0.0.1", FirstSeen: now, LastSeen: now}},
			AAL:     session.AAL1, AMR: []session.AuthenticationMethod{session.FirstFactor("password", now)}}
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
