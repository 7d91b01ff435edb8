package whoamicache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
)

// keepLog is how many rows of session_invalidations survive a prune: an
// instance that fell further behind than that starts over.
const keepLog = 100000

// Polled returns a cache kept up to date from SQLite's session_invalidations
// table: before each answer from memory, one read of the highest sequence
// number; when it moved, the new rows name the identities to drop. Every
// instance on the database file sees every change before its next answer.
// With the database file's path (not for an in-memory database), the read
// is skipped while the WAL index says nothing was committed since the last
// one (see walHeader): then an answer from memory costs no query at all.
// dsn, the driver's DSN of the database, opens the connection that keeps
// the WAL index in place meanwhile (holdWALIndex). Close the cache before
// the database.
func Polled(ctx context.Context, db *sql.DB, dsn, path string, max int) (*Cache, error) {
	p := &poller{db: db}
	if path != "" {
		p.wal = newWALHeader(path)
		if hold, err := holdWALIndex(ctx, db.Driver(), dsn); err == nil {
			if p.wal.pin() {
				p.hold = hold
			} else {
				hold.Close()
			}
		}
	}
	var err error
	if p.maxStmt, err = db.PrepareContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM session_invalidations`); err != nil {
		return nil, err
	}
	if err := p.maxStmt.QueryRowContext(ctx).Scan(&p.seen); err != nil {
		return nil, err
	}
	c := New(max)
	p.c = c
	c.sync = p.sync
	c.close = p.close
	return c, nil
}

// holdWALIndex opens a connection of the cache's own, outside the pool
// (which may close all of its connections when idle), and reads through it
// once. From then until it is closed SQLite neither deletes the WAL index
// nor truncates it: in WAL mode a connection that has read keeps a shared
// lock on the database, so no other process's last connection can take
// the exclusive lock under which it would delete the file, this process's
// WAL index stays open, and a shared lock on the index keeps any opener
// from resetting it.
func holdWALIndex(ctx context.Context, drv driver.Driver, dsn string) (driver.Conn, error) {
	conn, err := drv.Open(dsn)
	if err != nil {
		return nil, err
	}
	q, ok := conn.(driver.QueryerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("whoami cache: the driver's connection cannot query")
	}
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM session_invalidations`, nil)
	if err == nil {
		err = rows.Next(make([]driver.Value, 1))
		rows.Close()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (p *poller) close() {
	if p.wal != nil {
		p.wal.close()
	}
	if p.hold != nil {
		p.hold.Close()
	}
}

type poller struct {
	db      *sql.DB
	wal     *walHeader
	hold    driver.Conn              // keeps wal's file in place; nil when wal is not pinned
	seenHdr atomic.Pointer[[48]byte] // the WAL index header before the last read
	c       *Cache
	maxStmt *sql.Stmt
	mu      sync.Mutex // one catch-up at a time
	seen    int64      // the highest sequence number applied
	applied int        // rows applied since the last prune
}

func (p *poller) sync(ctx context.Context) error {
	var buf [48]byte
	var hdr []byte
	if p.wal != nil {
		if hdr = p.wal.read(buf[:0]); hdr != nil {
			if seen := p.seenHdr.Load(); seen != nil && sameHeader(hdr, seen[:]) {
				return nil
			}
		}
	}
	if err := p.catchUp(ctx); err != nil {
		return err
	}
	if hdr != nil {
		// Read before the query, so that a commit during it shows as a
		// change next time.
		seen := buf
		p.seenHdr.Store(&seen)
	}
	return nil
}

func (p *poller) catchUp(ctx context.Context) error {
	var top int64
	if err := p.maxStmt.QueryRowContext(ctx).Scan(&top); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if top <= p.seen {
		return nil
	}
	rows, err := p.db.QueryContext(ctx, `SELECT seq, identity_id FROM session_invalidations WHERE seq > ? AND seq <= ? ORDER BY seq`, p.seen, top)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			return err
		}
		if u, err := uuid.Parse(id); err == nil {
			ids = append(ids, u)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if int64(len(ids)) < top-p.seen {
		// Rows were pruned before this instance read them.
		p.c.Flush(false)
	} else {
		p.c.Invalidate(ids...)
	}
	p.seen = top
	if p.applied += len(ids); p.applied > keepLog/10 {
		p.applied = 0
		if _, err := p.db.ExecContext(ctx, `DELETE FROM session_invalidations WHERE seq <= ?`, top-keepLog); err != nil {
			return err
		}
	}
	return nil
}
