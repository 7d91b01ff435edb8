package flow

import "encoding/json"

// Internal holds sections keyed by name, so a flow handler and its
// strategies (settings' kept submission, a TOTP key being enrolled) each
// keep their own state without overwriting another's.

// SetInternal stores v (nil removes it) under key in f.Internal.
func (f *Flow) SetInternal(key string, v any) error {
	sections := map[string]json.RawMessage{}
	if len(f.Internal) > 0 {
		_ = json.Unmarshal(f.Internal, &sections)
	}
	if v == nil {
		delete(sections, key)
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		sections[key] = b
	}
	b, err := json.Marshal(sections)
	if err != nil {
		return err
	}
	f.Internal = b
	return nil
}

// GetInternal reads the section key of f.Internal into v; false when there
// is none.
func (f *Flow) GetInternal(key string, v any) bool {
	var sections map[string]json.RawMessage
	if len(f.Internal) == 0 || json.Unmarshal(f.Internal, &sections) != nil {
		return false
	}
	raw, ok := sections[key]
	return ok && json.Unmarshal(raw, v) == nil
}
