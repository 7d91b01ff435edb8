package identity_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSDKIdentityRoundTrip is the compatibility promise for the admin API:
// an identity created through the reference's Go SDK reads back
// identically, from GET and from the list, on every database.
func TestSDKIdentityRoundTrip(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		ctx := context.Background()
		admin := e.sdk.AdminApi

		traits := map[string]interface{}{"email": "Alice@Example.COM", "name": "Alice"}
		created, resp, err := admin.CreateIdentity(ctx).CreateIdentity(*client.NewCreateIdentity("default", traits)).Execute()
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("CreateIdentity: %d %v", sdk.Status(t, resp, err), err)
		}
		if loc := resp.Header.Get("Location"); loc != e.srv.AdminURL+"identities/"+created.Id {
			t.Errorf("Location = %q, want the identity's admin URL", loc)
		}
		if created.SchemaId != "default" || created.SchemaUrl != e.srv.PublicURL+"schemas/default" {
			t.Errorf("schema_id %q, schema_url %q; want default and %sschemas/default", created.SchemaId, created.SchemaUrl, e.srv.PublicURL)
		}
		if got := sdk.JSON(t, created.Traits); got != `{"email":"Alice@Example.COM","name":"Alice"}` {
			t.Errorf("traits = %s, want them as sent", got)
		}
		if created.CreatedAt == nil || created.UpdatedAt == nil {
			t.Fatalf("created_at or updated_at missing: %s", sdk.JSON(t, created))
		}
		// The address is the canonical (lower-cased) email; identities made
		// by the admin API have not been mailed, so they are pending.
		va := created.GetVerifiableAddresses()
		if len(va) != 1 || va[0].Value != "alice@example.com" || va[0].Via != "email" || va[0].Verified || va[0].Status != "pending" || va[0].VerifiedAt != nil {
			t.Errorf("verifiable_addresses = %s", sdk.JSON(t, va))
		}
		ra := created.GetRecoveryAddresses()
		if len(ra) != 1 || ra[0].Value != "alice@example.com" || ra[0].Via != "email" {
			t.Errorf("recovery_addresses = %s", sdk.JSON(t, ra))
		}

		got, resp, err := admin.GetIdentity(ctx, created.Id).Execute()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GetIdentity: %d %v", sdk.Status(t, resp, err), err)
		}
		if a, b := sdk.JSON(t, got), sdk.JSON(t, created); a != b {
			t.Errorf("GetIdentity differs from what CreateIdentity returned:\n got %s\nwant %s", a, b)
		}

		list, resp, err := admin.ListIdentities(ctx).Execute()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("ListIdentities: %d %v", sdk.Status(t, resp, err), err)
		}
		if len(list) != 1 || sdk.JSON(t, list[0]) != sdk.JSON(t, created) {
			t.Errorf("ListIdentities = %s, want exactly the created identity", sdk.JSON(t, list))
		}

		// Same email (other case), new name: the address row stays.
		upd := client.NewUpdateIdentity(map[string]interface{}{"email": "alice@example.com", "name": "Alice Liddell"})
		updated, resp, err := admin.UpdateIdentity(ctx, created.Id).UpdateIdentity(*upd).Execute()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("UpdateIdentity: %d %v", sdk.Status(t, resp, err), err)
		}
		if updated.Id != created.Id || !updated.CreatedAt.Equal(*created.CreatedAt) || updated.UpdatedAt.Before(*created.UpdatedAt) {
			t.Errorf("update changed id or created_at, or moved updated_at back: %s", sdk.JSON(t, updated))
		}
		if sdk.JSON(t, updated.Traits) != `{"email":"alice@example.com","name":"Alice Liddell"}` {
			t.Errorf("updated traits = %s", sdk.JSON(t, updated.Traits))
		}
		if sdk.JSON(t, updated.VerifiableAddresses) != sdk.JSON(t, created.VerifiableAddresses) {
			t.Errorf("unchanged email got a new address: %s, was %s", sdk.JSON(t, updated.VerifiableAddresses), sdk.JSON(t, created.VerifiableAddresses))
		}
		reread, _, err := admin.GetIdentity(ctx, created.Id).Execute()
		if err != nil || sdk.JSON(t, reread) != sdk.JSON(t, updated) {
			t.Errorf("GetIdentity after update = %s (%v), want %s", sdk.JSON(t, reread), err, sdk.JSON(t, updated))
		}

		resp, err = admin.DeleteIdentity(ctx, created.Id).Execute()
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("DeleteIdentity: %d %v", sdk.Status(t, resp, err), err)
		}
		if _, resp, err = admin.GetIdentity(ctx, created.Id).Execute(); sdk.Status(t, resp, err) != http.StatusNotFound {
			t.Errorf("GetIdentity after delete: %d, want 404", resp.StatusCode)
		}
		if resp, err = admin.DeleteIdentity(ctx, created.Id).Execute(); sdk.Status(t, resp, err) != http.StatusNotFound {
			t.Errorf("DeleteIdentity twice: %d, want 404", resp.StatusCode)
		}
		if list, _, _ = admin.ListIdentities(ctx).Execute(); len(list) != 0 {
			t.Errorf("ListIdentities after delete = %s, want []", sdk.JSON(t, list))
		}
	})
}

// TestAdminStatuses checks the status of each refusal and that a refused
// write leaves the stored identities as they were.
func TestAdminStatuses(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		alice := e.createRaw(`{"email":"alice@example.com"}`)
		bob := e.createRaw(`{"email":"bob@example.com"}`)
		aliceID, bobID := alice["id"].(string), bob["id"].(string)
		bobBefore := e.admin("GET", "identities/"+bobID, "", nil).Body

		for _, tc := range []struct {
			name, method, path, body string
			status                   int
		}{
			{"no schema_id uses the default schema", "POST", "identities", `{"traits":{"email":"carol@example.com"}}`, 201},
			{"duplicate email", "POST", "identities", `{"traits":{"email":"alice@example.com"}}`, 409},
			{"duplicate email in another case", "POST", "identities", `{"traits":{"email":"Alice@Example.COM"}}`, 409},
			{"missing required trait", "POST", "identities", `{"traits":{"name":"No Email"}}`, 400},
			{"trait breaks its format", "POST", "identities", `{"traits":{"email":"not-an-email"}}`, 400},
			{"trait too short", "POST", "identities", `{"traits":{"email":"a@"}}`, 400},
			{"unknown schema_id", "POST", "identities", `{"schema_id":"nope","traits":{"email":"dave@example.com"}}`, 400},
			{"traits missing", "POST", "identities", `{"schema_id":"default"}`, 400},
			{"traits null", "POST", "identities", `{"traits":null}`, 400},
			{"traits not an object", "POST", "identities", `{"traits":["eve@example.com"]}`, 400},
			{"get unknown id", "GET", "identities/6f1d3c4e-0000-4000-8000-000000000000", "", 404},
			{"get malformed id", "GET", "identities/not-a-uuid", "", 404},
			{"get numeric id", "GET", "identities/123", "", 404},
			{"update unknown id", "PUT", "identities/6f1d3c4e-0000-4000-8000-000000000000", `{"traits":{"email":"x@example.com"}}`, 404},
			{"update malformed id", "PUT", "identities/not-a-uuid", `{"traits":{"email":"x@example.com"}}`, 404},
			{"delete unknown id", "DELETE", "identities/6f1d3c4e-0000-4000-8000-000000000000", "", 404},
			{"delete malformed id", "DELETE", "identities/zzz", "", 404},
			{"update into another's email", "PUT", "identities/" + bobID, `{"traits":{"email":"ALICE@example.com"}}`, 409},
			{"update with invalid traits", "PUT", "identities/" + bobID, `{"traits":{"email":"broken"}}`, 400},
			{"update to unknown schema", "PUT", "identities/" + bobID, `{"schema_id":"nope","traits":{"email":"bob@example.com"}}`, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body []byte
				ct := ""
				if tc.body != "" {
					body, ct = []byte(tc.body), "application/json"
				}
				r := e.admin(tc.method, tc.path, ct, body)
				if tc.status < 300 {
					if r.Status != tc.status {
						t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
					}
					if got := sdk.DecodeObject(t, r.Body)["schema_id"]; got != "default" {
						t.Errorf("schema_id = %v, want default", got)
					}
					return
				}
				sdk.WantError(t, r, tc.status)
			})
		}
		// The refusals changed nothing: alice, bob and carol only.
		if n := e.countRows("identities", ""); n != 3 {
			t.Errorf("%d identities stored, want 3", n)
		}
		if after := e.admin("GET", "identities/"+bobID, "", nil).Body; string(after) != string(bobBefore) {
			t.Errorf("refused updates changed bob:\n got %s\nwant %s", after, bobBefore)
		}
		if r := e.admin("GET", "identities/"+aliceID, "", nil); r.Status != 200 {
			t.Errorf("alice is gone: %d", r.Status)
		}
	})
}

// TestValidationErrorNamesTheProblem: a 400 for traits says which trait is
// wrong, so an admin tool can show it.
func TestValidationErrorNamesTheProblem(t *testing.T) {
	e := startSQLite(t)
	r := e.admin("POST", "identities", "application/json", []byte(`{"traits":{"name":"Nameless"}}`))
	sdk.WantError(t, r, 400)
	var body struct {
		Error struct {
			Details struct {
				Problems []struct{ Field, Message string } `json:"problems"`
			} `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range body.Error.Details.Problems {
		found = found || p.Field == "traits.email"
	}
	if !found {
		t.Errorf("problems = %+v, want one for traits.email", body.Error.Details.Problems)
	}
}
