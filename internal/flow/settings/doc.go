// Package settings is the flow in which a signed-in user changes their
// profile and password: GET /self-service/settings/api (and /browser) start
// it, GET /self-service/settings/flows fetches it (owner only on the public
// port), POST /self-service/settings submits it to a strategy. Changing a
// password or a password identifier needs a recent sign-in.
package settings
