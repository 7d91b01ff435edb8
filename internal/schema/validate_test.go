package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/schema"
)

// load compiles testdata schemas by id ("person" -> testdata/person.schema.json).
func load(t *testing.T, ids ...string) *schema.Registry {
	t.Helper()
	var refs []schema.Ref
	for _, id := range ids {
		refs = append(refs, schema.Ref{ID: id, URL: fileURL(t, id)})
	}
	r, err := schema.Load(context.Background(), "", refs)
	if err != nil {
		t.Fatalf("load %v: %v", ids, err)
	}
	return r
}

func fileURL(t *testing.T, id string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", id+".schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + p
}

func get(t *testing.T, r *schema.Registry, id string) *schema.Schema {
	t.Helper()
	s, ok := r.Schema(id)
	if !ok {
		t.Fatalf("schema %q is not in the registry (have %v)", id, r.IDs())
	}
	return s
}

// problems validates traits and returns "field kind property" per problem,
// sorted, or nil when the traits are valid.
func problems(t *testing.T, s *schema.Schema, traits string) []string {
	t.Helper()
	err := s.Validate(json.RawMessage(traits))
	if err == nil {
		return nil
	}
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate(%s) = %T %v, want *schema.ValidationError", traits, err, err)
	}
	if len(ve.Problems) == 0 {
		t.Fatalf("Validate(%s) returned a ValidationError without problems", traits)
	}
	var out []string
	for _, p := range ve.Problems {
		if p.Message == "" {
			t.Errorf("problem %+v has no message", p)
		}
		out = append(out, strings.TrimSpace(p.Field+" "+p.Kind+" "+p.Property))
	}
	sort.Strings(out)
	return out
}

// TestValidateMapsProblemsToFields: flows turn each problem into a message
// on one form field (4000002 "property X is missing" and so on), so the
// field, kind and missing property must be right.
func TestValidateMapsProblemsToFields(t *testing.T) {
	r := load(t, "person", "multi")
	person, multi := get(t, r, "person"), get(t, r, "multi")
	for _, tc := range []struct {
		name   string
		s      *schema.Schema
		traits string
		want   []string
	}{
		{"valid", person, `{"email":"a@example.com","name":{"first":"A"}}`, nil},
		{"required property missing", person, `{"name":{"first":"A"}}`, []string{"traits.email required email"}},
		{"empty object", person, `{}`, []string{"traits.email required email"}},
		{"bad email format", person, `{"email":"not-an-email"}`, []string{"traits.email format"}},
		{"too short", multi, `{"username":"ab"}`, []string{"traits.username min_length"}},
		{"several problems at once", multi, `{"username":"ab","emails":["ok@example.com","nope"]}`,
			[]string{"traits.emails.1 format", "traits.username min_length"}},
		{"required and format together", multi, `{"backup":"nope"}`, []string{"traits.backup format", "traits.username required username"}},
		{"unknown trait", person, `{"email":"a@example.com","role":"admin"}`, []string{"traits generic"}},
		{"wrong type", person, `{"email":42}`, []string{"traits.email generic"}},
		{"not an object", person, `["a@example.com"]`, []string{"traits generic"}},
		{"not JSON", person, `{"email":`, []string{"traits generic"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := problems(t, tc.s, tc.traits); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestUnknownTraitProblemNamesTheProperty: the message must say which
// property is not allowed, or the user cannot fix it.
func TestUnknownTraitProblemNamesTheProperty(t *testing.T) {
	err := get(t, load(t, "person"), "person").Validate(json.RawMessage(`{"email":"a@example.com","favourite_colour":"red"}`))
	if err == nil || !strings.Contains(err.Error(), "favourite_colour") {
		t.Errorf("Validate = %v, want it to name favourite_colour", err)
	}
}

// TestExtractCanonicalisesIdentifiersAndAddresses: the extension decides
// what is a login identifier and which addresses are verified or used for
// recovery; every value is stored in one canonical form so login, recovery
// and duplicate detection agree.
func TestExtractCanonicalisesIdentifiersAndAddresses(t *testing.T) {
	r := load(t, "person", "multi")
	person, multi := get(t, r, "person"), get(t, r, "multi")
	addr := func(vs ...string) []schema.Address {
		var out []schema.Address
		for _, v := range vs {
			out = append(out, schema.Address{Via: "email", Value: v})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		s      *schema.Schema
		traits string
		want   schema.Extracted
	}{
		{"email is trimmed and lower-cased", person, `{"email":"  Alice@Example.COM "}`,
			schema.Extracted{PasswordIdentifiers: []string{"alice@example.com"}, Verifiable: addr("alice@example.com"), Recovery: addr("alice@example.com")}},
		{"full-width letters fold by NFKC", person, `{"email":"ＡＬＩＣＥ@example.com"}`,
			schema.Extracted{PasswordIdentifiers: []string{"alice@example.com"}, Verifiable: addr("alice@example.com"), Recovery: addr("alice@example.com")}},
		{"ligatures fold by NFKC", person, `{"email":"ﬁnn@example.com"}`,
			schema.Extracted{PasswordIdentifiers: []string{"finn@example.com"}, Verifiable: addr("finn@example.com"), Recovery: addr("finn@example.com")}},
		{"a non-email identifier keeps its case", multi, `{"username":" BoB "}`,
			schema.Extracted{PasswordIdentifiers: []string{"BoB"}}},
		{"a non-email identifier is NFKC-folded too", multi, `{"username":"Ｂｏｂ"}`,
			schema.Extracted{PasswordIdentifiers: []string{"Bob"}}},
		{"array items each count, once", multi, `{"username":"bob","emails":["B@x.example","c@x.example","b@X.example"]}`,
			schema.Extracted{PasswordIdentifiers: []string{"bob", "b@x.example", "c@x.example"}, Verifiable: addr("b@x.example", "c@x.example"), Recovery: addr("b@x.example", "c@x.example")}},
		{"recovery-only address", multi, `{"username":"bob","backup":"Backup@x.example"}`,
			schema.Extracted{PasswordIdentifiers: []string{"bob"}, Recovery: addr("backup@x.example")}},
		{"empty and non-string values are skipped", multi, `{"username":"   ","emails":["",7,null]}`,
			schema.Extracted{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.Extract(json.RawMessage(tc.traits))
			if err != nil {
				t.Fatal(err)
			}
			sortExtracted(&got)
			sortExtracted(&tc.want)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Extract = %+v\nwant      %+v", got, tc.want)
			}
		})
	}
}

// sortExtracted makes the comparison independent of the order properties
// are visited in (JSON objects are unordered) and of nil vs empty.
func sortExtracted(e *schema.Extracted) {
	sort.Strings(e.PasswordIdentifiers)
	for _, l := range []*[]schema.Address{&e.Verifiable, &e.Recovery} {
		sort.Slice(*l, func(a, b int) bool { return (*l)[a].Value < (*l)[b].Value })
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(e.PasswordIdentifiers) == 0 {
		e.PasswordIdentifiers = nil
	}
}

// TestCanonicalIsIdempotent: canonicalising twice changes nothing, so a
// value read back from the database looks itself up.
func TestCanonicalIsIdempotent(t *testing.T) {
	for _, s := range []string{" Ａlice@Example.com ", "ﬁnn", "Ǆemal", "ß@straße.example", "İstanbul@x.example"} {
		for _, email := range []bool{true, false} {
			once := schema.Canonical(s, email)
			if twice := schema.Canonical(once, email); twice != once {
				t.Errorf("Canonical(%q, %v) = %q, but canonicalising that gives %q", s, email, once, twice)
			}
		}
	}
}

// TestIsEmailIdentifier: login canonicalises the typed identifier as an
// email only when the schema's identifiers are emails.
func TestIsEmailIdentifier(t *testing.T) {
	r := load(t, "person", "multi")
	if !get(t, r, "person").IsEmailIdentifier() {
		t.Error("person: email identifier not detected")
	}
	if !get(t, r, "multi").IsEmailIdentifier() {
		t.Error("multi: the emails array holds identifiers, not detected")
	}
	if !r.HasEmailIdentifiers() {
		t.Error("HasEmailIdentifiers = false")
	}
}
