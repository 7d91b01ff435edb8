// Package link recovers accounts and verifies addresses by email link. It
// sends a link holding a single-use token (256 random bits, stored as a
// keyed hash) through the courier; following it consumes the token
// atomically: of two parallel uses, exactly one wins.
package link
