// Package hook holds the after-flow hooks a configuration can name:
// revoke_active_sessions (login) and web_hook (registration, login,
// settings). The session hook is not here: it changes the flow's answer, so
// the registration flow issues the session itself when it is configured.
package hook
