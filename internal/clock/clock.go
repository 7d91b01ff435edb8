package clock

import (
	"sync/atomic"
	"time"
)

// Clock returns the current time. The zero Clock is the system clock, so a
// component built without one (a unit test, a CLI verb) still tells time.
type Clock func() time.Time

// Now is the time as Latchkey stores it: UTC, to the microsecond, which is
// what all three databases keep, so a value read back equals the one written.
func (c Clock) Now() time.Time {
	t := time.Now()
	if c != nil {
		t = c()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Adjustable is a clock a test moves: it runs with the system clock, shifted
// by everything Advance added. It keeps running (rather than standing still)
// so that order by creation time and retry delays behave as in production.
type Adjustable struct {
	offset atomic.Int64
}

// Now is the system time plus the offset.
func (a *Adjustable) Now() time.Time {
	return time.Now().Add(time.Duration(a.offset.Load()))
}

// Advance moves the clock forward by d.
func (a *Adjustable) Advance(d time.Duration) { a.offset.Add(int64(d)) }

// Clock is the adjustable clock as a Clock to wire into components.
func (a *Adjustable) Clock() Clock { return a.Now }
