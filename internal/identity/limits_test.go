package identity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// usernameSchema has a login identifier that is also a verification
// address, without maxLength: schemas written for the reference often
// leave it out.
const usernameSchema = `{"type":"object","properties":{"traits":{"type":"object","properties":{
  "username":{"type":"string","ory.sh/kratos":{"credentials":{"password":{"identifier":true}},"verification":{"via":"email"}}}}}}}`

// TestOverlongIdentifierIsRefusedAlike: an identifier longer than the
// identifier columns hold is the client's mistake; every database must
// answer the same clear 4xx and store nothing.
func TestOverlongIdentifierIsRefusedAlike(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		p := filepath.Join(t.TempDir(), "username.schema.json")
		if err := os.WriteFile(p, []byte(usernameSchema), 0o600); err != nil {
			t.Fatal(err)
		}
		srv := testkit.Start(t, testkit.Config(t, dsn, func(c *config.Config) {
			c.Identity.Schemas = []config.SchemaRef{{ID: "username", URL: "file://" + p}}
		}))
		e := &env{t: t, srv: srv, sdk: sdk.NewClient(srv.AdminURL, nil)}
		r := e.admin("POST", "identities", "application/json",
			[]byte(`{"schema_id":"username","traits":{"username":"`+strings.Repeat("u", 300)+`"}}`))
		sdk.WantError(t, r, 400)
		if n := e.countRows("identities", ""); n != 0 {
			t.Errorf("%d identities stored", n)
		}
		// 255 characters fit every database.
		r = e.admin("POST", "identities", "application/json",
			[]byte(`{"schema_id":"username","traits":{"username":"`+strings.Repeat("u", 255)+`"}}`))
		if r.Status != 201 {
			t.Errorf("a 255-character identifier: %d %s", r.Status, r.Body)
		}
	})
}
