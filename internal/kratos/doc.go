// Package kratos copies a running reference deployment (Ory Kratos v0.6.x)
// into Latchkey: `latchkey migrate kratos SOURCE_DSN` reads the reference's
// database (never writing to it) and hands identities, their credentials
// and addresses, and live sessions to a Target, which sqlstore implements,
// in one transaction per batch. Identities go through identity.Manager as
// if created here, so identifiers and addresses follow Latchkey's schema
// rules; password hashes are copied as they are (the hasher verifies them
// and rehashes at the next sign-in) and session tokens are stored as keyed
// hashes. A fingerprint of each copied source row makes reruns copy only
// what changed and notice what was deleted.
package kratos
