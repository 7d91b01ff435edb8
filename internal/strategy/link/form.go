package link

import (
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// populate adds the email input and the submit button both flows show.
func populate(f *flow.Flow) {
	f.UI.Nodes = append(f.UI.Nodes,
		// The reference labels only the button, never the address.
		ui.Input(ui.GroupLink, "email", "email", nil, true, nil),
		ui.Submit(ui.GroupLink, Method, text.LabelSubmit()),
	)
}

// submittedEmail reads and checks the email field, putting problems on the
// form. It returns the canonical address.
func submittedEmail(f *flow.Flow, sub flow.Submission) (string, bool) {
	email, _ := sub.String("email")
	switch {
	case strings.TrimSpace(email) == "":
		f.UI.AddNodeMessage("email", text.Required("email"))
		return "", false
	case len(email) > 254 || !looksLikeEmail(email):
		// The validator's wording, as the reference sends it; the rejected
		// address is not copied back into the form.
		f.UI.AddNodeMessage("email", text.SchemaViolation(fmt.Sprintf("%q is not valid \"email\"", truncate(email, 64))))
		return "", false
	}
	f.UI.SetValue("email", email)
	return schema.Canonical(email, true), true
}

// looksLikeEmail is the shape check addresses must pass before anything is
// looked up or mailed; the identity schema is the full check at sign-up.
func looksLikeEmail(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>\",;") && strings.Contains(s[at:], ".")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
