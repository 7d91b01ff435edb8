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

// catchUpFrames is how long the WAL may get before the checkpointer
// catches up on the writer's own connection. A checkpoint on a connection
// of its own copies what was committed when it began, while the writer
// goes on appending; under steady writes it never copies the last frame,
// so the WAL never starts over at its beginning and grows (to 64 MiB every
// one to three seconds with eight clients signing in). On the writer's
// connection no write comes between, so the checkpoint completes and the
// next write starts the WAL over; most frames are already copied by then,
// so the writers wait only for the rest. 4096 frames are 16 MiB of 4 KiB
// pages.
const catchUpFrames = 4096

// walLimit bounds the WAL file: SQLite truncates it to this size when it
// starts over (journal_size_limit, set with the connection's pragmas).
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
	db   *sql.DB // the checkpointer's own connection
	w    *sql.DB // the writer's connection, for catching up
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

func startCheckpointer(db, w *sql.DB, wal string, every time.Duration) *checkpointer {
	c := &checkpointer{db: db, w: w, wal: wal, stop: make(chan struct{}), done: make(chan struct{})}
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
		cancel() // a checkpoint waiting for the writer gives up at Close
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
	res, err := walCheckpoint(ctx, c.db)
	if err == nil && res.Frames > catchUpFrames && res.Frames != res.Backfilled {
		res, err = walCheckpoint(ctx, c.w)
	}
	if err != nil {
		return res, err
	}
	if !res.Busy && res.Frames == res.Backfilled {
		if fi, err := os.Stat(c.wal); err == nil {
			c.lastSize, c.lastMod = fi.Size(), fi.ModTime()
		}
	}
	return res, nil
}

// walCheckpoint copies what it can of the WAL into the database file
// without waiting for readers or writers (PASSIVE), on one of db's
// connections.
func walCheckpoint(ctx context.Context, db *sql.DB) (Checkpoint, error) {
	res := Checkpoint{Mode: "PASSIVE"}
	var busy int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &res.Frames, &res.Backfilled); err != nil {
		return res, MapError(fmt.Errorf("checkpoint: %w", err))
	}
	res.Busy = busy != 0
	return res, nil
}

func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	c.db.Close()
}
