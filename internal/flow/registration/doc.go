// Package registration is the sign-up flow: GET /self-service/registration/api
// (and /browser) start it, GET /self-service/registration/flows fetches it,
// POST /self-service/registration submits it to a strategy, and after a
// success the identity is stored and the after-registration hooks run.
package registration
