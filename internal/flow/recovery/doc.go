// Package recovery is account recovery: GET /self-service/recovery/api (and
// /browser) start it, the user submits an email address to
// POST /self-service/recovery (or .../methods/link), and the link mailed to
// them signs them in and sends them to settings to choose a new password.
// The admin API's POST /recovery/link makes such a link without mail.
package recovery
