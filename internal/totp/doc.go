// Package totp provides the building blocks of TOTP second factors
// (RFC 6238, as the reference's later versions use them): making a key
// and its QR image, checking a code within a small clock-skew window
// without ever accepting the same time step twice, and sealing the seed
// with AES-GCM under a key derived from secrets.cipher.
//
// It holds no state of its own: callers store the sealed URL and the last
// accepted step with the credential.
package totp
