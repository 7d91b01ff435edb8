package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var english = message.NewPrinter(language.English)

// Validate checks traits (a JSON object) against the schema. It returns a
// *ValidationError for traits that break it; any other error is a bug.
func (s *Schema) Validate(traits json.RawMessage) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(traits))
	if err != nil {
		return &ValidationError{Problems: []Problem{{Field: "traits", Kind: ProblemGeneric, Message: "traits are not valid JSON"}}}
	}
	if _, ok := inst.(map[string]any); !ok {
		return &ValidationError{Problems: []Problem{{Field: "traits", Kind: ProblemGeneric, Message: ErrNotObject.Error()}}}
	}
	err = s.compiled.Validate(map[string]any{"traits": inst})
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate traits: %w", err)
	}
	out := &ValidationError{}
	seen := map[string]bool{}
	collect(ve, out, seen)
	if len(out.Problems) == 0 {
		out.Problems = []Problem{{Field: "traits", Kind: ProblemGeneric, Message: "traits do not match the identity schema"}}
	}
	return out
}

// collect flattens the library's error tree into one problem per leaf cause.
func collect(ve *jsonschema.ValidationError, out *ValidationError, seen map[string]bool) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, out, seen)
		}
		return
	}
	field := strings.Join(ve.InstanceLocation, ".")
	if field == "" {
		field = "traits"
	}
	p := Problem{Field: field, Kind: ProblemGeneric, Message: ve.ErrorKind.LocalizedString(english)}
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			q := Problem{Field: field + "." + m, Kind: ProblemRequired, Property: m, Message: fmt.Sprintf("Property %s is missing.", m)}
			if !seen[q.Field] {
				seen[q.Field] = true
				out.Problems = append(out.Problems, q)
			}
		}
		return
	case *kind.Format:
		p.Kind = ProblemFormat
		p.Message = fmt.Sprintf("%q is not valid %q", fmt.Sprint(k.Got), k.Want)
	case *kind.MinLength:
		p.Kind = ProblemMinLength
		p.Message = fmt.Sprintf("length must be >= %d, but got %d", k.Want, k.Got)
	case *kind.MaxLength:
		p.Message = fmt.Sprintf("length must be <= %d, but got %d", k.Want, k.Got)
	case *kind.Pattern:
		p.Message = fmt.Sprintf("does not match pattern %q", k.Want)
	case *kind.AdditionalProperties:
		quoted := make([]string, len(k.Properties))
		for n, name := range k.Properties {
			quoted[n] = fmt.Sprintf("%q", name)
		}
		p.Message = fmt.Sprintf("additionalProperties %s not allowed", strings.Join(quoted, ", "))
	}
	if !seen[p.Field] {
		seen[p.Field] = true
		out.Problems = append(out.Problems, p)
	}
}
