// Package courier sends the mail flows produce. A message is a database row,
// written in the same transaction as the change that caused it; a worker
// (inside `serve`, or alone as `latchkey courier watch`) claims due rows,
// sends them over SMTP, and retries with backoff, so a mail server that is
// down loses nothing. Several workers may run at once: a claimed row is
// leased to one of them. A delivered row keeps its recipient, subject and
// times but not its bodies, so the database copy of a recovery or
// verification link signs no one in (dev mode's Keep sender excepted: its
// mailbox is that copy).
package courier
