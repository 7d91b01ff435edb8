package session_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// TestAdminListsEverySession: GET /admin/sessions (and /sessions on the
// admin port) pages through every identity's sessions by keyset: following
// the Link header's next walks each session once, with no X-Total-Count;
// identity and devices appear only when expanded; active=false lists the
// revoked ones; a bad token or expand is refused.
func TestAdminListsEverySession(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		ada, adaTok := e.login("ada@example.com")
		grace, _ := e.login("grace@example.com")
		owner := map[string]string{}
		for _, i := range []struct {
			id   string
			more int
		}{{ada.ID.String(), 2}, {grace.ID.String(), 2}} {
			for range i.more {
				id := ada
				if i.id == grace.ID.String() {
					id = grace
				}
				s, _, err := e.srv.App.Sessions.Issue(t.Context(), id, e.srv.Clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				owner[s.ID.String()] = i.id
			}
		}
		var raw []map[string]json.RawMessage
		var walked []string
		next := e.srv.AdminURL + "admin/sessions?page_size=2&expand=identity&expand=devices"
		for k := 0; next != ""; k++ {
			r := do(t, "GET", next, "", nil)
			if r.Status != http.StatusOK || r.Header.Get("X-Total-Count") != "" {
				t.Fatalf("page %d: %d, X-Total-Count %q: %s", k, r.Status, r.Header.Get("X-Total-Count"), r.Body)
			}
			raw = nil
			if err := json.Unmarshal(r.Body, &raw); err != nil {
				t.Fatal(err)
			}
			for _, s := range raw {
				var id string
				var who struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal(s["id"], &id)
				_ = json.Unmarshal(s["identity"], &who)
				if want, ok := owner[id]; ok && who.ID != want {
					t.Errorf("session %s expanded with identity %q, want %s", id, who.ID, want)
				}
				if _, ok := s["devices"]; !ok {
					t.Errorf("session %s lacks the expanded devices", id)
				}
				walked = append(walked, id)
			}
			ls := parseLinks(t, r.Header)
			next = ""
			if u := ls["next"]; u != nil {
				next = e.srv.AdminURL + "admin/sessions?" + u.RawQuery
			}
			if ls["first"] == nil || k > 4 {
				t.Fatalf("page %d Link %q", k, r.Header.Get("Link"))
			}
		}
		if len(walked) != 6 || !slices.IsSorted(walked) || len(slices.Compact(slices.Clone(walked))) != 6 {
			t.Errorf("walking the next links gave %v, want the 6 sessions once each", walked)
		}

		r := do(t, "GET", e.srv.AdminURL+"sessions", "", nil)
		raw = nil
		if err := json.Unmarshal(r.Body, &raw); r.Status != http.StatusOK || err != nil || len(raw) != 6 {
			t.Fatalf("GET /sessions on the admin port: %d %s", r.Status, r.Body)
		}
		for _, s := range raw {
			if _, ok := s["identity"]; ok {
				t.Error("identity present without expand=identity")
			}
			if _, ok := s["devices"]; ok {
				t.Error("devices present without expand=devices")
			}
		}

		if r := do(t, "DELETE", e.srv.PublicURL+"sessions", "", nil, "X-Session-Token", adaTok); r.Status != http.StatusOK {
			t.Fatalf("ada signs out her other sessions: %d", r.Status)
		}
		r = do(t, "GET", e.srv.AdminURL+"admin/sessions?active=false", "", nil)
		raw = nil
		if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw) != 2 {
			t.Errorf("inactive sessions: %d, want ada's 2 others: %s", len(raw), r.Body)
		}
		for _, q := range []string{"page_token=not-a-token", "expand=everything", "page_size=0", "active=perhaps"} {
			if r := do(t, "GET", e.srv.AdminURL+"admin/sessions?"+q, "", nil); r.Status != http.StatusBadRequest {
				t.Errorf("GET /admin/sessions?%s: %d, want 400", q, r.Status)
			}
		}
	})
}
