package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/hasher"
	"github.com/latchkey/latchkey/internal/hook"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/notify"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/session/whoamicache"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/throttle"
	"github.com/latchkey/latchkey/internal/token"
	"github.com/latchkey/latchkey/internal/tracing"
)

// Version is set at build time with -ldflags "-X .../app.Version=v1.2.3".
var Version = "v0.6.3-latchkey.dev"

// App is a built Latchkey: its components and its two HTTP handlers.
type App struct {
	Config     config.Config
	Log        *slog.Logger
	DB         *sqldb.DB
	Store      *sqlstore.Store
	Schemas    *schema.Registry
	Identities *identity.Manager
	Sessions   *session.Manager
	Hasher     *hasher.Hasher
	Tokens     *token.Hasher
	Metrics    *metrics.Metrics
	Tracing    *tracing.Tracing
	// hookRunner runs web hooks whose answer is ignored, in the background.
	hookRunner *hook.Background
	// Clock is the one time source of every component.
	Clock clock.Clock
	// Proxies are serve.public.trusted_proxies, for httpx.ClientIP.
	Proxies httpx.TrustedProxies
	// OIDCClient is the HTTP client social sign-in reaches providers with;
	// nil means a default one. Tests route provider hosts to local servers.
	OIDCClient *http.Client
	// Courier sends queued mail; Serve runs it when watch-courier is on.
	Courier *courier.Worker
	// Notify mails security notices (notifications.*); the second-factor
	// strategies call Notify.SecondFactorChanged.
	Notify *notify.Notifier

	Public http.Handler
	Admin  http.Handler

	flows    *flows
	throttle *throttle.Limiter
	uiTexts  *locale.Catalog // the built-in pages' words, every language
	draining atomic.Bool
	// stopCache ends the whoami cache's PostgreSQL listener, or its hold
	// on SQLite's WAL index.
	stopCache context.CancelFunc
}

// Options change how New prepares the database.
type Options struct {
	// Migrate applies pending migrations instead of refusing to start.
	Migrate bool
	// Clock replaces the system clock (tests move it instead of sleeping).
	Clock clock.Clock
	// Tracing replaces what tracing.* configures (tests record spans in
	// memory).
	Tracing *tracing.Tracing
	// OIDCClient, when set, replaces social sign-in's HTTP client.
	OIDCClient *http.Client
}

// New builds the app: it opens the database, checks (or applies) the
// schema, loads identity schemas, and mounts every route.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	target, err := sqldb.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("dsn: %w", err)
	}
	for _, p := range target.Ignored {
		log.Warn("dsn parameter has no effect in latchkey and is ignored", "parameter", p)
	}
	tr := opts.Tracing
	if tr == nil {
		if tr, err = tracing.New(ctx, cfg.Tracing, Version); err != nil {
			return nil, err
		}
	}
	db, err := sqldb.OpenTarget(ctx, target, tr.OpenDB(string(target.Dialect)))
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Store: sqlstore.New(db, opts.Clock), Metrics: metrics.New(), Clock: opts.Clock, Tracing: tr,
		hookRunner: &hook.Background{Limit: 8, Attempts: 3, Backoff: 500 * time.Millisecond, Log: log}}
	a.Metrics.WatchDB(string(target.Dialect), db.SQL)
	a.Metrics.WatchCourier(a.Store.QueueStats)
	a.OIDCClient = opts.OIDCClient
	if err := a.prepareSchema(ctx, opts.Migrate || target.InMemory); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) prepareSchema(ctx context.Context, migrate bool) error {
	if migrate {
		n, err := a.DB.Migrate(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			a.Log.Info("applied database migrations", "count", n, "dialect", string(a.DB.Dialect))
		}
		return nil
	}
	return a.DB.CheckSchema(ctx)
}

func (a *App) build(ctx context.Context) error {
	cfg := a.Config
	var refs []schema.Ref
	for _, s := range cfg.Identity.Schemas {
		refs = append(refs, schema.Ref{ID: s.ID, URL: s.URL})
	}
	schemas, err := schema.Load(ctx, cfg.Identity.DefaultSchemaURL, refs)
	if err != nil {
		return err
	}
	a.Schemas = schemas
	if a.Proxies, err = httpx.ParseTrustedProxies(cfg.Serve.Public.TrustedProxies); err != nil {
		return fmt.Errorf("serve.public.trusted_proxies: %w", err)
	}
	a.Tokens = token.NewHasher(cfg.SecretList())
	hp := hasherParams(cfg.Hashers)
	hp.SlowAfter = cfg.Hashers.Argon2.ExpectedDuration.D() + cfg.Hashers.Argon2.ExpectedDeviation.D()
	hp.OnSlow = func(took time.Duration) {
		a.Log.Warn("hashing a password took longer than hashers.argon2.expected_duration plus expected_deviation; run `latchkey hashers argon2 calibrate` to fit the parameters to this machine",
			"took", took.Round(time.Millisecond).String(), "expected", hp.SlowAfter.String())
	}
	a.Hasher = hasher.New(hp, 0)
	a.Hasher.Tracer = a.Tracing.Tracer()
	publicBase := cfg.Serve.Public.BaseURL
	sender, err := a.mailSender()
	if err != nil {
		return err
	}
	a.Courier = &courier.Worker{Store: a.Store, Sender: sender, Log: a.Log, Tracer: a.Tracing.Tracer(), Clock: a.Clock}
	a.Identities = &identity.Manager{Store: a.Store, Schemas: schemas, PublicBase: publicBase, Clock: a.Clock}
	a.Sessions = &session.Manager{
		Store: a.Store, Tokens: a.Tokens, Lifespan: cfg.Session.Lifespan.D(), PublicBase: publicBase, Clock: a.Clock,
		Cookie: session.Cookie{
			Name: cfg.Session.Cookie.Name, Domain: cfg.Session.Cookie.Domain, Path: cfg.Session.Cookie.Path,
			Persistent: cfg.Session.Cookie.Persistent == nil || *cfg.Session.Cookie.Persistent,
			SameSite:   sameSite(cfg.Session.Cookie.SameSite), Secure: !cfg.Dev,
		},
		Reference:   session.NewReferenceCookie(cfg.Session.Cookie.Name, referenceCookieSecrets(cfg.Secrets)),
		Credentials: a.Store,
	}
	if *cfg.Session.WhoamiCache {
		if a.Sessions.Cache, err = a.whoamiCache(ctx); err != nil {
			return err
		}
	}
	if a.uiTexts, err = locale.Load(cfg.UI.TranslationsPath); err != nil {
		return err
	}
	a.Notify = a.notifier()
	f, err := a.buildFlows(ctx)
	if err != nil {
		return err
	}
	a.flows = f
	a.Metrics.ThrottleFlows("login", "registration", "recovery", "verification")
	a.Metrics.ActiveSessions(func(ctx context.Context) (int, error) { return a.Store.CountActiveSessions(ctx, a.Clock.Now()) })
	a.Public, a.Admin = a.routes()
	if c := a.Sessions.Cache; c != nil {
		a.Public, a.Admin = noteWrites(a.Public, c), noteWrites(a.Admin, c)
	}
	return nil
}

// mailSender picks how mail leaves: SMTP when configured; in dev mode
// without SMTP, messages stay in the database for the dev mailbox.
func (a *App) mailSender() (courier.Sender, error) {
	smtp := a.Config.Courier.SMTP
	if smtp.ConnectionURI != "" {
		return courier.NewSMTP(smtp.ConnectionURI, smtp.FromAddress, smtp.FromName)
	}
	if a.Config.Dev {
		return courier.Keep{}, nil
	}
	a.Log.Warn("courier.smtp.connection_uri is not set: recovery and verification mail is queued but not sent until it is")
	return nil, nil
}

func hasherParams(h config.Hashers) hasher.Params {
	return hasher.Params{
		Algorithm: h.Algorithm, BcryptCost: h.Bcrypt.Cost,
		Argon2: hasher.Argon2Params{
			Memory: uint32(h.Argon2.Memory / 1024), Iterations: h.Argon2.Iterations, Parallelism: h.Argon2.Parallelism,
			SaltLength: h.Argon2.SaltLength, KeyLength: h.Argon2.KeyLength,
		},
	}
}

func sameSite(v string) http.SameSite {
	switch strings.ToLower(v) {
	case "strict":
		return http.SameSiteStrictMode
	case "none":
		return http.SameSiteNoneMode
	}
	return http.SameSiteLaxMode
}

// Close waits for background work (web hooks) and releases the database.
func (a *App) Close() error {
	if a.stopCache != nil {
		a.stopCache()
	}
	a.hookRunner.Close()
	// Spans still buffered leave now, or not at all.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Tracing.Shutdown(ctx); err != nil {
		a.Log.Warn("tracing: spans not sent at shutdown", "error", err.Error())
	}
	return a.DB.Close()
}

// noteWrites tells the whoami cache about each request that changes what
// a whoami answer shows (the store notes those writes in the request's
// context: see store.NoteChange), as it once did for every request:
// before the write (the answer may leave before the handler returns) and
// again after the handler (a whoami that caught up during the request may
// have done so before the commit). A sign-in or a flow page changes
// nothing a whoami answer kept here could show, so the next whoami after
// it pays no catch-up.
func noteWrites(h http.Handler, c *whoamicache.Cache) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; r.Method == http.MethodGet && (p == "/sessions/whoami" || strings.HasPrefix(p, "/health/") || strings.HasPrefix(p, "/metrics/")) {
			h.ServeHTTP(w, r)
			return
		}
		ctx, changed := store.TrackChanges(r.Context(), c.Wrote)
		defer func() {
			if changed() {
				c.Wrote()
			}
		}()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// whoamiEntries bounds the whoami cache: about 1 KiB each, so that memory
// stays small however many sessions are active.
const whoamiEntries = 10000

// whoamiCache builds the whoami cache the database can keep honest: fed by
// notifications on PostgreSQL, by the invalidation log on SQLite, checked
// against change counters on MariaDB (see whoamicache).
func (a *App) whoamiCache(ctx context.Context) (*whoamicache.Cache, error) {
	switch a.DB.Dialect {
	case sqldb.SQLite:
		c, err := whoamicache.Polled(ctx, a.DB.SQL, a.DB.Target.DriverDSN, a.DB.Target.Path, whoamiEntries)
		if err != nil {
			return nil, err
		}
		a.stopCache = c.Close
		return c, nil
	case sqldb.Postgres:
		lctx, cancel := context.WithCancel(context.Background())
		dial := func(ctx context.Context) (whoamicache.Conn, error) {
			l, err := sqldb.Listen(ctx, a.DB.Target.DriverDSN, whoamicache.Channel)
			if err != nil {
				return nil, err
			}
			return l, nil
		}
		c, err := whoamicache.Listened(lctx, dial, a.DB.SQL, whoamiEntries, a.Log)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("whoami cache: listen to PostgreSQL notifications (session.whoami_cache: false turns the cache off): %w", err)
		}
		a.stopCache = cancel
		return c, nil
	case sqldb.MySQL:
		c, err := whoamicache.Counted(ctx, a.DB.SQL, whoamiEntries)
		if err != nil {
			return nil, err
		}
		a.stopCache = c.Close
		return c, nil
	}
	return nil, nil
}

// referenceCookieSecrets are the keys the reference signed its session
// cookie with: secrets.cookie, else secrets.default.
func referenceCookieSecrets(s config.Secrets) []string {
	if len(s.Cookie) > 0 {
		return s.Cookie
	}
	return s.Default
}
