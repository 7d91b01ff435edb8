package fill

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/token"
)

// txRows is how many identities one transaction writes: large enough that
// commits are rare, small enough that SQLite's WAL and the server
// databases' undo stay modest.
var txRows = 20000 // a variable for the tests

// maxParams bounds the bind parameters of one multi-row INSERT, under every
// dialect's limit (SQLite 32766, PostgreSQL and MariaDB 65535).
const maxParams = 30000

// The values of the template that differ per identity.
const (
	keyEmail = iota
	keyHash
	keyUUID // keyUUID+n: the template's nth distinct UUID
)

// piece is a literal run of an argument or one per-identity value.
type piece struct {
	lit string
	key int // -1: lit
}

// arg is one bind value of a template statement: a constant, or a string
// (or []byte) put together from pieces.
type arg struct {
	constant driver.Value
	pieces   []piece // nil for a constant
	bytes    bool
}

// insert is one INSERT the store executed for the template.
type insert struct {
	head  string // "INSERT INTO t (cols) VALUES", '?' form
	tuple string // "(?, ?, ...)"
	args  []arg
}

type tmpl struct {
	dialect sqldb.Dialect
	inserts []insert
	uuids   int
}

var (
	uuidRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	pgParam  = regexp.MustCompile(`\$[0-9]+`)
	insertRE = regexp.MustCompile(`(?is)^\s*(INSERT\s+INTO\s+\w+\s*\([^)]*\)\s*VALUES)\s*(\([^()]*\))\s*$`)
)

// compile turns the recorded statements into templates. Every statement
// must be a one-row INSERT ... VALUES (...): anything else (an upsert, an
// UPDATE) is an error, so a change in what the store writes cannot be
// silently left out of the fill.
func compile(calls []call, d sqldb.Dialect, email, hash string) (*tmpl, error) {
	t := &tmpl{dialect: d}
	uuids := map[string]int{}
	split := func(s string) []piece {
		var out []piece
		for len(s) > 0 {
			at, n, key := len(s), 0, -1
			for k, v := range map[int]string{keyEmail: email, keyHash: hash} {
				if i := strings.Index(s, v); i >= 0 && i < at {
					at, n, key = i, len(v), k
				}
			}
			if loc := uuidRE.FindStringIndex(s); loc != nil && loc[0] < at {
				u := s[loc[0]:loc[1]]
				if _, ok := uuids[u]; !ok {
					uuids[u] = len(uuids)
				}
				at, n, key = loc[0], loc[1]-loc[0], keyUUID+uuids[u]
			}
			if at > 0 {
				out = append(out, piece{lit: s[:at], key: -1})
			}
			if key < 0 {
				break
			}
			out = append(out, piece{key: key})
			s = s[at+n:]
		}
		return out
	}
	for _, c := range calls {
		q := c.query
		if d == sqldb.Postgres {
			q = pgParam.ReplaceAllString(q, "?")
		}
		m := insertRE.FindStringSubmatch(q)
		if m == nil || strings.Count(m[2], "?") != len(c.args) {
			return nil, fmt.Errorf("fill: the store executed %q, which is not a one-row INSERT the fill can repeat", c.query)
		}
		ins := insert{head: m[1], tuple: m[2]}
		for _, a := range c.args {
			switch v := a.Value.(type) {
			case string:
				ins.args = append(ins.args, arg{pieces: split(v)})
			case []byte:
				ins.args = append(ins.args, arg{pieces: split(string(v)), bytes: true})
			default:
				ins.args = append(ins.args, arg{constant: v})
			}
		}
		t.inserts = append(t.inserts, ins)
	}
	t.uuids = len(uuids)
	if len(t.inserts) == 0 {
		return nil, fmt.Errorf("fill: the store wrote nothing for the template")
	}
	return t, nil
}

// chunk is the bind values of identities [from, to), per insert.
type chunk struct {
	from, to int
	args     [][]any // per insert: rows × its args, flat
	samples  []sampleAt
}

type sampleAt struct {
	k int
	Sample
}

// build makes the values of identities [from, to).
func (t *tmpl) build(from, to int, emailFmt string, h *token.Hasher) *chunk {
	c := &chunk{from: from, to: to, args: make([][]any, len(t.inserts))}
	for k := range t.inserts {
		c.args[k] = make([]any, 0, (to-from)*len(t.inserts[k].args))
	}
	vals := make([]string, keyUUID+t.uuids)
	var b strings.Builder
	for n := from; n < to; n++ {
		tok := token.New()
		vals[keyEmail] = fmt.Sprintf(emailFmt, n)
		vals[keyHash] = h.Hash(token.Session, tok)
		for u := range t.uuids {
			vals[keyUUID+u] = uuid.NewString()
		}
		c.samples = append(c.samples, sampleAt{k: n, Sample: Sample{IdentityID: uuid.MustParse(vals[keyUUID]), Email: vals[keyEmail], Token: tok}})
		for k, ins := range t.inserts {
			for _, a := range ins.args {
				if a.pieces == nil {
					c.args[k] = append(c.args[k], a.constant)
					continue
				}
				b.Reset()
				for _, p := range a.pieces {
					if p.key < 0 {
						b.WriteString(p.lit)
					} else {
						b.WriteString(vals[p.key])
					}
				}
				if a.bytes {
					c.args[k] = append(c.args[k], []byte(b.String()))
				} else {
					c.args[k] = append(c.args[k], b.String())
				}
			}
		}
	}
	return c
}

// writer writes chunks with multi-row INSERTs prepared once.
type writer struct {
	db    *sqldb.DB
	t     *tmpl
	per   []int       // rows per multi-row INSERT, per insert
	stmts []*sql.Stmt // the full-size statement, per insert
}

func newWriter(ctx context.Context, db *sqldb.DB, t *tmpl) (*writer, error) {
	w := &writer{db: db, t: t}
	// One connection, so that SQLite's settings below hold for all writes
	// (on SQLite the writers' pool W is one connection already).
	db.W.SetMaxOpenConns(1)
	if db.Dialect == sqldb.SQLite {
		// A page cache that holds the indexes being filled: their keys are
		// random UUIDs and hashes, so with the default 2 MiB nearly every
		// insert reads a page back from the file. A setting of this
		// connection only; the schema is untouched.
		if _, err := db.W.ExecContext(ctx, "PRAGMA cache_size = -1048576"); err != nil {
			return nil, err
		}
	}
	for _, ins := range t.inserts {
		n := max(1, min(txRows, maxParams/len(ins.args)))
		st, err := db.W.PrepareContext(ctx, w.query(ins, n))
		if err != nil {
			w.close()
			return nil, err
		}
		w.per = append(w.per, n)
		w.stmts = append(w.stmts, st)
	}
	return w, nil
}

func (w *writer) query(ins insert, rows int) string {
	return w.db.Q(ins.head + " " + strings.TrimSuffix(strings.Repeat(ins.tuple+", ", rows), ", "))
}

func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// write inserts one chunk in one transaction, insert by insert, so that
// every row's parents are written before it.
func (w *writer) write(ctx context.Context, c *chunk) error {
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		for k, ins := range w.t.inserts {
			cols := len(ins.args)
			args := c.args[k]
			for len(args) > 0 {
				rows := min(w.per[k], len(args)/cols)
				var err error
				if rows == w.per[k] {
					_, err = tx.StmtContext(ctx, w.stmts[k]).ExecContext(ctx, args[:rows*cols]...)
				} else {
					_, err = tx.ExecContext(ctx, w.query(ins, rows), args[:rows*cols]...)
				}
				if err != nil {
					return fmt.Errorf("%s: %w", ins.head, err)
				}
				args = args[rows*cols:]
			}
		}
		return nil
	})
}
