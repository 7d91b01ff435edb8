// Package whoamicache keeps the answers of GET /sessions/whoami in memory,
// so that a session asked for again is answered without a database query
// or a JSON encoding, while a revocation anywhere stays effective at once.
//
// The database says what changed: triggers (migration 00006) fire on every
// write to sessions, identities, their addresses and credentials, whatever
// code path or instance made it. On PostgreSQL they NOTIFY the identity's
// id and every instance LISTENs; on SQLite they append the id to
// session_invalidations, which each instance checks before it answers from
// memory (one indexed read of the highest sequence number). MariaDB has no
// cache: every answer there needs a round trip either way, and the joined
// read costs little more than the check would.
package whoamicache
