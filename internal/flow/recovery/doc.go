// Package recovery is account recovery: GET /self-service/recovery/api (and
// /browser) start it, the user submits an email address to
// POST /self-service/recovery (or .../methods/link), served by flow.Kit and
// the handler's submit, which has the strategy mail a link and shows the
// flow in its next state. Following the link (GET on the same paths) goes
// through flow.Kit.Follow, which looks up its flow first (unknown: 404;
// expired: a new flow saying so, as the submit endpoint answers), then
// uses the token, signs the user in and sends them to settings to choose a
// new password; a used token restarts the flow with a message, and a
// signed-in browser is sent away without using the link. The admin API's
// POST /recovery/link makes such a link without mail.
package recovery
