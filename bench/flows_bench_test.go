package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// BenchmarkAPIFlows runs native-app registration and login (init +
// submit, as bench/flows drives them) through the public handler of the
// real app on a SQLite file, one flow at a time, with bcrypt at cost 4:
// the server's cost of a flow without the network, with allocations per
// flow. The hash is part of each op; subtract the hasher benchmark's time
// for Latchkey's own. Nothing about timing is asserted.
func BenchmarkAPIFlows(b *testing.B) {
	srv := testkit.Start(b, testkit.Config(b, testkit.NewDatabase(b, "sqlite"), func(c *config.Config) {
		c.Log.Level = "error"
		// Every op comes from one address: limits far above the op count
		// keep the throttle's reservations (and their cost) without a refusal.
		huge := 1 << 30
		for _, r := range []*config.ThrottleRule{&c.Throttle.Identifier, &c.Throttle.Address} {
			r.Free, r.Limit = &huge, huge
		}
	}))
	h := srv.App.Public
	var seq atomic.Int64
	register := func(b *testing.B) string {
		email := fmt.Sprintf("bench-%d@example.com", seq.Add(1))
		runFlow(b, h, "registration", map[string]any{"method": "password", "password": benchPassword, "traits": map[string]any{"email": email}})
		return email
	}
	var emails []string
	b.Run("registration", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			emails = append(emails, register(b))
		}
	})
	for len(emails) < 100 {
		emails = append(emails, register(b))
	}
	b.Run("login", func(b *testing.B) {
		b.ReportAllocs()
		k := 0
		for b.Loop() {
			runFlow(b, h, "login", map[string]any{"method": "password", "password_identifier": emails[k%len(emails)], "password": benchPassword})
			k++
		}
	})
}

// benchPassword passes the password policy without a network check.
const benchPassword = "correct-horse-battery-staple-42"

// runFlow starts an api flow of kind and submits it, failing the benchmark
// unless the answer carries a session token.
func runFlow(b testing.TB, h http.Handler, kind string, submission any) {
	req := httptest.NewRequest(http.MethodGet, "/self-service/"+kind+"/api", nil)
	req.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var f struct {
		ID string `json:"id"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &f) != nil {
		b.Fatalf("init %s: %d %.300s", kind, w.Code, w.Body.Bytes())
	}
	body, _ := json.Marshal(submission)
	req = httptest.NewRequest(http.MethodPost, "/self-service/"+kind+"?flow="+f.ID, bytes.NewReader(body))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out struct {
		SessionToken string `json:"session_token"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &out) != nil || out.SessionToken == "" {
		b.Fatalf("submit %s: %d %.300s", kind, w.Code, w.Body.Bytes())
	}
}
