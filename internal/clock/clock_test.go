package clock

import (
	"testing"
	"time"
)

func TestZeroClockIsSystemTime(t *testing.T) {
	t.Parallel()
	var c Clock
	before := time.Now().Add(-time.Second)
	if got := c.Now(); got.Before(before) || got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Fatalf("zero clock: %v", got)
	}
}

func TestAdjustableMovesForward(t *testing.T) {
	t.Parallel()
	var a Adjustable
	c := a.Clock()
	start := c.Now()
	a.Advance(time.Hour)
	if got := c.Now().Sub(start); got < time.Hour || got > time.Hour+time.Minute {
		t.Fatalf("after Advance(1h) the clock moved %v", got)
	}
}
