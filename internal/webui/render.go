package webui

import (
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var stylesheet []byte

//go:embed static/favicon.svg
var faviconSVG []byte

var pages = template.Must(template.New("pages").Funcs(template.FuncMap{"breakable": breakable}).ParseFS(templateFS, "templates/*.html"))

// breakable lets a narrow screen wrap an email address before its @ rather
// than in the middle of a word.
func breakable(s string) template.HTML {
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(template.HTMLEscapeString(local) + "<wbr>@" + template.HTMLEscapeString(domain))
}

// Brand is what every page shows at the top.
type Brand struct {
	Name    string
	LogoURL string
	Base    string // public base URL, with a trailing slash
}

// view is the data every page template gets.
type view struct {
	Brand Brand
	// P speaks the reader's language: templates call {{.P.T "key"}}.
	P         *locale.Printer
	Languages []languageLink
	Title     string
	Heading   string
	Intro     string
	Wide      bool
	Messages  []shown
	Forms     []form
	Links     []link
	// LinksBelow puts the links under the cards, for pages with several.
	LinksBelow bool
	// Devices is the settings page's list of signed-in devices.
	Devices *devicesView
	// Script is set when a form loads the WebAuthn script: the page's
	// Content-Security-Policy then allows scripts of its own origin.
	Script bool
	// CodesScript loads the recovery codes' copy and print buttons.
	CodesScript bool
}

// languageLink switches the page it is on to another language.
type languageLink struct {
	Name, Tag, Href string
	Current         bool
}

type link struct{ Before, Text, Href string }

type form struct {
	Title    string
	Group    string
	Action   string
	Method   string
	Intro    string  // what to do in this form (scan the code, keep the codes)
	Messages []shown // about this form only, e.g. "your password has been saved"
	// Username lets a password manager file a new password under the
	// account it belongs to.
	Username string
	Nodes    []field
}

// field is one node ready for the template.
type field struct {
	ID, Name, Type, Label, Value, Pattern, Autocomplete string
	Required, Disabled, Checked, Hidden, Submit         bool
	// Focus is set on the first input with a problem, so a keyboard or
	// screen-reader user lands on it.
	Focus    bool
	Messages []shown
	// Trigger names the WebAuthn script's function a button calls
	// (it is wired by the script, never by an inline handler).
	Trigger string
	// Script is a script node: Src and Integrity load it.
	Script         bool
	Src, Integrity string
	// Image is an img node's picture (the TOTP QR code); Text a text
	// node's text (the TOTP key); Codes the recovery codes, with Download
	// as a text file.
	Image    template.URL
	Text     string
	Codes    []string
	Download template.URL
}

// groupTitles name the forms of pages with several (settings).
var groupTitles = map[string]string{ui.GroupProfile: "settings.group.profile", ui.GroupPassword: "settings.group.password", ui.GroupWebAuthn: "settings.group.webauthn",
	ui.GroupTOTP: "settings.group.totp", ui.GroupLookup: "settings.group.lookup_secret"}

// forms splits a flow's nodes into one form per method group, in the order
// the groups first appear; the default group (CSRF token, identifier)
// belongs to every form.
func (b pageBuilder) forms(c ui.Container, titled bool) []form {
	var order []string
	byGroup := map[string][]ui.Node{}
	var shared []ui.Node
	for _, n := range c.Nodes {
		if n.Group == ui.GroupDefault {
			shared = append(shared, n)
			continue
		}
		if _, ok := byGroup[n.Group]; !ok {
			order = append(order, n.Group)
		}
		byGroup[n.Group] = append(byGroup[n.Group], n)
	}
	if len(order) == 0 && len(shared) > 0 {
		order = []string{ui.GroupDefault}
	}
	out := make([]form, 0, len(order))
	for _, g := range order {
		f := form{Group: g, Action: c.Action, Method: c.Method}
		if titled && groupTitles[g] != "" {
			f.Title = b.p.T(groupTitles[g])
		}
		nodes := byGroup[g]
		if g != ui.GroupDefault {
			// Shared inputs go first, except the hidden ones' position does
			// not matter; the identifier must precede the password.
			nodes = append(append([]ui.Node{}, shared...), nodes...)
		} else {
			nodes = shared
		}
		for _, n := range nodes {
			f.Nodes = append(f.Nodes, b.field(g, n))
		}
		if g == oidcGroup {
			b.oidcForm(&f, nodes, titled)
		}
		out = append(out, f)
	}
	return out
}

// pageBuilder turns a flow's nodes into fields in the reader's language.
type pageBuilder struct {
	p    *locale.Printer
	kind flow.Kind
}

func (b pageBuilder) field(group string, n ui.Node) field {
	a := n.Attributes
	f := field{
		ID: group + "-" + strings.ReplaceAll(a.Name, ".", "-"), Name: a.Name, Type: a.Type, Pattern: a.Pattern,
		Required: a.Required, Disabled: a.Disabled, Messages: sayAll(b.p, n.Messages, a.Type), Autocomplete: autocomplete(b.kind, a.Name),
		Hidden: a.Type == "hidden", Submit: a.Type == "submit", Trigger: a.OnClickTrigger,
		Script: n.Type == "script", Src: a.Src, Integrity: a.Integrity,
	}
	if a.Autocomplete != "" {
		f.Autocomplete = a.Autocomplete
	}
	if a.Value != nil {
		f.Value = fmt.Sprint(a.Value)
	}
	if a.Type == "checkbox" {
		f.Checked = f.Value == "true"
	}
	mediaField(&f, group, n)
	f.Label = b.label(group, n)
	return f
}

// label words a node's label: the catalog's text for the reference's label
// ids, the schema's title for a trait, and Latchkey's own for the nodes the
// reference leaves unlabelled.
func (b pageBuilder) label(group string, n ui.Node) string {
	a := n.Attributes
	if b.kind == flow.Recovery || b.kind == flow.Verification {
		switch {
		case a.Type == "submit":
			return b.p.T(string(b.kind) + ".submit")
		case a.Name == "email":
			return b.p.T("field.email")
		}
	}
	if b.kind == flow.Login && group == ui.GroupWebAuthn && a.Type == "submit" && a.Name == "method" {
		return b.p.T("login.passkey")
	}
	if l := n.Meta.Label; l != nil {
		// Translate the reference's standard wording only: a label the
		// server worded itself (a schema's title) stays as it is.
		if key := "label." + strconv.FormatInt(l.ID, 10); b.p.Has(key) && l.Text == b.p.English(key) {
			return b.p.T(key)
		}
		return l.Text
	}
	return a.Name
}

// focusFirstProblem marks the first input that carries a message.
func focusFirstProblem(fs []form) {
	for i := range fs {
		for j := range fs[i].Nodes {
			if n := &fs[i].Nodes[j]; len(n.Messages) > 0 && !n.Hidden && !n.Submit {
				n.Focus = true
				return
			}
		}
	}
}
