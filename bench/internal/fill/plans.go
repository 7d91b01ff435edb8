package fill

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session/whoamicache"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Plan is the database's plan of one statement the store ran.
type Plan struct {
	Op    string // the store call that ran it
	Query string
	Plan  []string
	Scan  bool // the plan reads a whole table or index
}

// Plans runs the server's hot store calls once on a filled database (see
// the list below) through a recording pool, and asks the database for
// the plan of every statement they ran (SQLite EXPLAIN QUERY PLAN,
// PostgreSQL EXPLAIN ANALYZE for reads and EXPLAIN for writes, MariaDB
// EXPLAIN), marking those that scan a filled table (see scanPostgres). It writes a flow, a message and
// throttle counters, and revokes one filled session: run it on a
// database made for it.
func Plans(ctx context.Context, dsn string) ([]Plan, error) {
	target, err := sqldb.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	db, err := sqldb.OpenTarget(ctx, target, rec.opener)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	plain, err := sqldb.OpenTarget(ctx, target)
	if err != nil {
		return nil, err
	}
	defer plain.Close()

	// A filled identity from the middle of the table, its session's hash.
	var idStr, email, hash string
	err = plain.SQL.QueryRowContext(ctx, plain.Q(`SELECT s.identity_id, ci.identifier, s.token_hash FROM sessions s
JOIN identity_credential_identifiers ci ON ci.identity_id = s.identity_id WHERE ci.identifier = ?`), "fill-000000000@example.com").Scan(&idStr, &email, &hash)
	if err != nil {
		return nil, fmt.Errorf("plans: the database holds no fill: %w", err)
	}
	var n int
	if err := plain.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM identities`).Scan(&n); err != nil {
		return nil, err
	}
	if err := plain.SQL.QueryRowContext(ctx, plain.Q(`SELECT s.identity_id, ci.identifier, s.token_hash FROM sessions s
JOIN identity_credential_identifiers ci ON ci.identity_id = s.identity_id WHERE ci.identifier = ?`), fmt.Sprintf("fill-%09d@example.com", n/2)).Scan(&idStr, &email, &hash); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	id := uuid.MustParse(idStr)
	var clk clock.Clock
	st := sqlstore.New(db, clk)
	now := clk.Now()
	yes := true
	f := &flow.Flow{ID: uuid.New(), Kind: flow.Login, Type: flow.API, State: "choose_method", CSRFToken: "x",
		RequestURL: "http://127.0.0.1/self-service/login/api", Internal: []byte("{}"), IssuedAt: now, ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	msg := &courier.Message{ID: uuid.New(), Status: courier.StatusQueued, Recipient: email, Subject: "s", Body: "b",
		TemplateType: "verification_valid", NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	tkeys := []string{"address:127.0.0.1", "identifier:" + email}
	ends := []time.Time{now.Add(time.Hour), now.Add(time.Hour)}
	steps := []struct {
		op string
		fn func() error
	}{
		{"whoami (SessionByTokenHash)", func() error { _, err := st.SessionByTokenHash(ctx, []string{hash}); return err }},
		{"login by identifier (IdentityByIdentifier)", func() error {
			_, _, err := st.IdentityByIdentifier(ctx, identity.CredentialPassword, []string{email})
			return err
		}},
		{"flow create", func() error { return st.CreateFlow(ctx, f) }},
		{"flow load", func() error { _, err := st.Flow(ctx, flow.Login, f.ID); return err }},
		{"flow update", func() error { return st.UpdateFlow(ctx, f) }},
		{"throttle reserve", func() error { _, err := st.ReserveAttempts(ctx, now, tkeys, ends); return err }},
		{"throttle release", func() error {
			return st.ReleaseAttempts(ctx, now, []throttle.Release{{Key: tkeys[0], WindowEnd: ends[0], Reset: true}, {Key: tkeys[1], WindowEnd: ends[1]}})
		}},
		{"throttle expiry", func() error { return st.DeleteExpiredAttempts(ctx, now) }},
		{"identity by id", func() error { _, err := st.Identity(ctx, id); return err }},
		{"credential configs (AAL)", func() error {
			_, err := st.CredentialConfigs(ctx, id, []identity.CredentialType{identity.CredentialPassword, "totp"})
			return err
		}},
		{"session list of an identity", func() error {
			_, _, err := st.ListIdentitySessions(ctx, id, &yes, uuid.Nil, now, 0, 50)
			return err
		}},
		{"admin identity list, first page", func() error { _, _, err := st.ListIdentities(ctx, 0, 50); return err }},
		{"admin identity list, middle page", func() error { _, _, err := st.ListIdentities(ctx, n/2, 50); return err }},
		{"active sessions gauge", func() error { _, err := st.CountActiveSessions(ctx, now); return err }},
		{"courier enqueue", func() error { return st.EnqueueMessage(ctx, msg) }},
		{"courier claim", func() error { _, err := st.ClaimMessages(ctx, now, now.Add(time.Minute), 10); return err }},
		{"courier sent", func() error { return st.MarkSent(ctx, msg.ID, now, false) }},
		{"courier queue stats", func() error { _, _, err := st.QueueStats(ctx); return err }},
		{"revoke other sessions", func() error { _, err := st.RevokeOtherSessions(ctx, id, uuid.Nil, now); return err }},
		{"revoke by token (logout)", func() error { return st.RevokeSessionByTokenHash(ctx, []string{hash}) }},
	}
	if target.Dialect == sqldb.SQLite {
		steps = append(steps, struct {
			op string
			fn func() error
		}{"whoami log (SQLite)", func() error { _, err := whoamicache.Polled(ctx, db.SQL, "", "", 10); return err }})
	}
	var out []Plan
	seen := map[string]bool{}
	for _, s := range steps {
		rec.mu.Lock()
		rec.calls, rec.queries = nil, nil
		rec.mu.Unlock()
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("plans: %s: %w", s.op, err)
		}
		rec.mu.Lock()
		calls := append(rec.queries, rec.calls...)
		rec.mu.Unlock()
		for _, c := range calls {
			if isInsert.MatchString(c.query) || seen[c.query] {
				continue
			}
			seen[c.query] = true
			p, err := explain(ctx, plain, c)
			if err != nil {
				return nil, fmt.Errorf("plans: %s: %q: %w", s.op, c.query, err)
			}
			p.Op = s.op
			out = append(out, p)
		}
	}
	return out, nil
}

var (
	isInsert = regexp.MustCompile(`(?is)^\s*INSERT\b(?:.*)VALUES\s*\([^()]*\)\s*$`)
	isRead   = regexp.MustCompile(`(?is)^\s*SELECT\b`)
	// What a plan line says when it reads a table or an index whole.
	scanSQLite = regexp.MustCompile(`\bSCAN\b`)
	// On the server databases only the filled tables count: the planner
	// rightly reads a table of a few rows (flows, counters, messages,
	// which the fill leaves as they are) whole instead of its index.
	scanPostgres = regexp.MustCompile(`Seq Scan on (identities|identity_\w+|sessions)\b`)
	scanMySQL    = regexp.MustCompile(`table=(identities|identity_\w+|sessions) type=(ALL|index) `)
)

func explain(ctx context.Context, db *sqldb.DB, c call) (Plan, error) {
	args := make([]any, len(c.args))
	for k, a := range c.args {
		args[k] = a.Value
	}
	p := Plan{Query: strings.Join(strings.Fields(c.query), " ")}
	var q string
	switch db.Dialect {
	case sqldb.SQLite:
		q = "EXPLAIN QUERY PLAN " + c.query
	case sqldb.Postgres:
		q = "EXPLAIN " + c.query
		if isRead.MatchString(c.query) && !strings.Contains(c.query, "FOR UPDATE") {
			q = "EXPLAIN (ANALYZE, BUFFERS) " + c.query
		}
	default:
		q = "EXPLAIN " + c.query
	}
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return p, err
		}
		var line []string
		for k, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if v == nil {
				continue
			}
			if db.Dialect == sqldb.SQLite && cols[k] != "detail" {
				continue
			}
			if db.Dialect == sqldb.MySQL {
				line = append(line, fmt.Sprintf("%s=%v", cols[k], v))
			} else {
				line = append(line, fmt.Sprint(v))
			}
		}
		l := strings.Join(line, " ")
		p.Plan = append(p.Plan, l)
		switch db.Dialect {
		case sqldb.SQLite:
			// A VALUES list is the statement's own rows, not a table.
			p.Scan = p.Scan || scanSQLite.MatchString(l) && !strings.Contains(l, "CONSTANT ROW") && !strings.Contains(l, "VALUES CLAUSE")
		case sqldb.Postgres:
			p.Scan = p.Scan || scanPostgres.MatchString(l)
		default:
			p.Scan = p.Scan || scanMySQL.MatchString(l)
		}
	}
	return p, rows.Err()
}

// PrintPlans writes plans, scans first marked.
func PrintPlans(w io.Writer, ps []Plan) (scans int) {
	for _, p := range ps {
		mark := "ok  "
		if p.Scan {
			mark = "SCAN"
			scans++
		}
		fmt.Fprintf(w, "%s %s\n     %s\n", mark, p.Op, p.Query)
		for _, l := range p.Plan {
			fmt.Fprintf(w, "       %s\n", l)
		}
	}
	return scans
}
