package text

import (
	"strings"
	"time"
)

// Second factors: the later reference versions' message ids; the words
// are Latchkey's.

func LoginMFA() Message {
	return info(1010004, "Please confirm this sign-in with your second factor.")
}
func LabelTOTPCode() Message        { return info(1010006, "Authentication code") }
func LabelLookupSecret() Message    { return info(1010007, "Recovery code") }
func LabelUseTOTP() Message         { return info(1010009, "Use authenticator app") }
func LabelUseLookupSecret() Message { return info(1010010, "Use a recovery code") }
func LabelTOTPUnlink() Message      { return info(1050004, "Turn off the authenticator app") }
func LabelTOTPQR() Message          { return info(1050005, "Authenticator app QR code") }
func LabelTOTPSecretKey() Message {
	return info(1050017, "Or type this key into the app instead of scanning the code")
}
func LabelRevealCodes() Message     { return info(1050007, "Show recovery codes") }
func LabelRegenerateCodes() Message { return info(1050008, "Make new recovery codes") }
func LabelRecoveryCodes() Message {
	return info(1050010, "These are your recovery codes. Keep them somewhere safe: each works once.")
}
func LabelConfirmCodes() Message { return info(1050011, "I have saved these codes: turn them on") }
func LabelDisableCodes() Message { return info(1050016, "Turn off recovery codes") }
func LabelVerifyCode() Message   { return info(1070006, "Verify code") }
func TOTPSecret(secret string) Message {
	return Message{ID: 1050006, Text: secret, Type: typeInfo, Context: map[string]any{"secret": secret}}
}

// RecoveryCode is one code of the list, 1050009, or 1050014 once used.
func RecoveryCode(code string) Message {
	return Message{ID: 1050009, Text: code, Type: typeInfo, Context: map[string]any{"secret": code}}
}
func RecoveryCodeUsed(at time.Time) Message {
	at = at.UTC()
	return Message{ID: 1050014, Text: "used", Type: typeInfo,
		Context: map[string]any{"used_at": at.Format(time.RFC3339), "used_at_unix": at.Unix()}}
}

// RecoveryCodes is the text of the codes node: the codes joined, with
// "used" for spent ones, and one message per code in its context.
func RecoveryCodes(codes []Message) Message {
	words := make([]string, len(codes))
	for k, c := range codes {
		words[k] = c.Text
	}
	return Message{ID: 1050015, Text: strings.Join(words, ", "), Type: typeInfo, Context: map[string]any{"secrets": codes}}
}

func TOTPWrong() Message {
	return errMsg(4000008, "The authentication code is invalid or was used already. Please try again.", nil)
}
func TOTPMissing() Message {
	return errMsg(4000011, "You have no authenticator app set up.", nil)
}
func LookupSecretUsed() Message {
	return errMsg(4000012, "This recovery code was used already. Please use another one.", nil)
}
func LookupSecretMissing() Message {
	return errMsg(4000014, "You have no recovery codes set up.", nil)
}
func LookupSecretInvalid() Message {
	return errMsg(4000016, "The recovery code is invalid.", nil)
}

// RecoveryCodeHidden stands for a code that is left but, stored hashed,
// cannot be shown again.
func RecoveryCodeHidden() Message {
	return Message{ID: 1050009, Text: "********", Type: typeInfo, Context: map[string]any{"secret": "********"}}
}
