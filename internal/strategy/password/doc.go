// Package password signs users up and in with an identifier and a password,
// and lets them change the password in settings. Passwords pass the policy
// before anything expensive happens; unknown identifiers cost the same as
// wrong passwords.
package password
