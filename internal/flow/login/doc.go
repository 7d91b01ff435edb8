// Package login is the sign-in flow: GET /self-service/login/api (and
// /browser) start it, GET /self-service/login/flows fetches it, POST
// /self-service/login submits it to a strategy, which on success issues a
// session and runs the after-login hooks.
package login
