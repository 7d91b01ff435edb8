// Package clock is the time Latchkey runs on. Every component that stamps or
// compares times takes a Clock, wired once in internal/app, so that a test
// can move time forward (an expiry, a retry delay) instead of sleeping.
package clock
