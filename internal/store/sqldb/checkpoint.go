package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"time"
)

// A file SQLite database's connections never checkpoint the WAL on their
// own (wal_autocheckpoint is 0, see dsn.go): SQLite's automatic checkpoint
// runs inside whichever commit crosses 1000 pages, with an fsync, and
// measured as 30-40 ms at p99 of a single client's sign-ins. A background
// checkpointer copies the WAL back instead.

// checkpointEvery is how often the checkpointer looks at the WAL. At a
// thousand sign-ins a second that is a few megabytes of WAL between looks.
const checkpointEvery = 200 * time.Millisecond

// walLimit is the WAL size past which a checkpoint waits for readers and
// truncates the file (TRUNCATE), rather than copying what it can without
// waiting (PASSIVE): readers that always pin some frames must not let the
// WAL grow without bound.
const walLimit = 64 << 20

// Checkpoint is what one checkpoint did, as PRAGMA wal_checkpoint reports
// it: the frames in the WAL and how many of them are in the database file
// now. Busy is true when it could not finish (a reader or another
// process's checkpoint was in the way).
type Checkpoint struct {
	Mode               string
	Busy               bool
	Frames, Backfilled int
}

// Checkpoint copies the WAL of a file SQLite database into the database
// file, on the checkpointer's own connection, so that readers and writers
// go on meanwhile. It is a
// no-op elsewhere.
func (db *DB) Checkpoint(ctx context.Context) (Checkpoint, error) {
	if db.ckpt == nil {
		return Checkpoint{}, nil
	}
	return db.ckpt.checkpoint(ctx)
}

type checkpointer struct {
	db   *sql.DB
	wal  string
	stop chan struct{}
	done chan struct{}
	once sync.Once
	mu   sync.Mutex // one checkpoint at a time; guards last*
	// last is the WAL's size and time after the last complete
	// checkpoint: while they stay, there is nothing to copy.
	lastSize int64
	lastMod  time.Time
}

func startCheckpointer(db *sql.DB, wal string, every time.Duration) *checkpointer {
	c := &checkpointer{db: db, wal: wal, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run(every)
	return c
}

func (c *checkpointer) run(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-c.stop
		cancel() // a TRUNCATE waiting for readers gives up at Close
	}()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// Errors here are another process checkpointing, or the database
		// going away; the next tick tries again.
		_, _ = c.checkpointIfGrown(ctx)
	}
}

func (c *checkpointer) checkpointIfGrown(ctx context.Context) (Checkpoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fi, err := os.Stat(c.wal); err != nil || fi.Size() == c.lastSize && fi.ModTime().Equal(c.lastMod) {
		return Checkpoint{}, nil
	}
	return c.checkpointLocked(ctx)
}

func (c *checkpointer) checkpoint(ctx context.Context) (Checkpoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkpointLocked(ctx)
}

func (c *checkpointer) checkpointLocked(ctx context.Context) (Checkpoint, error) {
	res := Checkpoint{Mode: "PASSIVE"}
	if fi, err := os.Stat(c.wal); err == nil && fi.Size() > walLimit {
		res.Mode = "TRUNCATE"
	}
	var busy int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+res.Mode+")").Scan(&busy, &res.Frames, &res.Backfilled); err != nil {
		return res, MapError(fmt.Errorf("checkpoint: %w", err))
	}
	res.Busy = busy != 0
	if !res.Busy && res.Frames == res.Backfilled {
		if fi, err := os.Stat(c.wal); err == nil {
			c.lastSize, c.lastMod = fi.Size(), fi.ModTime()
		}
	}
	return res, nil
}

func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	c.db.Close()
}
