package identity_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestUpdateKeepsVerificationOfUnchangedEmail: an admin who edits a name
// must not make a verified user verify again; changing the email does.
func TestUpdateKeepsVerificationOfUnchangedEmail(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		created := e.createRaw(`{"email":"vera@example.com","name":"Vera"}`)
		id := created["id"].(string)

		// Verify the address as the verification flow would.
		db := e.srv.App.DB
		verifiedAt := time.Date(2021, 5, 4, 3, 2, 1, 654321000, time.UTC)
		if _, err := db.SQL.ExecContext(context.Background(), db.Q(`UPDATE identity_verifiable_addresses SET verified = ?, status = ?, verified_at = ? WHERE identity_id = ?`),
			true, "completed", verifiedAt, id); err != nil {
			t.Fatal(err)
		}
		before := addresses(t, e.admin("GET", "identities/"+id, "", nil))

		r := e.admin("PUT", "identities/"+id, "application/json", []byte(`{"traits":{"email":"VERA@example.com","name":"Vera V."}}`))
		if r.Status != http.StatusOK {
			t.Fatalf("update name: %d %s", r.Status, r.Body)
		}
		after := addresses(t, r)
		if len(after) != 1 || after[0]["id"] != before[0]["id"] || after[0]["verified"] != true || after[0]["status"] != "completed" ||
			after[0]["verified_at"] != "2021-05-04T03:02:01.654321Z" {
			t.Errorf("after a name change the address is %v, want it kept as %v", after, before)
		}
		if got := addresses(t, e.admin("GET", "identities/"+id, "", nil)); got[0]["id"] != before[0]["id"] || got[0]["verified"] != true {
			t.Errorf("stored address after a name change = %v", got)
		}

		r = e.admin("PUT", "identities/"+id, "application/json", []byte(`{"traits":{"email":"vera@new.example","name":"Vera V."}}`))
		if r.Status != http.StatusOK {
			t.Fatalf("update email: %d %s", r.Status, r.Body)
		}
		after = addresses(t, r)
		if len(after) != 1 || after[0]["id"] == before[0]["id"] || after[0]["value"] != "vera@new.example" || after[0]["verified"] != false || after[0]["status"] != "pending" || after[0]["verified_at"] != nil {
			t.Errorf("after an email change the address is %v, want a new, unverified one", after)
		}
		// The old email is free for someone else now.
		e.createRaw(`{"email":"vera@example.com"}`)
	})
}

func addresses(t *testing.T, r sdk.Response) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var out []map[string]any
	for _, a := range sdk.DecodeObject(t, r.Body)["verifiable_addresses"].([]any) {
		out = append(out, a.(map[string]any))
	}
	if len(out) == 0 {
		t.Fatalf("no verifiable addresses in %s", r.Body)
	}
	return out
}

// TestDeleteIdentityEndsSessionsAndRemovesWhatItOwns: after DELETE, the
// person's session token no longer works and no credential, identifier or
// address row is left in the database.
func TestDeleteIdentityEndsSessionsAndRemovesWhatItOwns(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		ctx := context.Background()
		gone := e.createRaw(`{"email":"gone@example.com"}`)
		kept := e.createRaw(`{"email":"kept@example.com"}`)
		tokens := map[string]string{}
		for _, m := range []map[string]any{gone, kept} {
			i, err := e.srv.App.Store.Identity(ctx, uuid.MustParse(m["id"].(string)))
			if err != nil {
				t.Fatal(err)
			}
			_, tok, err := e.srv.App.Sessions.Issue(ctx, i, time.Now())
			if err != nil {
				t.Fatalf("issue session: %v", err)
			}
			tokens[m["id"].(string)] = tok
		}
		goneID, keptID := gone["id"].(string), kept["id"].(string)
		whoami := func(tok string) int {
			return do(t, "GET", e.srv.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", tok).Status
		}
		if s := whoami(tokens[goneID]); s != http.StatusOK {
			t.Fatalf("whoami before delete: %d", s)
		}
		tables := []string{"identity_credentials", "identity_credential_identifiers", "identity_verifiable_addresses", "identity_recovery_addresses", "sessions"}
		for _, table := range tables {
			if e.countRows(table, goneID) == 0 {
				t.Fatalf("%s has no rows for the identity before delete; the test would prove nothing", table)
			}
		}

		if r := e.admin("DELETE", "identities/"+goneID, "", nil); r.Status != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("DELETE: %d %q, want 204 without a body", r.Status, r.Body)
		}
		if s := whoami(tokens[goneID]); s != http.StatusUnauthorized {
			t.Errorf("whoami with the deleted identity's token: %d, want 401", s)
		}
		if s := whoami(tokens[keptID]); s != http.StatusOK {
			t.Errorf("whoami of another identity after the delete: %d, want 200", s)
		}
		for _, table := range tables {
			if n := e.countRows(table, goneID); n != 0 {
				t.Errorf("%s keeps %d rows of the deleted identity", table, n)
			}
			if n := e.countRows(table, keptID); n == 0 {
				t.Errorf("%s lost the other identity's rows", table)
			}
		}
		// Its email can sign up again.
		e.createRaw(`{"email":"gone@example.com"}`)
	})
}
