// Package text holds the user-facing messages of the self-service flows with
// the numeric ids clients match on. The ids are the reference's; the
// wording is Latchkey's own.
package text
