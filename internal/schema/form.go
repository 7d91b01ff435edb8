package schema

import "strconv"

// CoerceFormValues converts form values (always strings) to the types the
// schema wants for number and checkbox fields.
func CoerceFormValues(traits map[string]any, fields []Field) {
	for _, f := range fields {
		path := splitName(f.Name)
		parent := traits
		for _, p := range path[:len(path)-1] {
			next, ok := parent[p].(map[string]any)
			if !ok {
				parent = nil
				break
			}
			parent = next
		}
		if parent == nil {
			continue
		}
		leaf := path[len(path)-1]
		str, ok := parent[leaf].(string)
		if !ok {
			continue
		}
		switch f.Type {
		case "number":
			if n, err := strconv.ParseFloat(str, 64); err == nil {
				parent[leaf] = n
			} else if str == "" {
				delete(parent, leaf)
			}
		case "checkbox":
			parent[leaf] = str == "true" || str == "on" || str == "1"
		default:
			if str == "" {
				delete(parent, leaf) // an empty optional field is absent
			}
		}
	}
}

// splitName turns "traits.name.first" into ["name", "first"].
func splitName(name string) []string {
	var out []string
	start := len("traits.")
	for i := start; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			out = append(out, name[start:i])
			start = i + 1
		}
	}
	return out
}

// TraitValue reads a field's value from traits, for refilling forms.
func TraitValue(traits map[string]any, name string) (any, bool) {
	var v any = traits
	for _, p := range splitName(name) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

// ParseTraits reads submitted traits: a JSON object, or nested form values
// converted to the schema's types. ok is false when traits is not an object.
func (s *Schema) ParseTraits(raw any, fromForm bool) (map[string]any, bool) {
	if raw == nil {
		return map[string]any{}, true
	}
	traits, ok := raw.(map[string]any)
	if !ok {
		return nil, false
	}
	if fromForm {
		CoerceFormValues(traits, s.fields)
	}
	return traits, true
}
