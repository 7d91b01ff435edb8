package schema_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// TestGetSchemaOnBothPorts: GET /schemas/{id} serves every configured
// schema on both ports, and 404 in the error envelope for an unknown id;
// an identity's schema_url leads there.
func TestGetSchemaOnBothPorts(t *testing.T) {
	personURL := fileURL(t, "person")
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.Identity.Schemas = []config.SchemaRef{{ID: "person", URL: personURL}}
	}))
	person := readTestdata(t, "person")
	for _, base := range []string{srv.PublicURL, srv.AdminURL} {
		for _, tc := range []struct {
			id     string
			status int
		}{{"person", 200}, {"default", 200}, {"nope", 404}, {"person.json", 404}, {"..%2Fperson", 404}} {
			t.Run(base+tc.id, func(t *testing.T) {
				resp, err := http.Get(base + "schemas/" + tc.id)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
				}
				if tc.status == 404 {
					var env struct {
						Error struct {
							Code   int    `json:"code"`
							Status string `json:"status"`
						} `json:"error"`
					}
					if json.Unmarshal(body, &env) != nil || env.Error.Code != 404 || env.Error.Status != "Not Found" {
						t.Errorf("404 body is not the error envelope: %s", body)
					}
					return
				}
				var doc map[string]any
				if err := json.Unmarshal(body, &doc); err != nil || doc["properties"] == nil {
					t.Errorf("body is not the schema: %s", body)
				}
				if tc.id == "person" {
					sameJSON(t, body, person)
				}
			})
		}
	}

	// The SDK reads schemas from either API, and an identity's schema_url
	// is where its schema is served.
	ctx := context.Background()
	sdk := func(base string) *client.APIClient {
		cfg := client.NewConfiguration()
		cfg.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
		return client.NewAPIClient(cfg)
	}
	if doc, _, err := sdk(srv.PublicURL).PublicApi.GetSchema(ctx, "person").Execute(); err != nil || doc["$id"] != "https://latchkey.test/schemas/person.json" {
		t.Errorf("SDK PublicApi.GetSchema = %v, %v", doc, err)
	}
	admin := sdk(srv.AdminURL).AdminApi
	if _, resp, err := admin.GetSchema(ctx, "nope").Execute(); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Errorf("SDK AdminApi.GetSchema of an unknown id: %v, want a 404 error", err)
	}
	created, _, err := admin.CreateIdentity(ctx).CreateIdentity(*client.NewCreateIdentity("person",
		map[string]interface{}{"email": "p@example.com", "name": map[string]interface{}{"first": "P"}})).Execute()
	if err != nil {
		t.Fatalf("create an identity with the person schema: %v", err)
	}
	if created.SchemaUrl != srv.PublicURL+"schemas/person" {
		t.Fatalf("schema_url = %q", created.SchemaUrl)
	}
	resp, err := http.Get(created.SchemaUrl)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sameJSON(t, body, person)
}
