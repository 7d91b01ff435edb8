// Package verification proves a user controls an address: the user (or a
// hook after sign-up or an address change) asks for a link, and following
// the link marks the address verified. GET /self-service/verification/api
// (and /browser) start the flow; POST /self-service/verification (or
// .../methods/link) submits an address, served by flow.Kit and the
// handler's submit. Following a link goes through flow.Kit.Follow, which
// looks up its flow first (unknown: 404; expired: a new flow saying so, as
// the submit endpoint answers), then uses the token; a used token restarts
// the flow with a message.
package verification
