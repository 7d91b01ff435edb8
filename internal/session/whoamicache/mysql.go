package whoamicache

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// Counted returns a cache checked against MariaDB's change counters
// (table whoami_changes, migration 00007): an answer is kept with the
// counter of its identity's bucket as read with the session (a Stamp),
// and served again only after a read of that counter, sent after the
// request arrived, shows it unchanged. Every write that can change an
// answer bumps it in its own transaction, on whichever instance, so a
// revocation committed anywhere refuses the very next request: the read
// that follows it sees its commit. MariaDB has neither notifications nor
// a log a poller can read without skipping rows (auto-increment ids are
// taken at insert, not at commit); a counter needs neither. Close the
// cache before the database.
func Counted(ctx context.Context, db *sql.DB, max int) (*Cache, error) {
	st, err := db.PrepareContext(ctx, `SELECT n FROM whoami_changes WHERE bucket = ?`)
	if err != nil {
		return nil, err
	}
	r := &counterReader{db: db, one: st}
	c := New(max)
	c.check = r.read
	c.close = func() { st.Close() }
	return c, nil
}

// maxReads is how many counter reads may be in flight at once. A check
// that finds them all busy joins the next batch, which is sent as soon as
// one of them returns and reads every bucket its checks asked for in one
// query: under load most of a check's cost is the round trip itself (the
// write and read system calls, and MariaDB's own work per statement), so
// a batch of many checks costs about what one does.
const maxReads = 2

// counterReader reads bucket counters, one at a time while few are in
// flight, in batches when more are asked for.
type counterReader struct {
	db  *sql.DB
	one *sql.Stmt

	mu       sync.Mutex
	inFlight int
	next     *batch // collecting checks, not sent yet
}

type batch struct {
	buckets []int
	done    chan struct{}
	n       map[int]int64 // once done
	err     error
}

func (r *counterReader) read(ctx context.Context, bucket int) (int64, error) {
	r.mu.Lock()
	if r.inFlight < maxReads && r.next == nil {
		r.inFlight++
		r.mu.Unlock()
		var n int64
		err := r.one.QueryRowContext(ctx, bucket).Scan(&n)
		r.done()
		return n, err
	}
	// Every read in flight may have been sent before this request came:
	// wait for one sent after it.
	b := r.next
	if b == nil {
		b = &batch{done: make(chan struct{})}
		r.next = b
	}
	b.buckets = append(b.buckets, bucket)
	r.mu.Unlock()
	select {
	case <-b.done:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if b.err != nil {
		return 0, b.err
	}
	n, ok := b.n[bucket]
	if !ok {
		return 0, sql.ErrNoRows
	}
	return n, nil
}

// done ends a read: the next batch, if any, takes its place.
func (r *counterReader) done() {
	r.mu.Lock()
	b := r.next
	if b == nil {
		r.inFlight--
		r.mu.Unlock()
		return
	}
	r.next = nil
	r.mu.Unlock()
	go r.send(b)
}

// send reads a batch's buckets in one query. It does not end with the
// request that made the batch: the checks waiting on it may outlive it.
func (r *counterReader) send(b *batch) {
	defer r.done()
	defer close(b.done)
	var q strings.Builder
	q.WriteString(`SELECT bucket, n FROM whoami_changes WHERE bucket IN (`)
	seen := make(map[int]bool, len(b.buckets))
	for _, k := range b.buckets {
		if seen[k] {
			continue
		}
		if len(seen) > 0 {
			q.WriteByte(',')
		}
		seen[k] = true
		q.WriteString(strconv.Itoa(k)) // an int: nothing to escape
	}
	q.WriteByte(')')
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	defer cancel()
	rows, err := r.db.QueryContext(ctx, q.String())
	if err != nil {
		b.err = err
		return
	}
	defer rows.Close()
	b.n = make(map[int]int64, len(seen))
	for rows.Next() {
		var k int
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			b.err = err
			return
		}
		b.n[k] = n
	}
	b.err = rows.Err()
}
