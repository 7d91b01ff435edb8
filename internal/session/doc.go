// Package session issues sessions (a cookie for browsers, a token for
// apps), finds the session a request carries, and revokes it. It serves
// /sessions/whoami, the hot path every gateway calls, DELETE /sessions, and
// the session lists of the later reference versions (list.go: the caller's
// own on the public port; admin.go: an identity's on the admin port;
// adminlist.go: every session, keyset-paged).
// Only keyed hashes of session tokens are stored.
package session
