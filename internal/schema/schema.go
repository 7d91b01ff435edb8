package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed default.schema.json
var defaultSchema []byte

// DefaultID is the id of the schema named by identity.default_schema_url.
const DefaultID = "default"

// Schema is one compiled identity schema.
type Schema struct {
	ID       string
	URL      string
	Raw      json.RawMessage // served as is by GET /schemas/{id}
	compiled *jsonschema.Schema
	fields   []Field
	ext      []extension
}

// Field is one trait leaf a form shows: its node name, input type, label and
// constraints, in schema order.
type Field struct {
	Name     string // "traits.email"
	Type     string // input type: email, text, number, checkbox, date, url, tel
	Title    string
	Required bool
	Pattern  string
}

// Fields lists the schema's trait inputs for forms.
func (s *Schema) Fields() []Field { return s.fields }

func compile(id, url string, raw []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schema %q is not valid JSON: %w", id, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	loc := "latchkey-schema:///" + id
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("schema %q: %w", id, err)
	}
	compiled, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("schema %q does not compile: %w", id, err)
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("schema %q is not a JSON object: %w", id, err)
	}
	traits, _ := dig(tree, "properties", "traits").(map[string]any)
	if traits == nil {
		return nil, fmt.Errorf("schema %q has no properties.traits object", id)
	}
	s := &Schema{ID: id, URL: url, Raw: compactJSON(raw), compiled: compiled}
	s.fields = collectFields(traits, "traits", true)
	s.ext, err = collectExtensions(traits, nil)
	if err != nil {
		return nil, fmt.Errorf("schema %q: %w", id, err)
	}
	return s, nil
}

func compactJSON(raw []byte) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// collectFields walks object properties in a stable order: JSON objects are
// unordered once decoded, so properties are sorted with required ones first,
// then by name. Nested objects contribute their own leaves.
func collectFields(obj map[string]any, prefix string, parentRequired bool) []Field {
	props, _ := obj["properties"].(map[string]any)
	required := map[string]bool{}
	if list, ok := obj["required"].([]any); ok {
		for _, r := range list {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if required[names[i]] != required[names[j]] {
			return required[names[i]]
		}
		return names[i] < names[j]
	})
	var out []Field
	for _, n := range names {
		p, _ := props[n].(map[string]any)
		if p == nil {
			continue
		}
		name := prefix + "." + n
		typ, _ := p["type"].(string)
		if typ == "object" {
			out = append(out, collectFields(p, name, parentRequired && required[n])...)
			continue
		}
		if typ == "array" {
			continue // lists have no single input; clients edit them as JSON
		}
		f := Field{Name: name, Type: inputType(p), Required: parentRequired && required[n]}
		f.Title, _ = p["title"].(string)
		f.Pattern, _ = p["pattern"].(string)
		out = append(out, f)
	}
	return out
}

func inputType(p map[string]any) string {
	typ, _ := p["type"].(string)
	format, _ := p["format"].(string)
	switch typ {
	case "number", "integer":
		return "number"
	case "boolean":
		return "checkbox"
	}
	switch format {
	case "email":
		return "email"
	case "date":
		return "date"
	case "uri":
		return "url"
	case "tel":
		return "tel"
	case "date-time":
		return "datetime-local"
	}
	return "text"
}

// ValidationError lists what is wrong with a set of traits, one problem per
// offending trait, in a form flows turn into UI messages.
type ValidationError struct{ Problems []Problem }

// Problem kinds map onto the reference's message ids.
const (
	ProblemRequired  = "required"
	ProblemFormat    = "format"
	ProblemMinLength = "min_length"
	ProblemGeneric   = "generic"
)

// Problem is one failed rule.
type Problem struct {
	Field    string // node name: "traits.email"; "traits" for the object itself
	Kind     string
	Property string // the missing property, for ProblemRequired
	Message  string
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, p := range e.Problems {
		parts = append(parts, p.Field+": "+p.Message)
	}
	return "traits do not match the identity schema: " + strings.Join(parts, "; ")
}

// ErrNotObject is returned for traits that are not a JSON object.
var ErrNotObject = errors.New("traits must be a JSON object")
