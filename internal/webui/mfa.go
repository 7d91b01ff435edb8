package webui

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

// Second factors on the built-in pages: the TOTP QR code and key, the
// recovery codes (shown once, with copy, print and download), and the
// step-up prompt of a login flow at aal2.

//go:embed static/codes.js
var codesScript []byte

// codesJS serves the small script behind the recovery codes' copy and
// print buttons; without it the buttons stay hidden and the download link
// and the browser's own print still work.
func (h *Handler) codesJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "codes.js", time.Time{}, bytes.NewReader(codesScript))
}

// mediaField fills an img or text node's field.
func mediaField(f *field, group string, n ui.Node) {
	a := n.Attributes
	switch n.Type {
	case "img":
		// Latchkey drew the image itself: a data:image/png URL.
		if strings.HasPrefix(a.ImageSrc, "data:image/png;base64,") {
			f.Image = template.URL(a.ImageSrc)
		}
	case "text":
		if a.Text == nil {
			return
		}
		f.Text = a.Text.Text
		if group == ui.GroupLookup {
			f.Codes = strings.Split(a.Text.Text, ", ")
			if strings.ContainsAny(a.Text.Text, "*") || strings.Contains(a.Text.Text, "used") {
				return // a list of which codes are left: nothing to keep
			}
			f.Download = template.URL("data:text/plain;charset=utf-8," + url.PathEscape(strings.Join(f.Codes, "\r\n")+"\r\n"))
		}
	}
}

// stepUp reports whether a login flow asks for a second factor.
func stepUp(f *flow.Flow) bool {
	var aal session.AAL
	return f.Kind == flow.Login && f.GetInternal("requested_aal", &aal) && aal == session.AAL2
}

// needsStepUp reports whether a settings page must first send the browser
// to add its second factor (selfservice.flows.settings.required_aal).
func (h *Handler) needsStepUp(r *http.Request, s *session.Session) bool {
	ok, err := h.Sessions.Satisfies(r.Context(), s, h.SettingsAAL)
	return err == nil && !ok
}

// withoutMessage drops the message with id: the step-up page says it in
// its heading already.
func withoutMessage(ms []text.Message, id int64) []text.Message {
	var out []text.Message
	for _, m := range ms {
		if m.ID != id {
			out = append(out, m)
		}
	}
	return out
}
