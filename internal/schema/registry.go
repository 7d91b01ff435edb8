package schema

import (
	"context"
	"fmt"
	"sort"

	"github.com/latchkey/latchkey/internal/urlfile"
)

// Ref names a schema and where to load it from, as in identity.schemas[].
type Ref struct {
	ID  string
	URL string
}

// Registry holds every configured schema, loaded and compiled at start.
type Registry struct {
	byID      map[string]*Schema
	defaultID string
}

// Load fetches and compiles the default schema and the extra ones. An empty
// defaultURL selects the built-in email-and-password schema.
func Load(ctx context.Context, defaultURL string, extra []Ref) (*Registry, error) {
	r := &Registry{byID: map[string]*Schema{}, defaultID: DefaultID}
	refs := append([]Ref{{ID: DefaultID, URL: defaultURL}}, extra...)
	for _, ref := range refs {
		if ref.ID == "" {
			return nil, fmt.Errorf("identity.schemas: an entry has no id")
		}
		if _, dup := r.byID[ref.ID]; dup {
			if ref.ID == DefaultID && ref.URL == defaultURL {
				continue
			}
			return nil, fmt.Errorf("identity.schemas: id %q is used twice", ref.ID)
		}
		raw := defaultSchema
		if ref.URL != "" {
			var err error
			if raw, err = urlfile.Read(ctx, ref.URL); err != nil {
				return nil, fmt.Errorf("identity schema %q: %w", ref.ID, err)
			}
		}
		s, err := compile(ref.ID, ref.URL, raw)
		if err != nil {
			return nil, err
		}
		r.byID[ref.ID] = s
	}
	return r, nil
}

// Schema returns the schema with an id.
func (r *Registry) Schema(id string) (*Schema, bool) {
	s, ok := r.byID[id]
	return s, ok
}

// Default returns the schema used when none is named.
func (r *Registry) Default() *Schema { return r.byID[r.defaultID] }

// IDs lists the schema ids, sorted.
func (r *Registry) IDs() []string {
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// HasEmailIdentifiers reports whether any schema uses email addresses as
// password identifiers.
func (r *Registry) HasEmailIdentifiers() bool {
	for _, s := range r.byID {
		if s.IsEmailIdentifier() {
			return true
		}
	}
	return false
}
