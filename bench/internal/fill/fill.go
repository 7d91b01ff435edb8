// Package fill writes many identities, each with a password, one email
// address (verifiable and recovery) and one active session, into a
// migrated Latchkey database before the server starts: the bulk the
// benchmarks' whoami and login must stay flat against (-fill).
//
// BENCH-ONLY SHORTCUT: a million sign-ups through the API would take hours
// here. Instead the server's own code writes one template identity and
// session (identity.Manager.Create and session.Manager.Issue over
// sqlstore, as an admin-created identity and a password sign-in from
// 127.0.0.1 would), on a pool that records the statements the store
// executes (record.go); the other rows are those statements again, many
// rows per INSERT and many INSERTs per transaction, with only the values
// that must be unique changed: every UUID, the email address (traits,
// addresses, identifier) and the session token's keyed hash, from a fresh
// token per session. Everything else, the password hash included, is the
// template's, so each filled identity can sign in with the same password
// and each filled session's token answers whoami.
package fill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/token"
)

// Password is what every filled identity signs in with, and PasswordHash
// its bcrypt hash at cost 4 (the benchmarks' hasher): fixed, so that a
// kept fill (Cache) matches the next run's.
const (
	Password     = "Bench-v7#Qz9!kp"
	PasswordHash = "$2a$04$7KAxsIVxCoitZI8nq50Qw./4UfrKn2eqN7YtNTC3NB.AVVnBY/Rgm"
)

// Options says what to fill.
type Options struct {
	// ConfigFile is the server's config file: the fill reads its DSN,
	// identity schemas, secrets and session lifespan the way the server
	// does. Config, when set, is used instead.
	ConfigFile string
	Config     *config.Config
	// N is how many identities (one session each) to write.
	N int
	// PasswordHash is every identity's password credential, e.g. a bcrypt
	// hash of the password the benchmark signs in with.
	PasswordHash string
	// Email is the address format of identity k (fmt, one %d); by default
	// "fill-%09d@example.com".
	Email string
	// Log, if set, gets a progress line now and then.
	Log io.Writer
	// Cache, if set, keeps the filled database for the next run and
	// starts from such a copy when there is one (see cache.go).
	Cache *Cache
}

// Sample is one filled identity that a test or a benchmark can use.
type Sample struct {
	IdentityID uuid.UUID
	Email      string
	Token      string // its session's token
}

// Result is what a fill wrote.
type Result struct {
	N       int
	Took    time.Duration
	Samples []Sample // the first, a middle and the last identity; none from a cache
	Cached  bool     // copied from Options.Cache, not written
}

// String says what the fill did, for a benchmark's progress line.
func (r *Result) String() string {
	how := "written"
	if r.Cached {
		how = "copied from the -fill-cache"
	}
	return fmt.Sprintf("%d identities with a password and a session %s in %s", r.N, how, r.Took.Round(time.Millisecond))
}

// Fill writes o.N identities with one session each. It must run on a
// migrated database before the server starts: the SQLite whoami log the
// inserts append to is emptied at the end.
func Fill(ctx context.Context, o Options) (*Result, error) {
	if o.N < 1 {
		return nil, errors.New("fill: N must be positive")
	}
	if o.Email == "" {
		o.Email = "fill-%09d@example.com"
	}
	t0 := time.Now()
	cfg := o.Config
	if cfg == nil {
		loaded, err := config.Load([]string{o.ConfigFile}, os.Getenv, false)
		if err != nil {
			return nil, err
		}
		cfg = &loaded.Config
	}
	target, err := sqldb.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	tpl, sample0, err := template(ctx, cfg, target, o)
	if err != nil {
		return nil, err
	}
	var k string
	if o.Cache != nil {
		if k, err = key(tpl, o); err != nil {
			return nil, err
		}
		ok, err := o.Cache.restore(ctx, target, cfg.DSN, k)
		if err != nil {
			return nil, fmt.Errorf("fill: copy the kept fill: %w", err)
		}
		if ok {
			return &Result{N: o.N, Took: time.Since(t0), Cached: true}, nil
		}
	}
	res := &Result{N: o.N, Samples: []Sample{sample0}}
	if err := write(ctx, target, tpl, o, cfg, res, t0); err != nil {
		return nil, err
	}
	if o.Cache != nil {
		if err := o.Cache.save(ctx, target, cfg.DSN, k); err != nil {
			return nil, fmt.Errorf("fill: keep the fill: %w", err)
		}
	}
	res.Took = time.Since(t0)
	return res, nil
}

// write writes identities 1 to o.N-1 after the template.
func write(ctx context.Context, target sqldb.Target, tpl *tmpl, o Options, cfg *config.Config, res *Result, t0 time.Time) error {
	db, err := sqldb.OpenTarget(ctx, target)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := newWriter(ctx, db, tpl)
	if err != nil {
		return err
	}
	defer w.close()
	want := map[int]bool{o.N / 2: true, o.N - 1: true}
	hasher := token.NewHasher(cfg.SecretList())
	// Identity 0 is the template itself; the others are written in
	// transactions of txRows identities, built while the previous one is
	// written.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, 1)
	genErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		for from := 1; from < o.N; from += txRows {
			c := tpl.build(from, min(from+txRows, o.N), o.Email, hasher)
			for _, s := range c.samples {
				if want[s.k] {
					res.Samples = append(res.Samples, s.Sample)
				}
			}
			select {
			case chunks <- c:
			case <-ctx.Done():
				genErr <- ctx.Err()
				return
			}
		}
		genErr <- nil
	}()
	last := time.Now()
	for c := range chunks {
		if err := w.write(ctx, c); err != nil {
			cancel()
			for range chunks { // let the builder stop
			}
			return fmt.Errorf("fill: %w", err)
		}
		if o.Log != nil && time.Since(last) > 10*time.Second {
			last = time.Now()
			fmt.Fprintf(o.Log, "fill: %d of %d identities written in %s\n", c.to, o.N, time.Since(t0).Round(time.Second))
		}
	}
	if err := <-genErr; err != nil {
		return err
	}
	if err := finish(ctx, db); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	return nil
}

// template has the server write identity 0 and its session, and returns
// what it executed to do so.
func template(ctx context.Context, cfg *config.Config, target sqldb.Target, o Options) (*tmpl, Sample, error) {
	rec := &recorder{}
	db, err := sqldb.OpenTarget(ctx, target, rec.opener)
	if err != nil {
		return nil, Sample{}, err
	}
	defer db.Close()
	var refs []schema.Ref
	for _, s := range cfg.Identity.Schemas {
		refs = append(refs, schema.Ref{ID: s.ID, URL: s.URL})
	}
	schemas, err := schema.Load(ctx, cfg.Identity.DefaultSchemaURL, refs)
	if err != nil {
		return nil, Sample{}, err
	}
	var clk clock.Clock
	st := sqlstore.New(db, clk)
	hasher := token.NewHasher(cfg.SecretList())
	ids := &identity.Manager{Store: st, Schemas: schemas, PublicBase: cfg.Serve.Public.BaseURL, Clock: clk}
	sessions := &session.Manager{Store: st, Tokens: hasher, Lifespan: cfg.Session.Lifespan.D(), PublicBase: cfg.Serve.Public.BaseURL, Clock: clk}

	email := fmt.Sprintf(o.Email, 0)
	traits, _ := json.Marshal(map[string]string{"email": email})
	rec.calls = nil
	i, err := ids.Create(ctx, identity.Draft{SchemaID: schemas.Default().ID, Traits: traits,
		AddressStatus: identity.StatusPending, PasswordHash: o.PasswordHash})
	if err != nil {
		return nil, Sample{}, fmt.Errorf("fill: create the template identity: %w", err)
	}
	now := clk.Now()
	_, tok, err := sessions.Issue(signInContext(ctx), i, now, session.FirstFactor("password", now))
	if err != nil {
		return nil, Sample{}, fmt.Errorf("fill: issue the template session: %w", err)
	}
	tpl, err := compile(rec.calls, db.Dialect, email, hasher.Hash(token.Session, tok))
	if err != nil {
		return nil, Sample{}, err
	}
	return tpl, Sample{IdentityID: i.ID, Email: email, Token: tok}, nil
}

// signInContext is the context of a sign-in request from 127.0.0.1 with
// Go's user agent, which is what the benchmarks' clients send.
func signInContext(ctx context.Context) context.Context {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/self-service/login", nil)
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("User-Agent", "Go-http-client/1.1")
	var out context.Context
	httpx.WithClient(httpx.TrustedProxies{}, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		out = r.Context()
	})).ServeHTTP(nil, r)
	return out
}

// finish empties SQLite's whoami log (the server starts after the fill,
// with nothing to catch up on) and has the server databases gather the
// statistics their planners use, as their background jobs would do
// shortly after a bulk load (autovacuum, InnoDB's automatic statistics).
func finish(ctx context.Context, db *sqldb.DB) error {
	switch db.Dialect {
	case sqldb.SQLite:
		if _, err := db.W.ExecContext(ctx, "DELETE FROM session_invalidations"); err != nil {
			return err
		}
		// Everything in the main file, so that a copy of it is whole.
		_, err := db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		return err
	case sqldb.Postgres:
		_, err := db.W.ExecContext(ctx, "ANALYZE")
		return err
	default:
		for _, t := range []string{"identities", "identity_credentials", "identity_credential_identifiers",
			"identity_verifiable_addresses", "identity_recovery_addresses", "sessions"} {
			if _, err := db.W.ExecContext(ctx, "ANALYZE TABLE "+t); err != nil {
				return err
			}
		}
		return nil
	}
}
