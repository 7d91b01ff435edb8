package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestDomainAliases: a request whose host matches serve.public.domain_aliases
// starts flows that point back at that host under the alias's scheme and
// base path; other hosts keep serve.public.base_url.
func TestDomainAliases(t *testing.T) {
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.Serve.Public.DomainAliases = []config.DomainAlias{{MatchDomain: "alias.example.test", Scheme: "https", BasePath: "/kratos"}}
	})
	action := func(host string) string {
		req, _ := http.NewRequest(http.MethodGet, s.PublicURL+"self-service/login/api", nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var f struct {
			UI struct {
				Action string `json:"action"`
			} `json:"ui"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&f)
		return f.UI.Action
	}
	if got := action("alias.example.test:4433"); !strings.HasPrefix(got, "https://alias.example.test:4433/kratos/self-service/login?flow=") {
		t.Errorf("action for the alias = %q", got)
	}
	if got := action(""); !strings.HasPrefix(got, s.PublicURL+"self-service/login?flow=") {
		t.Errorf("action for the base URL = %q", got)
	}
}

// TestCORSOptionsPassthrough: with options_passthrough a preflight request
// reaches the routes after its CORS headers are set; without it the CORS
// layer answers it alone.
func TestCORSOptionsPassthrough(t *testing.T) {
	for _, pass := range []bool{false, true} {
		s := testkit.StartSQLite(t, func(c *config.Config) {
			c.Serve.Public.CORS.Enabled = true
			c.Serve.Public.CORS.AllowedOrigins = []string{"https://app.example.test"}
			c.Serve.Public.CORS.OptionsPassthrough = pass
		})
		r := sdk.Do(t, http.MethodOptions, s.PublicURL+"sessions/whoami", "", nil,
			"Origin", "https://app.example.test", "Access-Control-Request-Method", "GET")
		reachedRoute := r.Status != http.StatusNoContent // the CORS layer answers 204 alone
		if reachedRoute != pass || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.test" {
			t.Errorf("options_passthrough %v: status %d, allow-origin %q", pass, r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

// TestArgon2SlowHashIsLogged: a hash slower than expected_duration plus
// expected_deviation is logged with advice to calibrate.
func TestArgon2SlowHashIsLogged(t *testing.T) {
	var logs testkit.LockedBuffer
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.Hashers.Algorithm = "argon2"
		c.Hashers.Argon2 = config.Argon2{Memory: 1 << 20, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32,
			ExpectedDuration: config.Duration(time.Nanosecond), ExpectedDeviation: config.Duration(time.Nanosecond)}
	})
	s := testkit.StartWith(t, cfg, testkit.Options{Log: &logs})
	sdk.Register(t, s, "slow@example.com", "vD7#kq2!Lm9z")
	if !strings.Contains(logs.String(), "hashers argon2 calibrate") {
		t.Errorf("no warning about the slow hash:\n%s", logs.String())
	}
}
