// Package csrf is the anti-CSRF cookie of browser flows, named and set as
// the reference sets it, and the guard in front of the public port that
// issues the cookie to browsers without one and refuses unsafe requests
// that carry no matching token. Flow submissions are exempt from the
// guard: package flow checks their token against the flow's own.
package csrf
