package text

import (
	"fmt"
	"time"
)

// Message is one UI message: on a form, or on one of its fields.
type Message struct {
	ID      int64          `json:"id"`
	Text    string         `json:"text"`
	Type    string         `json:"type"`
	Context map[string]any `json:"context,omitempty"`
}

const (
	typeInfo  = "info"
	typeError = "error"
)

func info(id int64, text string) Message { return Message{ID: id, Text: text, Type: typeInfo} }

func errMsg(id int64, text string, ctx map[string]any) Message {
	return Message{ID: id, Text: text, Type: typeError, Context: ctx}
}

// Labels of form fields and buttons.
func LabelSignIn() Message                { return info(1010001, "Sign in") }
func LabelSignUp() Message                { return info(1040001, "Sign up") }
func LabelPassword() Message              { return info(1070001, "Password") }
func LabelGenerated(title string) Message { return info(1070002, title) }
func LabelSave() Message                  { return info(1070003, "Save") }
func LabelID() Message                    { return info(1070004, "ID") }
func LabelSubmit() Message                { return info(1070005, "Submit") }

// Outcomes shown to the user.
func SettingsSaved() Message { return info(1050001, "Your changes have been saved.") }
func RecoverySuccessful() Message {
	return info(1060001, "You signed in with a recovery link. Please choose a new password now.")
}
func RecoveryEmailSent() Message {
	return info(1060002, "If the address belongs to an account, an email with a recovery link is on its way. Check your inbox.")
}
func VerificationEmailSent() Message {
	return info(1070001, "An email with a verification link is on its way. Check your inbox.")
}

// Validation errors.
func Generic(reason string) Message {
	return errMsg(4000001, reason, map[string]any{"reason": reason})
}

// SchemaViolation is what the reference sends for every JSON-schema
// keyword failure but a missing property: 4000001 with the validator's
// text and no context.
func SchemaViolation(reason string) Message { return errMsg(4000001, reason, nil) }

func Required(property string) Message {
	return errMsg(4000002, fmt.Sprintf("Property %s is missing.", property), map[string]any{"property": property})
}

func MinLength(reason string) Message {
	return errMsg(4000003, reason, map[string]any{"reason": reason})
}

func InvalidFormat(reason string) Message {
	return errMsg(4000004, reason, map[string]any{"reason": reason})
}

func PasswordPolicy(reason string) Message {
	return errMsg(4000005, "The password can not be used because "+reason, map[string]any{"reason": reason})
}

func InvalidCredentials() Message {
	return errMsg(4000006, "The provided credentials are invalid. Check the spelling of your email address or username and your password.", nil)
}

func DuplicateCredentials() Message {
	return errMsg(4000007, "An account with the same identifier (email address, username, ...) exists already.", nil)
}

// expired says how long ago (by the injected clock's now) a flow expired.
func expired(id int64, flow string, at, now time.Time) Message {
	ago := now.Sub(at).Round(time.Second)
	return errMsg(id, fmt.Sprintf("The %s flow expired %s ago; please try again.", flow, ago),
		map[string]any{"expired_at": at.UTC().Format(time.RFC3339Nano)})
}

func LoginExpired(at, now time.Time) Message        { return expired(4010001, "login", at, now) }
func RegistrationExpired(at, now time.Time) Message { return expired(4040001, "registration", at, now) }
func SettingsExpired(at, now time.Time) Message     { return expired(4050001, "settings", at, now) }
func RecoveryExpired(at, now time.Time) Message     { return expired(4060005, "recovery", at, now) }
func VerificationExpired(at, now time.Time) Message { return expired(4070005, "verification", at, now) }

func LoginNoStrategy() Message {
	return errMsg(4010002, "Could not find a strategy to sign you in with. Did you fill out the form correctly?", nil)
}
func RegistrationNoStrategy() Message {
	return errMsg(4010003, "Could not find a strategy to sign you up with. Did you fill out the form correctly?", nil)
}
func SettingsNoStrategy() Message {
	return errMsg(4010004, "Could not find a strategy to update your settings with. Did you fill out the form correctly?", nil)
}
func RecoveryNoStrategy() Message {
	return errMsg(4010005, "Could not find a strategy to recover your account with. Did you fill out the form correctly?", nil)
}
func VerificationNoStrategy() Message {
	return errMsg(4010006, "Could not find a strategy to verify your account with. Did you fill out the form correctly?", nil)
}

func RecoveryTokenInvalid() Message {
	return errMsg(4060004, "The recovery link is invalid or has been used already. Please request a new one.", nil)
}
func VerificationTokenInvalid() Message {
	return errMsg(4070001, "The verification link is invalid or has been used already. Please request a new one.", nil)
}

// HookFailed is shown when a web hook the flow waits for failed: the flow
// was not completed, so the user can try again.
func HookFailed() Message {
	return errMsg(5000001, "This could not be completed because a service it depends on did not answer. Nothing was changed; please try again later.", nil)
}

// TooManyAttempts is Latchkey's own id (the reference has none): an
// attempt refused by the brute-force protection, with the wait in seconds.
func TooManyAttempts(seconds int) Message {
	return errMsg(4009001, fmt.Sprintf("Too many attempts. Please try again in %d seconds.", seconds), map[string]any{"wait_seconds": seconds})
}

// WaitSeconds is the wait_seconds of a TooManyAttempts among ms.
func WaitSeconds(ms []Message) (int, bool) {
	for _, m := range ms {
		if m.ID == 4009001 {
			w, ok := m.Context["wait_seconds"].(int)
			return w, ok
		}
	}
	return 0, false
}

// Labels of social sign-in buttons. Sign-in and sign-up name the
// provider's label; link and unlink its id, as the reference does.
func LabelSignInWith(label string) Message {
	return Message{ID: 1010002, Text: "Sign in with " + label, Type: typeInfo, Context: map[string]any{"provider": label}}
}
func LabelSignUpWith(label string) Message {
	return Message{ID: 1040002, Text: "Sign up with " + label, Type: typeInfo, Context: map[string]any{"provider": label}}
}
func LabelLinkProvider(id string) Message {
	return Message{ID: 1050002, Text: "Link " + id, Type: typeInfo, Context: map[string]any{"provider": id}}
}
func LabelUnlinkProvider(id string) Message {
	return Message{ID: 1050003, Text: "Unlink " + id, Type: typeInfo, Context: map[string]any{"provider": id}}
}
