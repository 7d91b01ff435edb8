// Package whoamicache keeps the answers of GET /sessions/whoami in memory,
// so that a session asked for again is answered without a database query
// or a JSON encoding, while a revocation anywhere stays effective at once.
//
// The database says what changed: triggers (migration 00006) fire on every
// write to sessions, identities, their addresses and credentials, whatever
// code path or instance made it. On PostgreSQL they NOTIFY the identity's
// id and every instance LISTENs; on SQLite they append the id to
// session_invalidations, which each instance checks before it answers from
// memory (one indexed read of the highest sequence number). MariaDB has
// neither notifications nor a log a poller can trust (auto-increment ids
// are taken at insert, not commit, so a poller can skip a late commit),
// and triggers there need a privilege of their own: the store itself bumps
// a change counter of the identity's bucket in the transaction of every
// such write (migration 00007), and an answer from memory is served after
// one primary-key read shows its counter unchanged (Counted).
package whoamicache
