// Package link_test checks the link strategy's promises from outside, as a
// user meets them: links from real mail, the token store in a real
// database, requests through the real router.
package link_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// submit starts an api flow of kind and posts body to path?flow=<id>
// (path "" for /self-service/<kind>); headers are name, value pairs. It
// returns the status and the answer.
func submit(t *testing.T, e *mailtest.Env, kind, path string, body map[string]any, headers ...string) (int, map[string]any) {
	t.Helper()
	b := e.Browser()
	r := b.Get(e.Public + "self-service/" + kind + "/api")
	var f map[string]any
	if err := json.Unmarshal(r.Body, &f); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("init %s: %d %s", kind, r.StatusCode, r.Body)
	}
	if path == "" {
		path = "self-service/" + kind
	}
	raw, _ := json.Marshal(body)
	r = b.Do(http.MethodPost, e.Public+path+"?flow="+f["id"].(string), "application/json", raw, append([]string{"Accept", "application/json"}, headers...)...)
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("submit %s: %d %s", kind, r.StatusCode, r.Body)
	}
	return r.StatusCode, out
}

// link asks for a link of kind for email and returns the mailed link.
func link(t *testing.T, e *mailtest.Env, kind, email string) string {
	t.Helper()
	if status, out := submit(t, e, kind, "", map[string]any{"method": "link", "email": email}); status != http.StatusOK || out["state"] != "sent_email" {
		t.Fatalf("%s for %s: %d %v", kind, email, status, out)
	}
	l := e.Mail.Next(t, email).Link(t)
	if !strings.HasPrefix(l, e.Public+"self-service/"+kind+"?") {
		t.Fatalf("mailed link %s is not a %s link on %s", l, kind, e.Public)
	}
	return l
}

// token is the token query parameter of a link.
func token(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("link %q has no token", link)
	}
	return u.Query().Get("token")
}

// outcome names where a link's answer sends the browser: "settings",
// "verified", "recovery:<message id>", "verification:<message id>".
func outcome(t *testing.T, e *mailtest.Env, r sdk.BrowserResponse) string {
	t.Helper()
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound {
		t.Fatalf("link answered %d to %s, want 302", r.StatusCode, loc)
	}
	switch s := loc.String(); {
	case strings.HasPrefix(s, mailtest.UIBase+"settings?flow="):
		if r.SetCookie("ory_kratos_session") == nil {
			t.Fatal("recovered without a session cookie")
		}
		return "settings"
	case s == mailtest.UIBase+"verified":
		return "verified"
	case strings.HasPrefix(s, mailtest.UIBase+"recovery?flow="), strings.HasPrefix(s, mailtest.UIBase+"verification?flow="):
		kind := strings.TrimPrefix(loc.Path, "/")
		res := e.Browser().Get(e.Public + "self-service/" + kind + "/flows?id=" + loc.Query().Get("flow"))
		var f struct {
			UI struct {
				Messages []struct {
					ID int64 `json:"id"`
				} `json:"messages"`
			} `json:"ui"`
		}
		if err := json.Unmarshal(res.Body, &f); err != nil || len(f.UI.Messages) != 1 {
			t.Fatalf("retry flow %s: %v %+v", loc, err, f)
		}
		return kind + ":" + itoa(f.UI.Messages[0].ID)
	}
	t.Fatalf("link sent the browser to %s", loc)
	return ""
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// tokenRows reads every stored link token row as strings.
func tokenRows(t *testing.T, e *mailtest.Env) [][]string {
	t.Helper()
	rows, err := e.Server.App.DB.SQL.QueryContext(context.Background(), "SELECT * FROM selfservice_link_tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for k, v := range vals {
			switch v := v.(type) {
			case []byte:
				row[k] = string(v)
			case string:
				row[k] = v
			default:
				b, _ := json.Marshal(v)
				row[k] = string(b)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
