// Package registration is the sign-up flow: GET /self-service/registration/api
// (and /browser) start it, GET /self-service/registration/flows fetches it,
// and POST /self-service/registration is served by flow.Kit, which hands
// the loaded flow and submission to the handler's submit. There the
// strategy validates it, the identity is stored, a session is issued when
// the session hook is configured, the after-registration hooks run and
// flow.Kit.Finish answers.
package registration
