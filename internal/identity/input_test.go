package identity_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const validBody = `{"schema_id":"default","traits":{"email":"ok@example.com","name":"Ok"}}`

// badBodies are inputs a lenient decoder would accept, misread or choke
// on. Each must get a clear 4xx in the error envelope and write nothing.
var badBodies = []struct {
	name, contentType, body string
	status                  int
}{
	{"malformed JSON", "application/json", `{"traits":{"email": }}`, 400},
	{"truncated JSON", "application/json", `{"schema_id":"default","traits":{"email":"t@example.com"`, 400},
	{"unknown top-level field", "application/json", `{"traits":{"email":"u@example.com"},"credentials":{"password":"x"}}`, 400},
	{"trait the schema does not have", "application/json", `{"traits":{"email":"u@example.com","admin":true}}`, 400},
	{"duplicate key in traits", "application/json", `{"traits":{"email":"a@example.com","email":"b@example.com"}}`, 400},
	{"duplicate top-level key", "application/json", `{"traits":{"email":"a@example.com"},"traits":{"email":"b@example.com"}}`, 400},
	{"escaped NUL in a string", "application/json", `{"traits":{"email":"nul\u0000@example.com"}}`, 400},
	{"raw NUL byte", "application/json", "{\"traits\":{\"email\":\"n@example.com\"}}\x00", 400},
	{"NUL in a key", "application/json", `{"traits":{"email":"k@example.com","na\u0000me":"x"}}`, 400},
	{"invalid UTF-8", "application/json", "{\"traits\":{\"email\":\"\xff\xfe@example.com\"}}", 400},
	{"trailing data", "application/json", validBody + `{"more":1}`, 400},
	{"trailing array", "application/json", `[1][2]`, 400},
	{"trailing garbage", "application/json", validBody + ` x`, 400},
	{"empty body", "application/json", ``, 400},
	{"whitespace body", "application/json", " \n\t ", 400},
	{"JSON null", "application/json", `null`, 400},
	{"JSON array", "application/json", `[` + validBody + `]`, 400},
	{"JSON string", "application/json", `"hello"`, 400},
	{"empty object", "application/json", `{}`, 400},
	{"traits of the wrong type", "application/json", `{"traits":"ok@example.com"}`, 400},
	{"schema_id of the wrong type", "application/json", `{"schema_id":7,"traits":{"email":"s@example.com"}}`, 400},
	{"number where a string belongs", "application/json", `{"traits":{"email":"n@example.com","name":1e400}}`, 400},
	{"nesting deeper than any decoder allows", "application/json", `{"traits":{"email":"d@example.com","name":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}}`, 400},
	{"plain text", "text/plain", validBody, 415},
	{"form", "application/x-www-form-urlencoded", `traits.email=f@example.com`, 415},
	{"no content type", "", validBody, 415},
	{"JSON look-alike type", "application/json-patch+json", validBody, 415},
	{"body over the limit", "application/json", `{"traits":{"email":"big@example.com","name":"` + strings.Repeat("a", httpx.MaxBodyBytes) + `"}}`, 413},
	{"a 1 MB trait value", "application/json", `{"traits":{"email":"huge@example.com","name":"` + strings.Repeat("é", 512<<10) + `"}}`, 413},
}

// knownBugs are bad-body cases that fail because of a production bug; they
// are skipped with the bug named until it is fixed.
var knownBugs = map[string]string{}

// TestBadInputIsRefusedAndWritesNothing sends each bad body to POST
// /identities and PUT /identities/{id}, on every database (NUL bytes, for
// one, are storable in SQLite but not in PostgreSQL: they must be refused
// before any database sees them).
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		existing := e.createRaw(`{"email":"existing@example.com","name":"Before"}`)
		id := existing["id"].(string)
		before := e.admin("GET", "identities/"+id, "", nil).Body

		for _, tc := range badBodies {
			for _, target := range []struct{ method, path string }{{"POST", "identities"}, {"PUT", "identities/" + id}} {
				t.Run(target.method+"/"+tc.name, func(t *testing.T) {
					if bug := knownBugs[tc.name]; bug != "" {
						t.Skip(bug)
					}
					r := e.admin(target.method, target.path, tc.contentType, []byte(tc.body))
					sdk.WantError(t, r, tc.status)
				})
			}
		}
		if n := e.countRows("identities", ""); n != 1 {
			t.Errorf("%d identities after refused input, want 1", n)
		}
		if n := e.countRows("identity_verifiable_addresses", ""); n != 1 {
			t.Errorf("%d verifiable addresses after refused input, want 1", n)
		}
		if after := e.admin("GET", "identities/"+id, "", nil).Body; !bytes.Equal(after, before) {
			t.Errorf("refused updates changed the identity:\n got %s\nwant %s", after, before)
		}

		// The same server still takes a good body, with a charset parameter.
		if r := e.admin("POST", "identities", "application/json; charset=utf-8", []byte(validBody)); r.Status != http.StatusCreated {
			t.Errorf("valid body after the refusals: %d %s", r.Status, r.Body)
		}
	})
}

// TestOversizedBodyWithoutLengthIsRefused: a chunked body declares no
// Content-Length, so the limit must hold while reading.
func TestOversizedBodyWithoutLengthIsRefused(t *testing.T) {
	e := startSQLite(t)
	payload := `{"traits":{"email":"chunk@example.com","name":"` + strings.Repeat("b", 2*httpx.MaxBodyBytes) + `"}}`
	// io.MultiReader hides the length from net/http, which then chunks.
	req, err := http.NewRequestWithContext(context.Background(), "POST", e.srv.AdminURL+"identities", io.MultiReader(strings.NewReader(payload)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if req.ContentLength != 0 {
		t.Fatalf("the request declared a length; the test needs a chunked body")
	}
	sdk.WantError(t, sdk.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, http.StatusRequestEntityTooLarge)
	if n := e.countRows("identities", ""); n != 0 {
		t.Errorf("%d identities stored from an oversized body", n)
	}
}
