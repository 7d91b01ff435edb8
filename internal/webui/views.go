package webui

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/session"
)

// pageText is what each flow page says around its form.
var pageText = map[flow.Kind]struct{ title, heading, intro string }{
	flow.Login:        {"Sign in", "Sign in", "Welcome back. Sign in to continue."},
	flow.Registration: {"Create an account", "Create an account", "It takes a minute."},
	flow.Settings:     {"Account settings", "Account settings", "Change your profile and your password."},
	flow.Recovery:     {"Recover your account", "Recover your account", "Enter the email address of your account and we will send you a link to sign in."},
	flow.Verification: {"Verify your email address", "Verify your email address", "Enter your email address and we will send you a verification link."},
}

func (h *Handler) flowView(kind flow.Kind, f *flow.Flow) view {
	t := pageText[kind]
	v := view{Brand: h.Brand, Title: t.title, Heading: t.heading, Intro: t.intro, Messages: f.UI.Messages}
	if f.State == "sent_email" {
		v.Intro = ""
	}
	v.Forms = forms(f.UI, kind == flow.Settings, autocomplete(kind))
	base := h.Brand.Base
	switch kind {
	case flow.Login:
		if f.Forced {
			v.Heading, v.Intro = "Confirm it's you", "Sign in again to continue with a sensitive change."
		}
		v.Links = append(v.Links, link{"No account yet?", "Create one", base + "self-service/registration/browser"})
		if h.Pages[flow.Recovery] && h.Schemas.Default().HasRecovery() {
			v.Links = append(v.Links, link{"Forgot your password?", "Recover your account", base + "self-service/recovery/browser"})
		}
	case flow.Registration:
		v.Links = append(v.Links, link{"Already have an account?", "Sign in", base + "self-service/login/browser"})
	case flow.Settings:
		v.Links, v.LinksBelow = append(v.Links, link{"", "Back to your account", base + "ui/"}), true
	case flow.Recovery:
		v.Links = append(v.Links, link{"Remembered it?", "Sign in", base + "self-service/login/browser"})
	case flow.Verification:
		v.Links = append(v.Links, link{"", "Back to your account", base + "ui/"})
	}
	return v
}

// autocomplete helps password managers: which input holds what.
func autocomplete(kind flow.Kind) func(string) string {
	return func(name string) string {
		switch {
		case name == "password" && kind == flow.Login:
			return "current-password"
		case name == "password":
			return "new-password"
		case name == "password_identifier":
			return "username"
		case name == "email" || name == "traits.email":
			return "email"
		}
		return ""
	}
}

// traitRow is one trait on the home page; an address also says whether
// it is verified.
type traitRow struct {
	Label, Value string
	Address      bool
	Verified     bool
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	v := struct {
		view
		Session    *session.Session
		Traits     []traitRow
		VerifyLink string
		MailLink   string
	}{view: view{Brand: h.Brand, Title: "Your account"}}
	if s, err := h.Sessions.FromRequest(r); err == nil {
		v.Session = s
		var traits map[string]any
		_ = json.Unmarshal(s.Identity.Traits, &traits)
		v.Traits = flatten("", traits)
		h.labelTraits(v.Traits, s.Identity.SchemaID)
		for k := range v.Traits {
			for _, a := range s.Identity.VerifiableAddresses {
				if strings.EqualFold(strings.TrimSpace(v.Traits[k].Value), a.Value) {
					v.Traits[k].Address, v.Traits[k].Verified = true, a.Verified
				}
			}
		}
		for _, a := range s.Identity.VerifiableAddresses {
			if !a.Verified && h.Pages[flow.Verification] {
				v.VerifyLink = h.Brand.Base + "self-service/verification/browser"
			}
		}
	} else if !isNoSession(err) {
		h.Log.Error("read session for home page", "error", err.Error())
	}
	if h.Mail != nil {
		v.MailLink = h.Brand.Base + "ui/dev/mail"
	}
	h.render(w, "home", http.StatusOK, v)
}

func isNoSession(err error) bool { return errors.Is(err, session.ErrNoSession) }

// flatten lists traits as label/value rows, nested objects as "name.first".
func flatten(prefix string, m map[string]any) []traitRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []traitRow
	for _, k := range keys {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		switch v := m[k].(type) {
		case map[string]any:
			out = append(out, flatten(name, v)...)
		default:
			b, _ := json.Marshal(v)
			out = append(out, traitRow{Label: name, Value: strings.Trim(string(b), `"`)})
		}
	}
	return out
}

// labelTraits replaces trait paths by the titles the schema gives them.
func (h *Handler) labelTraits(rows []traitRow, schemaID string) {
	sch, ok := h.Schemas.Schema(schemaID)
	if !ok {
		return
	}
	titles := map[string]string{}
	for _, f := range sch.Fields() {
		titles[f.Name] = f.Title
	}
	for k := range rows {
		if t := titles["traits."+rows[k].Label]; t != "" {
			rows[k].Label = t
		}
	}
}

type part struct{ Text, Href string }

type mailView struct {
	courier.Message
	Parts []part
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits a plain-text body into text and links, so the template
// can make links clickable while escaping everything else.
func linkify(s string) []part {
	var out []part
	last := 0
	for _, m := range urlPattern.FindAllStringIndex(s, -1) {
		out = append(out, part{Text: s[last:m[0]]}, part{Text: s[m[0]:m[1]], Href: s[m[0]:m[1]]})
		last = m[1]
	}
	return append(out, part{Text: s[last:]})
}

func (h *Handler) mailbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := h.Mail.Messages(r.Context(), 50)
	if err != nil {
		h.Log.Error("read dev mailbox", "error", err.Error())
		http.Error(w, "The mailbox could not be read.", http.StatusInternalServerError)
		return
	}
	v := struct {
		view
		Mail []mailView
	}{view: view{Brand: h.Brand, Title: "Dev mailbox", Wide: true}}
	for _, m := range msgs {
		v.Mail = append(v.Mail, mailView{Message: m, Parts: linkify(m.Body)})
	}
	h.render(w, "mail", http.StatusOK, v)
}
