// Package login is the sign-in flow: GET /self-service/login/api (and
// /browser) start it, GET /self-service/login/flows fetches it, and
// POST /self-service/login is served by flow.Kit, which hands the loaded
// flow and submission to the handler's submit. There the strategy the
// submission names checks it; on success a session is issued, the
// after-login hooks run and flow.Kit.Finish answers (JSON, or the cookie
// and a redirect).
package login
