package whoamicache

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Channel is the PostgreSQL notification channel the triggers of
// migration 00006 notify with an identity's id.
const Channel = "latchkey_sessions"

// syncTimeout bounds the wait for this instance's own marker; past it the
// answer comes from the database.
const syncTimeout = 5 * time.Second

// Conn is a connection of its own that LISTENs on Channel. The driver's
// side (sqldb.Listen) is wired in internal/app, so that this package, and
// every package that imports session, links no database driver.
type Conn interface {
	// Wait returns the payload of the next notification.
	Wait(ctx context.Context) (string, error)
	Ping(ctx context.Context) error
	Close()
}

// Dial opens a listening Conn; Listened dials again when one is lost.
type Dial func(ctx context.Context) (Conn, error)

// Listened returns a cache kept up to date by PostgreSQL notifications on
// a connection of its own (from dial), until ctx ends. It is
// listening when Listened returns. If the connection drops, the cache is
// emptied and serves nothing until it listens again, since notifications
// sent meanwhile are lost.
//
// Notifications arrive a moment after the commit that sent them, which is
// soon enough for another instance but not for this one: a client that
// signs out here and asks whoami here next must not get the old answer.
// So after this instance served anything that may have written (Wrote),
// the next answer from memory first sends a marker notification through
// db and waits for it to come back on the listening connection:
// PostgreSQL delivers notifications in commit order, so every change
// committed before the marker has been applied by then.
func Listened(ctx context.Context, dial Dial, db *sql.DB, max int, log *slog.Logger) (*Cache, error) {
	c := New(max)
	var b [8]byte
	_, _ = rand.Read(b[:])
	l := &listener{c: c, db: db, prefix: "sync:" + hex.EncodeToString(b[:]) + ":", waiting: map[string]chan struct{}{}}
	c.sync, c.wrote = l.sync, &l.written
	conn, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			err := l.receive(ctx, conn)
			conn.Close()
			if ctx.Err() != nil {
				return
			}
			c.Flush(true)
			log.Warn("whoami cache: lost the PostgreSQL notification connection; answering from the database until it is back", "error", err)
			for conn = nil; conn == nil; {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				conn, _ = dial(ctx)
			}
			c.Flush(false)
			log.Info("whoami cache: listening to PostgreSQL again")
		}
	}()
	return c, nil
}

type listener struct {
	c      *Cache
	db     *sql.DB
	prefix string // of this instance's markers
	// written counts Wrote calls; synced is the count the last marker that
	// came back was sent after. An answer from memory waits until synced
	// reaches the count it saw: a marker already in flight may have been
	// sent before a write that this answer must reflect.
	written, synced atomic.Uint64

	syncMu  sync.Mutex // one marker in flight
	n       int
	mu      sync.Mutex
	waiting map[string]chan struct{}
}

// liveness is how long the listening connection may stay quiet before
// it is pinged: a database that vanished without closing the connection
// (a partition) must not leave the cache trusted for long.
const liveness = time.Second

func (l *listener) receive(ctx context.Context, conn Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, liveness)
		payload, err := conn.Wait(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			pctx, cancel := context.WithTimeout(ctx, liveness)
			err = conn.Ping(pctx)
			cancel()
			if err == nil {
				continue
			}
		}
		if err != nil {
			return err
		}
		switch id, err := uuid.Parse(payload); {
		case err == nil:
			l.c.Invalidate(id)
		case strings.HasPrefix(payload, l.prefix):
			l.mu.Lock()
			if ch, ok := l.waiting[payload]; ok {
				close(ch)
				delete(l.waiting, payload)
			}
			l.mu.Unlock()
		case strings.HasPrefix(payload, "sync:"):
			// Another instance's marker.
		default:
			l.c.Flush(false)
		}
	}
}

// sync waits until every change committed before now has been applied,
// when this instance may have written since the last marker came back.
func (l *listener) sync(ctx context.Context) error {
	w := l.written.Load()
	if l.synced.Load() >= w {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.synced.Load() >= w {
		return nil // a marker sent after the write came back meanwhile
	}
	covers := l.written.Load()
	l.n++
	marker := l.prefix + strconv.Itoa(l.n)
	back := make(chan struct{})
	l.mu.Lock()
	l.waiting[marker] = back
	l.mu.Unlock()
	fail := func(err error) error {
		l.mu.Lock()
		delete(l.waiting, marker)
		l.mu.Unlock()
		return err
	}
	if _, err := l.db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, Channel, marker); err != nil {
		return fail(err)
	}
	t := time.NewTimer(syncTimeout)
	defer t.Stop()
	select {
	case <-back:
		l.synced.Store(covers)
		return nil
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-t.C:
		return fail(errors.New("whoami cache: PostgreSQL did not return this instance's marker notification"))
	}
}
