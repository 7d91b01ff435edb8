// Package hook holds the hooks a configuration can name around a flow:
// revoke_active_sessions (after login), the verification mail, and
// web_hook (before login and registration, after every flow). A web hook
// runs in line by default, so its failure fails the flow; with
// response.ignore it runs on Background, retried; with can_interrupt its
// answer may refuse the flow with messages. The session hook is not here:
// it changes the flow's answer, so registration issues the session itself.
// internal/app builds the hooks from config; flows run them through
// flow.Hooks.
package hook
