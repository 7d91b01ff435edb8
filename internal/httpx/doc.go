// Package httpx holds what every HTTP handler shares: the reference's JSON
// error envelope, handlers that return errors, strict request decoding with
// size limits, and middleware (panic recovery, no-store, security headers).
package httpx
