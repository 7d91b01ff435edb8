package flow_test

import (
	"net/http/httptest"
	"testing"

	"github.com/latchkey/latchkey/internal/flow"
)

// TestIsJSONRequest: a client is a JSON client as the reference decides
// it: its body is exactly application/json, or content negotiation over
// text/html, text/*, */* and application/json (a higher q first, then a
// more specific range, then the earlier offer) picks application/json.
// Without an Accept header a client is a browser.
func TestIsJSONRequest(t *testing.T) {
	for _, c := range []struct {
		accept, contentType string
		want                bool
	}{
		{"", "", false},
		{"application/json", "", true},
		{"text/html", "", false},
		{"*/*", "", false},
		{"text/plain", "", false},
		{"application/*", "", true},
		{"application/json, text/html", "", false},
		{"text/html;q=0.8, application/json;q=0.9", "", true},
		{"text/html;q=0, application/json;q=0.1", "", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", false},
		{"", "application/json", true},
		{"text/html", "application/json", true},
		{"", "application/json; charset=utf-8", false},
		{"*/*", "application/json; charset=utf-8", false},
		{"application/json", "application/json; charset=utf-8", true},
		{"", "application/x-www-form-urlencoded", false},
	} {
		r := httptest.NewRequest("POST", "/self-service/login?flow=x", nil)
		if c.accept != "" {
			r.Header.Set("Accept", c.accept)
		}
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		if got := flow.IsJSONRequest(r); got != c.want {
			t.Errorf("Accept %q, Content-Type %q: JSON client %v, want %v", c.accept, c.contentType, got, c.want)
		}
	}
}
