package webui

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

func (h *Handler) flowView(r *http.Request, w http.ResponseWriter, kind flow.Kind, f *flow.Flow) view {
	v := h.page(w, r, string(kind)+".title")
	p := v.P
	v.Intro = p.T(string(kind) + ".intro")
	b := pageBuilder{p: p, kind: kind}
	v.Forms = b.forms(f.UI, kind == flow.Settings)
	messages := f.UI.Messages
	if kind == flow.Settings {
		messages = h.savedInItsForm(p, f, v.Forms)
	}
	v.Messages = sayAll(p, messages, "")
	focusFirstProblem(v.Forms)
	for i, fm := range v.Forms {
		for _, n := range fm.Nodes {
			v.Script = v.Script || n.Script
			v.CodesScript = v.CodesScript || len(n.Codes) > 0
			if n.Image != "" {
				v.Forms[i].Intro = p.T("settings.totp.intro")
			}
			if len(n.Codes) > 0 && !strings.Contains(n.Text, "*") {
				v.Forms[i].Intro = p.T("settings.codes.intro")
			}
		}
	}
	if f.State == "sent_email" {
		v.Intro = ""
	}
	base := h.Brand.Base
	switch kind {
	case flow.Login:
		if stepUp(f) {
			v.Heading, v.Intro = p.T("login.aal2.title"), p.T("login.aal2.intro")
			v.Messages = sayAll(p, withoutMessage(f.UI.Messages, 1010004), "")
			v.Links = append(v.Links, link{p.T("login.aal2.other"), p.T("login.aal2.sign_out"), base + "self-service/browser/flows/logout"})
			return v
		}
		switch {
		case f.Forced:
			v.Heading, v.Intro = p.T("login.refresh.title"), p.T("login.refresh.intro")
		case f.ReturnTo == base+"ui/settings":
			v.Intro = p.T("login.for_settings")
		}
		v.Links = append(v.Links, link{p.T("login.no_account"), p.T("login.create_one"), base + "self-service/registration/browser"})
		if h.Pages[flow.Recovery] && h.Schemas.Default().HasRecovery() {
			v.Links = append(v.Links, link{p.T("login.forgot"), p.T("login.recover"), base + "self-service/recovery/browser"})
		}
	case flow.Registration:
		if oidcCompletion(kind, v.Forms) {
			v.Intro = p.T("registration.oidc.complete")
		}
		v.Links = append(v.Links, link{p.T("registration.have_account"), p.T("registration.sign_in"), base + "self-service/login/browser"})
	case flow.Settings:
		v.Links, v.LinksBelow = append(v.Links, link{"", p.T("settings.back"), base + "ui/"}), true
		if s, err := h.Sessions.FromRequest(r); err == nil {
			for i := range v.Forms {
				if v.Forms[i].Group == ui.GroupPassword {
					v.Forms[i].Username = primaryIdentifier(s)
				}
			}
		}
	case flow.Recovery:
		v.Links = append(v.Links, link{p.T("recovery.remembered"), p.T("recovery.sign_in"), base + "self-service/login/browser"})
	case flow.Verification:
		if f.State == "passed_challenge" {
			v.Intro, v.Forms = "", nil
			v.Messages = append(v.Messages, shown{Type: "info", Text: p.T("verification.done")})
		}
		v.Links = append(v.Links, link{"", p.T("settings.back"), base + "ui/"})
	}
	return v
}

// savedInItsForm moves "your changes have been saved" from the top of the
// settings page into the form that was saved, worded for it, and returns
// the page's other messages.
func (h *Handler) savedInItsForm(p *locale.Printer, f *flow.Flow, forms []form) []text.Message {
	var rest []text.Message
	for _, m := range f.UI.Messages {
		placed := false
		if m.ID == text.SettingsSaved().ID && f.Active != "" {
			for i := range forms {
				if forms[i].Group == f.Active && p.Has("settings.saved."+f.Active) {
					forms[i].Messages = append(forms[i].Messages, shown{ID: m.ID, Type: m.Type, Text: p.T("settings.saved." + f.Active)})
					placed = true
				}
			}
		}
		if !placed {
			rest = append(rest, m)
		}
	}
	return rest
}

// primaryIdentifier is the address or name a password manager files the
// account's password under: its first verifiable address, else its id.
func primaryIdentifier(s *session.Session) string {
	for _, a := range s.Identity.VerifiableAddresses {
		return a.Value
	}
	return s.Identity.ID.String()
}

// autocomplete helps password managers: which input holds what.
func autocomplete(kind flow.Kind, name string) string {
	switch {
	case name == "password" && kind == flow.Login:
		return "current-password"
	case name == "password":
		return "new-password"
	case name == "password_identifier":
		return "username"
	case name == "email" || name == "traits.email":
		return "email"
	case name == "totp_code":
		return "one-time-code"
	}
	return ""
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
		SignedOut  bool
		LogoutURL  string
	}{view: h.page(w, r, "home.title")}
	// Back home after signing out, where the page says it worked.
	v.LogoutURL = h.Brand.Base + "self-service/browser/flows/logout?return_to=" + url.QueryEscape(h.Brand.Base+"ui/?signed_out")
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
	} else {
		v.SignedOut = r.URL.Query().Has("signed_out")
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
	}{view: h.page(w, r, "mail.title")}
	v.Wide = true
	for _, m := range msgs {
		v.Mail = append(v.Mail, mailView{Message: m, Parts: linkify(m.Body)})
	}
	h.render(w, "mail", http.StatusOK, v)
}
