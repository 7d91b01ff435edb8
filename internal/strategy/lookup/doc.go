// Package lookup is the recovery-code second factor (the later versions'
// lookup_secret method): twelve single-use codes made in settings, shown
// once and stored only as keyed hashes, each usable once at aal2.
package lookup
