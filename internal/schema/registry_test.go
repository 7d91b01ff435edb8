package schema_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/schema"
)

func readTestdata(t *testing.T, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", id+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("JSON differs:\n got %s\nwant %s", gb, wb)
	}
}

// TestLoadFromEveryURLForm: configs name schemas by file://, a plain path,
// base64:// (inline in an environment variable) or http(s)://.
func TestLoadFromEveryURLForm(t *testing.T) {
	raw := readTestdata(t, "person")
	abs, _ := filepath.Abs(filepath.Join("testdata", "person.schema.json"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/person.schema.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/schema+json")
		_, _ = w.Write(raw)
	}))
	defer srv.Close()

	for name, url := range map[string]string{
		"file URL":          "file://" + abs,
		"plain path":        abs,
		"base64 standard":   "base64://" + base64.StdEncoding.EncodeToString(raw),
		"base64 URL-safe":   "base64://" + base64.RawURLEncoding.EncodeToString(raw),
		"http":              srv.URL + "/person.schema.json",
		"relative file":     "file://testdata/person.schema.json",
		"file on localhost": "file://localhost" + abs,
	} {
		t.Run(name, func(t *testing.T) {
			r, err := schema.Load(context.Background(), url, []schema.Ref{{ID: "extra", URL: url}})
			if err != nil {
				t.Fatalf("Load(%s): %v", url, err)
			}
			for _, id := range []string{"default", "extra"} {
				s := get(t, r, id)
				sameJSON(t, s.Raw, raw)
				// Loaded, not just read: the schema validates.
				if err := s.Validate(json.RawMessage(`{"email":"x@example.com"}`)); err != nil {
					t.Errorf("%s: valid traits refused: %v", id, err)
				}
				if err := s.Validate(json.RawMessage(`{}`)); err == nil {
					t.Errorf("%s: traits without the required email accepted", id)
				}
			}
		})
	}
}

// TestLoadRefusesBadSchemas: a broken schema must stop start-up with a
// message naming it, not fail requests later.
func TestLoadRefusesBadSchemas(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(notJSON, []byte(`{"type":`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		refs []schema.Ref
		want string
	}{
		{"missing file", []schema.Ref{{ID: "gone", URL: "file://" + filepath.Join(dir, "nope.json")}}, "gone"},
		{"not JSON", []schema.Ref{{ID: "broken", URL: "file://" + notJSON}}, "broken"},
		{"no traits object", []schema.Ref{{ID: "flat", URL: fileURL(t, "no-traits")}}, "traits"},
		{"unsupported via", []schema.Ref{{ID: "phone", URL: fileURL(t, "sms")}}, "sms"},
		{"http 404", []schema.Ref{{ID: "remote", URL: srv.URL + "/missing.json"}}, "remote"},
		{"unsupported scheme", []schema.Ref{{ID: "ftp", URL: "ftp://example.com/s.json"}}, "ftp"},
		{"bad base64", []schema.Ref{{ID: "b64", URL: "base64://%%%not-base64%%%"}}, "b64"},
		{"no id", []schema.Ref{{ID: "", URL: fileURL(t, "person")}}, "id"},
		{"id used twice", []schema.Ref{{ID: "p", URL: fileURL(t, "person")}, {ID: "p", URL: fileURL(t, "multi")}}, `"p"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := schema.Load(context.Background(), "", tc.refs)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %s", err, tc.want)
			}
		})
	}
}

// TestBuiltInDefaultSchema: without default_schema_url, an email-and-
// password schema applies.
func TestBuiltInDefaultSchema(t *testing.T) {
	r, err := schema.Load(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Default()
	if d == nil || d.ID != schema.DefaultID {
		t.Fatalf("Default() = %+v, want the %q schema", d, schema.DefaultID)
	}
	if !d.IsEmailIdentifier() {
		t.Error("the built-in schema's identifier is not an email")
	}
	ext, err := d.Extract(json.RawMessage(`{"email":"Me@Example.com"}`))
	if err != nil || len(ext.PasswordIdentifiers) != 1 || ext.PasswordIdentifiers[0] != "me@example.com" ||
		len(ext.Verifiable) != 1 || len(ext.Recovery) != 1 {
		t.Errorf("built-in schema Extract = %+v, %v", ext, err)
	}
	if err := d.Validate(json.RawMessage(`{"name":"No Email"}`)); err == nil {
		t.Error("the built-in schema accepts traits without an email")
	}
	if ids := r.IDs(); len(ids) != 1 || ids[0] != "default" {
		t.Errorf("IDs = %v, want [default]", ids)
	}
}
