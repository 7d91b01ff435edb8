// Package settings is the flow in which a signed-in user changes their
// profile and password: GET /self-service/settings/api (and /browser) start
// it, GET /self-service/settings/flows fetches it (owner only on the public
// port). POST /self-service/settings reads the session first, then runs
// flow.Kit, which loads the flow once and hands it to apply: the owner is
// checked and the strategy the submission names makes the change. Changing
// a password or a password identifier needs a recent sign-in.
package settings
