// Package flow is what every self-service flow shares: the stored flow
// (id, type, expiry, request URL, form) and its storage interface,
// decoding of submissions (JSON or form), anti-CSRF and return_to checks,
// and the answers a flow gives to api clients (JSON) and browsers
// (redirects, cookies, the error page).
//
// A submission reads straight through. A flow's handler mounts its submit
// endpoint with Kit.Handler and a Submit naming its kind, how to renew an
// expired flow, its wire form and its own Handle. Kit.Run loads the flow
// and the submitted values in one call (Kit.Load: a body it cannot read
// becomes a form message, as in the reference), passes both to Handle,
// and answers every error in one place, as the loaded flow's type asks:
// an *ExpiredError is replaced by a new flow (Kit.Restart), ErrInvalid
// shows the flow again with its problems, anything else goes to a browser
// flow's error page or to the client as JSON (Web.Fail). A completed flow
// ends with Kit.Finish: JSON for api flows, the session cookie and a
// redirect (or JSON, when asked) for browsers.
//
// A request that names a flow from outside its submit endpoint (a mailed
// recovery or verification link) goes through Kit.Follow with the same
// Submit: the flow is looked up first and an expired one is replaced as a
// submission to it would be; Kit.PassChallenge then records the answered
// challenge on the flow.
//
// The flows themselves live in the sub-packages login, registration,
// settings, recovery and verification, each with its Strategy interface in
// strategy.go; logout is browser sign-out.
package flow
