package webui

import (
	"embed"
	"fmt"
	"html/template"
	"strings"

	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var stylesheet []byte

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Brand is what every page shows at the top.
type Brand struct {
	Name    string
	LogoURL string
	Base    string // public base URL, with a trailing slash
}

// view is the data every page template gets.
type view struct {
	Brand    Brand
	Title    string
	Heading  string
	Intro    string
	Wide     bool
	Messages []text.Message
	Forms    []form
	Links    []link
	// LinksBelow puts the links under the cards, for pages with several.
	LinksBelow bool
}

type link struct{ Before, Text, Href string }

type form struct {
	Title  string
	Action string
	Method string
	Nodes  []field
}

// field is one node ready for the template.
type field struct {
	ID, Name, Type, Label, Value, Pattern, Autocomplete string
	Required, Disabled, Checked, Hidden, Submit         bool
	Messages                                            []text.Message
}

// groupTitles name the forms of pages with several (settings).
var groupTitles = map[string]string{ui.GroupProfile: "Profile", ui.GroupPassword: "Password"}

// forms splits a flow's nodes into one form per method group, in the order
// the groups first appear; the default group (CSRF token, identifier)
// belongs to every form.
func forms(c ui.Container, titled bool, autocomplete func(name string) string) []form {
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
		f := form{Action: c.Action, Method: c.Method}
		if titled {
			f.Title = groupTitles[g]
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
			f.Nodes = append(f.Nodes, toField(g, n, autocomplete))
		}
		out = append(out, f)
	}
	return out
}

func toField(group string, n ui.Node, autocomplete func(string) string) field {
	a := n.Attributes
	f := field{
		ID: group + "-" + strings.ReplaceAll(a.Name, ".", "-"), Name: a.Name, Type: a.Type, Pattern: a.Pattern,
		Required: a.Required, Disabled: a.Disabled, Messages: n.Messages, Autocomplete: autocomplete(a.Name),
		Hidden: a.Type == "hidden", Submit: a.Type == "submit",
	}
	if a.Value != nil {
		f.Value = fmt.Sprint(a.Value)
	}
	if a.Type == "checkbox" {
		f.Checked = f.Value == "true"
	}
	if n.Meta.Label != nil {
		f.Label = n.Meta.Label.Text
	} else {
		f.Label = a.Name
	}
	return f
}
