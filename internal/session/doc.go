// Package session issues sessions (a cookie for browsers, a token for
// apps), finds the session a request carries, and revokes it. It serves
// /sessions/whoami, the hot path every gateway calls, and DELETE /sessions.
// Only keyed hashes of session tokens are stored.
package session
