// Package notify mails people about security events on their account: a
// password change, a second factor added or removed, and a sign-in from a
// device the account had not signed in from before. Each notice is off
// unless configured (notifications.*); the flows call it through the
// after-hooks it provides, and the second-factor strategies through
// SecondFactorChanged. Notices go through the courier's queue, in the
// language of the request that caused them.
package notify
