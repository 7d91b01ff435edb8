// Package courier sends the mail flows produce. A message is a database row,
// written in the same transaction as the change that caused it; a worker
// (inside `serve`, or alone as `latchkey courier watch`) claims due rows,
// sends them over SMTP, and retries with backoff, so a mail server that is
// down loses nothing. Several workers may run at once: a claimed row is
// leased to one of them.
package courier
