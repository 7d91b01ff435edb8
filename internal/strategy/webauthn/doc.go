// Package webauthn is security keys and passkeys: the "webauthn" method of
// the settings, login and registration flows, as the reference's later
// versions offer it. With passwordless off a key is a second factor; with
// it on a key (a passkey) signs up and signs in without a password.
//
// Every ceremony is checked by github.com/go-webauthn/webauthn. The
// challenge of a ceremony is kept on the flow that showed it, under the
// flow's internal key "webauthn", and taken off the flow when a response
// is checked, so an answer is accepted at most once; a failed check shows
// the flow again with a fresh challenge.
//
// Credentials are stored as the later versions store them: type
// "webauthn", identifiers the traits flagged
// credentials.webauthn.identifier, config {credentials:[{id, public_key,
// attestation_type, authenticator:{aaguid, sign_count, clone_warning},
// display_name, added_at, is_passwordless, flags}], user_handle}. Public
// keys are not secret and are stored as they are; the sign count is
// written back after every sign-in.
//
// The browser part is webauthn.js, served at /.well-known/ory/webauthn.js:
// it turns the options a trigger button carries into a
// navigator.credentials call and posts the answer with the form.
package webauthn
