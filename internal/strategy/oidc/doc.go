// Package oidc is social sign-in: the "oidc" method of the login,
// registration and settings flows, with OpenID Connect providers (generic,
// google, gitlab, microsoft) and OAuth2-only ones (github, discord, slack,
// facebook).
//
// A submit with provider=<id> stores a one-time pending record (state,
// PKCE verifier, nonce, the flow and a hash of a browser-bound cookie) and
// sends the browser to the provider. The provider sends it back to
// GET|POST /self-service/methods/oidc/callback/{provider}; the callback
// takes the record (once), checks state and browser, exchanges the code
// (golang.org/x/oauth2), verifies the ID token (github.com/coreos/go-oidc/v3)
// or reads the provider's user API, maps the claims to traits with the
// provider's Jsonnet mapper, and hands the identity back to the flow that
// started it: sign in, sign up, or link in settings.
//
// Credentials are stored as the reference stores them: type "oidc",
// identifiers "<provider id>:<subject>", config {"providers":[{subject,
// provider}]}. No provider token is stored.
package oidc
