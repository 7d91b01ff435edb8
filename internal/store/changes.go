package store

import (
	"context"
	"sync/atomic"
)

// The whoami cache (internal/session/whoamicache) must reflect an
// instance's own writes in that instance's next answer, which on
// PostgreSQL costs a marker round trip before it. Only writes that can
// change a whoami answer need one: a session revoked, extended or stepped
// up, an identity's traits, addresses or credentials written, an identity
// deleted. Creating a session cannot (no trigger fires, nothing is kept
// about it yet): the store notes the others in the request's context, so
// a sign-in or a flow page costs the next whoami no marker.

type changeKey struct{}

type changes struct {
	on   func()
	seen atomic.Bool
}

// TrackChanges returns a context in which NoteChange calls on (before the
// write it notes), and a function that reports whether it was called.
func TrackChanges(ctx context.Context, on func()) (context.Context, func() bool) {
	c := &changes{on: on}
	return context.WithValue(ctx, changeKey{}, c), c.seen.Load
}

// NoteChange records that a write which can change a whoami answer is
// about to be made under ctx. Without TrackChanges it does nothing: the
// change still reaches every instance's cache through the database
// (triggers), a moment after its commit.
func NoteChange(ctx context.Context) {
	if c, ok := ctx.Value(changeKey{}).(*changes); ok {
		c.seen.Store(true)
		c.on()
	}
}

// A Stamp is what the whoami cache on MariaDB keeps beside an answer: the
// change counter of the identity's bucket (table whoami_changes), read in
// the same statement, hence the same snapshot, as the session. Every
// write that can change the answer adds one to that counter in its own
// transaction, so while the counter still reads N the answer is current.
type Stamp struct {
	Bucket int
	N      int64
	Set    bool // the store read one (MariaDB only)
}

type stampKey struct{}

// Stamping returns a context in which a session read by token hash also
// records, on MariaDB, the change counter it was read under.
func Stamping(ctx context.Context) (context.Context, *Stamp) {
	s := &Stamp{}
	return context.WithValue(ctx, stampKey{}, s), s
}

// StampOf is the Stamp a Stamping context asks to be filled, or nil.
func StampOf(ctx context.Context) *Stamp {
	s, _ := ctx.Value(stampKey{}).(*Stamp)
	return s
}
