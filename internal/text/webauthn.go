package text

import (
	"fmt"
	"time"
)

// Messages of security keys and passkeys, with the later versions' ids.

func LabelWebAuthnLogin() Message { return info(1010008, "Use security key") }
func WebAuthnLoginPrepare() Message {
	return info(1010012, "Prepare your security key or passkey and press continue.")
}
func LabelContinue() Message            { return info(1010013, "Continue") }
func LabelWebAuthnSignUp() Message      { return info(1040004, "Sign up with security key") }
func LabelWebAuthnRegister() Message    { return info(1050012, "Add security key") }
func LabelWebAuthnDisplayName() Message { return info(1050013, "Name of the security key") }
func WebAuthnIdentifierMissing() Message {
	return errMsg(4000009, "Could not find any login identifiers. Did you forget to set them? This could also be caused by a server misconfiguration.", nil)
}
func WebAuthnNoDevice() Message {
	return errMsg(4000013, "You have no security key or passkey set up.", nil)
}
func WebAuthnNoUser() Message {
	return errMsg(4000015, "This account does not exist or has no security key or passkey set up.", nil)
}
func WebAuthnInvalid() Message {
	return errMsg(4000043, "The security key or passkey could not be verified. Please try again.", nil)
}

// LabelWebAuthnRemove names the key a remove button removes.
func LabelWebAuthnRemove(name string, added time.Time) Message {
	return Message{ID: 1050018, Text: fmt.Sprintf("Remove security key %q", name), Type: typeInfo, Context: map[string]any{
		"display_name": name, "added_at": added.UTC().Format(time.RFC3339), "added_at_unix": added.Unix(),
	}}
}
