// Package webui is Latchkey's built-in self-service UI: server-rendered
// pages under /ui/ for sign-in, sign-up, settings, recovery, verification
// and errors, each rendered from its flow's form alone, so a custom identity
// schema needs no code. The settings page also lists the user's signed-in
// devices with forms to sign them out (devices.go). No JavaScript, no
// external assets. In dev mode without SMTP it also shows the mail that
// would have been sent.
package webui
