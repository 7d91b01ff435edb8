package whoamicache

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store"
)

// Cache maps a session token's keyed hash to the whoami answer of its
// session. It is safe for concurrent use.
type Cache struct {
	mu         sync.RWMutex
	entries    map[string]entry
	byIdentity map[uuid.UUID][]string
	gen        uint64 // bumped by every invalidation; see Gen
	off        bool   // the change feed is down: nothing is served or kept
	waiters    map[uuid.UUID][]chan struct{}
	max        int

	// sync, when set, brings the cache up to date with the database
	// before an answer comes from it (SQLite's log); nil when changes are
	// pushed (PostgreSQL).
	sync func(ctx context.Context) error
	// wrote, when set, is bumped by Wrote: sync must catch up with every
	// count it has reached before the next answer from memory.
	wrote *atomic.Uint64
	// close, when set, releases what sync reads (SQLite's WAL index).
	close func()
	// check, when set, reads the change counter of a bucket, which an
	// answer's Stamp must still match for it to be served (MariaDB's
	// counters); answers without a Stamp are then not kept.
	check func(ctx context.Context, bucket int) (int64, error)
}

// Close releases the cache's own hold on the database, if any; after it,
// every answer from memory is checked against the database with a query
// first. Call it before closing the database.
func (c *Cache) Close() {
	if c.close != nil {
		c.close()
	}
}

// Wrote tells the cache that this instance just served a request that may
// have changed sessions or identities (anything but whoami itself).
func (c *Cache) Wrote() {
	if c.wrote != nil {
		c.wrote.Add(1)
	}
}

type entry struct {
	answer    *Answer
	expiresAt time.Time
	stamp     store.Stamp
}

// Answer is a whoami answer as it is sent, header values included, so
// that sending it again makes nothing. It is never changed once made.
type Answer struct {
	Body       []byte
	IdentityID uuid.UUID
	// IdentityHeader (X-Kratos-Authenticated-Identity-Id) and
	// ContentLength are header values, to be assigned and not changed.
	IdentityHeader, ContentLength []string
}

// NewAnswer makes the Answer of a session's JSON body.
func NewAnswer(body []byte, identityID uuid.UUID) *Answer {
	return &Answer{Body: body, IdentityID: identityID,
		IdentityHeader: []string{identityID.String()}, ContentLength: []string{strconv.Itoa(len(body))}}
}

// New returns an empty cache of at most max entries; when it is full it
// starts over, which costs one query per session.
func New(max int) *Cache {
	return &Cache{entries: map[string]entry{}, byIdentity: map[uuid.UUID][]string{},
		waiters: map[uuid.UUID][]chan struct{}{}, max: max}
}

// Get returns the answer kept for a token hash if its session has not
// expired at now. It first brings the cache up to date where the database
// is polled, or checks the answer's change counter; an error there is
// returned and nothing is served from memory.
func (c *Cache) Get(ctx context.Context, key string, now time.Time) (*Answer, error) {
	if c.sync != nil {
		if err := c.sync(ctx); err != nil {
			return nil, err
		}
	}
	c.mu.RLock()
	e, found := c.entries[key]
	off := c.off
	c.mu.RUnlock()
	if !found || off || !now.Before(e.expiresAt) {
		return nil, nil
	}
	if c.check != nil {
		n, err := c.check(ctx, e.stamp.Bucket)
		if err != nil {
			return nil, err
		}
		if n != e.stamp.N {
			return nil, nil // changed since: read again, and Put replaces it
		}
	}
	return e.answer, nil
}

// Stamped reports whether answers are kept only with a Stamp, which the
// caller asks the store for (store.Stamping) when it reads the session.
func (c *Cache) Stamped() bool { return c.check != nil }

// Gen is the invalidation generation. Read it before the database read
// whose answer Put keeps: Put refuses the answer if anything was
// invalidated in between, since the read may have seen the old row.
func (c *Cache) Gen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// Put keeps a whoami answer read at generation gen, under stamp when the
// cache is Stamped.
func (c *Cache) Put(gen uint64, key string, a *Answer, expiresAt time.Time, stamp store.Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off || gen != c.gen || (c.check != nil && !stamp.Set) {
		return
	}
	if old, dup := c.entries[key]; dup {
		if c.check != nil && old.answer.IdentityID == a.IdentityID {
			// Get found it stale; a token's session never changes identity.
			c.entries[key] = entry{answer: a, expiresAt: expiresAt, stamp: stamp}
		}
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
		clear(c.byIdentity)
	}
	c.entries[key] = entry{answer: a, expiresAt: expiresAt, stamp: stamp}
	c.byIdentity[a.IdentityID] = append(c.byIdentity[a.IdentityID], key)
}

// Forget drops one token's answer (this instance revoked it).
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if e, ok := c.entries[key]; ok {
		delete(c.entries, key)
		keys := c.byIdentity[e.answer.IdentityID]
		for k, v := range keys {
			if v == key {
				keys = append(keys[:k], keys[k+1:]...)
				break
			}
		}
		c.byIdentity[e.answer.IdentityID] = keys
	}
}

// Invalidate drops every answer about an identity: one of its sessions,
// its traits, addresses or credentials changed.
func (c *Cache) Invalidate(ids ...uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, id := range ids {
		for _, key := range c.byIdentity[id] {
			delete(c.entries, key)
		}
		delete(c.byIdentity, id)
		for _, ch := range c.waiters[id] {
			close(ch)
		}
		delete(c.waiters, id)
	}
}

// Flush drops every answer; with off, nothing is kept or served until
// Flush(false): the change feed is down, so memory cannot be trusted.
func (c *Cache) Flush(off bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.off = off
	clear(c.entries)
	clear(c.byIdentity)
	for id, chs := range c.waiters {
		for _, ch := range chs {
			close(ch)
		}
		delete(c.waiters, id)
	}
}

// Invalidated returns a channel closed the next time the cache processes
// a change of the identity (or drops everything). Tests wait on it, with a
// deadline, to see another instance's change arrive.
func (c *Cache) Invalidated(id uuid.UUID) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	c.waiters[id] = append(c.waiters[id], ch)
	return ch
}

// Len is the number of answers kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
