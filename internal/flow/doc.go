// Package flow is what every self-service flow shares: the stored flow
// (id, type, expiry, request URL, form), its storage interface, decoding of
// submissions (JSON or form), and the answers a flow gives to api clients
// (JSON) and browsers (redirects). The flows themselves live in the
// sub-packages login, registration, settings, recovery and verification.
package flow
