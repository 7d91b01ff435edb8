package schema

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
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

// maxSchemaBytes bounds what a schema URL may return.
const maxSchemaBytes = 1 << 20

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
			if raw, err = fetch(ctx, ref.URL); err != nil {
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

func fetch(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Host != "" && u.Host != "localhost" {
			path = u.Host + u.Path // file://relative/path.json
		}
		return os.ReadFile(path)
	case "base64":
		enc := strings.TrimPrefix(raw, "base64://")
		for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := e.DecodeString(enc); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("base64:// schema is not valid base64")
	case "http", "https":
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s answered %s", raw, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, maxSchemaBytes))
	case "":
		return os.ReadFile(raw) // a plain path, as many configs write it
	}
	return nil, fmt.Errorf("schema URL scheme %q is not supported (file://, base64://, http(s)://)", u.Scheme)
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
