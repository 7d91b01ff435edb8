// Package throttle is brute-force protection: counters of attempts per key
// (an identifier seen from one client address, a client address) kept in
// the shared database, so limits hold across instances.
//
// An attempt is reserved before the work it guards (the password hash, a
// mail): one atomic upsert per request increments every counter it touches
// and returns the new counts, so N parallel attempts get N distinct
// numbers and no more than a rule's limit are ever let through. Past a
// rule's free attempts each further one must wait a doubling delay; past
// its limit the key is refused until its window ends. A refused attempt
// gives its reservation back, so the wait it is told is honest.
//
// Strategies call it between parsing a submission and doing the expensive
// part; the store (sqlstore) implements Store.
package throttle
