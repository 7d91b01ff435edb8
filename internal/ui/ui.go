// Package ui is the form a flow asks a client to render: a container with an
// action URL, a method, messages and nodes (inputs), grouped by method.
package ui

import (
	"strings"

	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/text"
)

// Container is a flow's form.
type Container struct {
	Action   string         `json:"action"`
	Method   string         `json:"method"`
	Nodes    []Node         `json:"nodes"`
	Messages []text.Message `json:"messages,omitempty"`
}

// Node groups.
const (
	GroupDefault  = "default"
	GroupPassword = "password"
	GroupProfile  = "profile"
	GroupLink     = "link"
	GroupWebAuthn = "webauthn"
	GroupTOTP     = "totp"
	GroupLookup   = "lookup_secret"
)

// Node is one input of the form.
type Node struct {
	Type       string         `json:"type"`
	Group      string         `json:"group"`
	Attributes Attributes     `json:"attributes"`
	Messages   []text.Message `json:"messages"`
	Meta       Meta           `json:"meta"`
}

// Attributes of an input node. Only the reference's keys appear on the wire,
// because its SDK decodes them strictly.
type Attributes struct {
	Name     string `json:"name,omitempty"`
	Type     string `json:"type"`
	Value    any    `json:"value,omitempty"`
	Required bool   `json:"required,omitempty"`
	Disabled bool   `json:"disabled"`
	Pattern  string `json:"pattern,omitempty"`

	// The later versions' input attributes, on the nodes that need them.
	Autocomplete   string `json:"autocomplete,omitempty"`
	OnClick        string `json:"onclick,omitempty"`
	OnClickTrigger string `json:"onclickTrigger,omitempty"`

	// A script node's attributes (node type "script", later versions).
	NodeType       string `json:"node_type,omitempty"`
	ID             string `json:"id,omitempty"`
	Src            string `json:"src,omitempty"`
	Async          bool   `json:"async,omitempty"`
	ReferrerPolicy string `json:"referrerpolicy,omitempty"`
	CrossOrigin    string `json:"crossorigin,omitempty"`
	Integrity      string `json:"integrity,omitempty"`
	Nonce          string `json:"nonce,omitempty"`

	// ImageSrc (img nodes) and Text (text nodes) are the only attributes
	// of those nodes on the wire; Name then stays on Latchkey's side.
	ImageSrc string        `json:"-"`
	Text     *text.Message `json:"-"`
}

// Meta carries a node's label.
type Meta struct {
	Label *text.Message `json:"label,omitempty"`
}

// Input makes an input node.
func Input(group, name, typ string, value any, required bool, label *text.Message) Node {
	return Node{Type: "input", Group: group, Attributes: Attributes{Name: name, Type: typ, Value: value, Required: required}, Meta: Meta{Label: label}}
}

// Script makes a script node, as the later versions load their WebAuthn
// script: asynchronously, anonymous, without a referrer, pinned by its
// digest.
func Script(group, id, src, integrity, nonce string) Node {
	return Node{Type: "script", Group: group, Attributes: Attributes{
		NodeType: "script", ID: id, Type: "text/javascript", Src: src, Async: true,
		ReferrerPolicy: "no-referrer", CrossOrigin: "anonymous", Integrity: integrity, Nonce: nonce,
	}}
}

// Label returns a pointer to a message, for Meta.Label.
func Label(m text.Message) *text.Message { return &m }

// CSRFNode is the hidden anti-CSRF input every form carries; api flows
// carry it empty.
func CSRFNode(token string) Node {
	return Input(GroupDefault, "csrf_token", "hidden", token, true, nil)
}

// Node returns the first node with a name, or nil.
func (c *Container) Node(name string) *Node {
	for k := range c.Nodes {
		if c.Nodes[k].Attributes.Name == name {
			return &c.Nodes[k]
		}
	}
	return nil
}

// SetValue sets the value of the node with a name, if there is one.
func (c *Container) SetValue(name string, v any) {
	if n := c.Node(name); n != nil {
		n.Attributes.Value = v
	}
}

// AddNodeMessage attaches a message to the node with a name, or to the
// form when no node has it.
func (c *Container) AddNodeMessage(name string, m text.Message) {
	if n := c.Node(name); n != nil {
		n.Messages = append(n.Messages, m)
		return
	}
	c.Messages = append(c.Messages, m)
}

// AddMessage attaches a message to the form.
func (c *Container) AddMessage(m text.Message) { c.Messages = append(c.Messages, m) }

// ResetMessages clears all messages before a new submission is judged.
func (c *Container) ResetMessages() {
	c.Messages = nil
	for k := range c.Nodes {
		c.Nodes[k].Messages = nil
	}
}

// HasErrors reports whether any message is an error.
func (c *Container) HasErrors() bool {
	for _, m := range c.Messages {
		if m.Type == "error" {
			return true
		}
	}
	for _, n := range c.Nodes {
		for _, m := range n.Messages {
			if m.Type == "error" {
				return true
			}
		}
	}
	return false
}

// RemoveGroup drops every node of a group, before a strategy re-adds them.
func (c *Container) RemoveGroup(group string) {
	out := c.Nodes[:0]
	for _, n := range c.Nodes {
		if n.Group != group {
			out = append(out, n)
		}
	}
	c.Nodes = out
}

// TraitNode makes the input of one trait, labelled with the schema title.
func TraitNode(group string, f schema.Field, value any) Node {
	var label *text.Message
	if f.Title != "" {
		label = Label(text.LabelGenerated(f.Title))
	}
	// Never required, even for properties the schema requires: the
	// reference leaves that to the schema check on submit.
	n := Input(group, f.Name, f.Type, value, false, label)
	n.Attributes.Pattern = f.Pattern
	return n
}

// Submit makes a method's submit button.
func Submit(group, method string, label text.Message) Node {
	return Input(group, "method", "submit", method, false, Label(label))
}

// AddSchemaProblems puts each problem of a traits validation on the node of
// the trait it concerns, with the reference's message ids.
func (c *Container) AddSchemaProblems(ve *schema.ValidationError) {
	for _, p := range ve.Problems {
		m := text.SchemaViolation(p.Message)
		if p.Kind == schema.ProblemRequired {
			m = text.Required(p.Property)
		}
		n := c.Node(p.Field)
		if n == nil {
			// A path no input has (an unknown trait: "traits") gets a
			// node of its own, as in the reference.
			c.Nodes = append(c.Nodes, Input(GroupDefault, p.Field, "text", nil, false, nil))
			n = &c.Nodes[len(c.Nodes)-1]
		}
		n.Messages = append(n.Messages, m)
	}
}

// ClearTraitValues empties every trait input, as the reference leaves them
// after a duplicate identifier: the submitted traits are not echoed.
func (c *Container) ClearTraitValues() {
	for k := range c.Nodes {
		if strings.HasPrefix(c.Nodes[k].Attributes.Name, "traits.") {
			c.Nodes[k].Attributes.Value = nil
		}
	}
}

// SetTraitValues refills trait inputs with submitted or stored values.
func (c *Container) SetTraitValues(fields []schema.Field, traits map[string]any) {
	for _, f := range fields {
		if v, ok := schema.TraitValue(traits, f.Name); ok {
			c.SetValue(f.Name, v)
		}
	}
}
