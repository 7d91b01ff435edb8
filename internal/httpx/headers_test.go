package httpx_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// TestSecurityHeaders: flows, sessions and errors carry personal data,
// tokens and flow ids, so no answer may be cached, no Referer may carry
// their URLs elsewhere, and no body may be sniffed into HTML. Redirects
// and errors included, on both ports.
func TestSecurityHeaders(t *testing.T) {
	srv, tok := server(t, nil)
	res, err := http.Get(srv.PublicURL + "self-service/login/api")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ ID string }
	json.NewDecoder(res.Body).Decode(&f)
	res.Body.Close()
	if f.ID == "" {
		t.Fatal("no api login flow to fetch")
	}
	pub, adm := srv.PublicURL, srv.AdminURL
	for _, tc := range []struct {
		name, method, url string
		headers           []string
		status            int
	}{
		{"start api flow", "GET", pub + "self-service/registration/api", nil, 200},
		{"fetch flow", "GET", pub + "self-service/login/flows?id=" + f.ID, nil, 200},
		{"fetch unknown flow", "GET", pub + "self-service/login/flows?id=00000000-0000-0000-0000-000000000000", nil, 404},
		{"start browser flow (redirect)", "GET", pub + "self-service/login/browser", nil, 302},
		{"browser error (redirect to error page)", "GET", pub + "self-service/login/browser?return_to=" + url.QueryEscape("https://evil.example/"), nil, 302},
		{"submit api flow", "POST", pub + "self-service/login?flow=" + f.ID, []string{"Content-Type", "application/json"}, 400},
		{"whoami signed in", "GET", pub + "sessions/whoami", []string{"Cookie", "ory_kratos_session=" + tok}, 200},
		{"whoami signed out", "GET", pub + "sessions/whoami", nil, 401},
		{"logout", "GET", pub + "self-service/browser/flows/logout", []string{"Cookie", "ory_kratos_session=" + tok}, 302},
		{"error stub", "GET", pub + "self-service/errors?error=stub:500", nil, 200},
		{"unknown error", "GET", pub + "self-service/errors?error=nope", nil, 403},
		{"unknown route", "GET", pub + "nowhere", nil, 404},
		{"admin identities", "GET", adm + "identities", nil, 200},
		{"admin flow", "GET", adm + "self-service/login/flows?id=" + f.ID, nil, 200},
		{"admin error stub", "GET", adm + "self-service/errors?error=stub:500", nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, tc.method, tc.url, tc.headers...)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
				if got := r.Header.Values(h); len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want exactly %q", h, got, want)
				}
			}
		})
	}
}
