// Package totp is the authenticator-app second factor: enrolment and
// removal in settings, and login flows at aal2. Keys, codes and the seed
// cipher live in internal/totp; this package stores the credential (the
// sealed key URL and the last accepted time step) and draws the forms.
package totp
