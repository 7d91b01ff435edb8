package throttle

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"time"
)

// Rule limits the attempts counted under one key.
type Rule struct {
	// Free attempts in a window pass without delay.
	Free int
	// Limit is the most attempts a window lets through; later ones are
	// refused until the window ends.
	Limit int
	// Window is how long counts are kept, from the first attempt.
	Window time.Duration
	// Delay is the wait before the first attempt past Free; it doubles for
	// each one after, counted from the start of the window.
	Delay time.Duration
}

// Key is one counter an attempt touches and the rule for it.
type Key struct {
	Name string
	Rule Rule
	// ResetOnSuccess zeroes the counter when the attempt succeeds (the
	// identifier seen from this address); other keys only give the
	// attempt back.
	ResetOnSuccess bool
}

// Counter is a key's count after a reservation.
type Counter struct {
	Key       string
	Hits      int
	WindowEnd time.Time
}

// Release gives one reserved attempt back (or zeroes the counter) in the
// window it was reserved in; a counter whose window has since restarted is
// left alone.
type Release struct {
	Key       string
	WindowEnd time.Time
	Reset     bool
}

// Store keeps the counters. ReserveAttempts increments every key
// atomically (starting a new window with windowEnds[i] where the old one
// has ended by now) and returns each key's count and window end.
type Store interface {
	ReserveAttempts(ctx context.Context, now time.Time, keys []string, windowEnds []time.Time) ([]Counter, error)
	ReleaseAttempts(ctx context.Context, now time.Time, releases []Release) error
	// DeleteExpiredAttempts removes counters whose window has ended.
	DeleteExpiredAttempts(ctx context.Context, now time.Time) error
}

// sweepEvery is how many reservations pass between deletions of ended
// windows: often enough to keep the table small, rare enough to cost
// nothing per attempt.
const sweepEvery = 512

// Limiter reserves attempts. A nil *Limiter lets everything through.
type Limiter struct {
	Store  Store
	Secret []byte
	Now    func() time.Time
	// OnRefused, when set, is told of every refused attempt (metrics).
	OnRefused func(kind string)

	calls atomic.Uint64
}

// Name is a counter name: kind plus a keyed hash of the parts, so the table
// holds no identifiers or addresses, and an unkeyed guess of one (hash
// every known email) cannot find its row.
func (l *Limiter) Name(kind string, parts ...string) string {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte(kind))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return kind + ":" + hex.EncodeToString(m.Sum(nil)[:20])
}

// Refused is the error of a throttled attempt.
type Refused struct {
	// Wait is how long until an attempt from this client may pass.
	Wait time.Duration
	Kind string
}

func (e *Refused) Error() string { return fmt.Sprintf("too many attempts; retry in %s", e.Wait) }

// Seconds is the wait in whole seconds, rounded up, at least 1.
func (e *Refused) Seconds() int {
	s := int((e.Wait + time.Second - 1) / time.Second)
	return max(s, 1)
}

// IsRefused returns the refusal inside err, if any.
func IsRefused(err error) (*Refused, bool) {
	var r *Refused
	ok := errors.As(err, &r)
	return r, ok
}

// Reservation is a let-through attempt; tell it how the attempt ended.
type Reservation struct {
	l        *Limiter
	keys     []Key
	counters []Counter
}

// Reserve counts one attempt under every key. When any key refuses it, the
// attempt is given back and a *Refused names the longest wait.
func (l *Limiter) Reserve(ctx context.Context, kind string, keys ...Key) (*Reservation, error) {
	if l == nil || len(keys) == 0 {
		return nil, nil
	}
	keys = append([]Key(nil), keys...)
	// One lock order for every caller: no deadlock between two attempts
	// that touch the same keys.
	sort.Slice(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	now := l.Now()
	names := make([]string, len(keys))
	ends := make([]time.Time, len(keys))
	for i, k := range keys {
		names[i], ends[i] = k.Name, now.Add(k.Rule.Window)
	}
	if l.calls.Add(1)%sweepEvery == 0 {
		if err := l.Store.DeleteExpiredAttempts(ctx, now); err != nil {
			return nil, err
		}
	}
	counters, err := l.Store.ReserveAttempts(ctx, now, names, ends)
	if err != nil {
		return nil, err
	}
	if len(counters) != len(keys) {
		return nil, fmt.Errorf("throttle: %d counters for %d keys", len(counters), len(keys))
	}
	r := &Reservation{l: l, keys: keys, counters: counters}
	var wait time.Duration
	for i, k := range keys {
		wait = max(wait, k.Rule.wait(counters[i], now))
	}
	if wait <= 0 {
		return r, nil
	}
	if err := r.release(ctx, false); err != nil {
		return nil, err
	}
	if l.OnRefused != nil {
		l.OnRefused(kind)
	}
	return nil, &Refused{Wait: wait, Kind: kind}
}

// wait is how long the attempt counted in c must wait; 0 lets it through.
func (r Rule) wait(c Counter, now time.Time) time.Duration {
	if c.Hits > r.Limit {
		return c.WindowEnd.Sub(now)
	}
	past := c.Hits - r.Free
	if past <= 0 || r.Delay <= 0 {
		return 0
	}
	start := c.WindowEnd.Add(-r.Window)
	// Attempt Free+k may start Delay·(2^k − 1) into the window.
	offset := r.Window
	if past < 40 {
		offset = min(offset, r.Delay*time.Duration((int64(1)<<past)-1))
	}
	return start.Add(offset).Sub(now)
}

// Succeeded ends a reservation whose attempt succeeded: counters that
// reset on success are zeroed, the others get the attempt back, so only
// failures stay counted. Nil-safe.
func (r *Reservation) Succeeded(ctx context.Context) error {
	if r == nil {
		return nil
	}
	return r.release(ctx, true)
}

func (r *Reservation) release(ctx context.Context, success bool) error {
	rel := make([]Release, len(r.keys))
	for i, k := range r.keys {
		rel[i] = Release{Key: k.Name, WindowEnd: r.counters[i].WindowEnd, Reset: success && k.ResetOnSuccess}
	}
	return r.l.Store.ReleaseAttempts(ctx, r.l.Now(), rel)
}

// Hits is the count a key had after this reservation (for the "under
// attack" rule); 0 when the key is not part of it.
func (r *Reservation) Hits(name string) int {
	if r == nil {
		return 0
	}
	for i, k := range r.keys {
		if k.Name == name {
			return r.counters[i].Hits
		}
	}
	return 0
}

// Refuse gives a let-through attempt back and refuses it after all, for a
// rule the caller decides (the account under attack); the wait runs to the
// end of the named key's window.
func (r *Reservation) Refuse(ctx context.Context, kind, name string) error {
	var wait time.Duration
	for i, k := range r.keys {
		if k.Name == name {
			wait = r.counters[i].WindowEnd.Sub(r.l.Now())
		}
	}
	if err := r.release(ctx, false); err != nil {
		return err
	}
	if r.l.OnRefused != nil {
		r.l.OnRefused(kind)
	}
	return &Refused{Wait: max(wait, time.Second), Kind: kind}
}
