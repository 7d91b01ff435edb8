package link_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestLinksSingleUseInParallel: on every database, a recovery link and a
// verification link opened by eight browsers at once each succeed exactly
// once; the other browsers are told the link is used.
func TestLinksSingleUseInParallel(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := mailtest.StartEnv(t, dsn, nil)
		e.CreateIdentity("race@example.com")
		for _, c := range []struct{ kind, win, lose string }{
			{"recovery", "settings", "recovery:4060004"},
			{"verification", "verified", "verification:4070001"},
		} {
			l := link(t, e, c.kind, "race@example.com")
			const n = 8
			got := make([]sdk.BrowserResponse, n)
			browsers := make([]*sdk.Browser, n)
			for k := range browsers {
				browsers[k] = e.Browser()
			}
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for k := range n {
				wg.Go(func() { <-gate; got[k] = browsers[k].Get(l) })
			}
			close(gate)
			wg.Wait()
			counts := map[string]int{}
			for _, r := range got {
				counts[outcome(t, e, r)]++
			}
			if counts[c.win] != 1 || counts[c.lose] != n-1 {
				t.Errorf("%s link used by %d browsers at once: %v, want 1 %s and %d %s", c.kind, n, counts, c.win, n-1, c.lose)
			}
		}
	})
}

// TestTokenKindsAreSeparate: a recovery token does not verify and a
// verification token does not recover; trying does not spend them.
func TestTokenKindsAreSeparate(t *testing.T) {
	e := mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), nil)
	i := e.CreateIdentity("kinds@example.com")
	rec := link(t, e, "recovery", "kinds@example.com")
	ver := link(t, e, "verification", "kinds@example.com")

	// A link of one kind (its path and flow) carrying the other's token: the
	// flow is found, the token is not one of this kind.
	swapped := func(flowLink, tokenLink string) string {
		u, _ := url.Parse(flowLink)
		tu, _ := url.Parse(tokenLink)
		q := u.Query()
		q.Set("token", tu.Query().Get("token"))
		u.RawQuery = q.Encode()
		return u.String()
	}
	if got := outcome(t, e, e.Browser().Get(swapped(ver, rec))); got != "verification:4070001" {
		t.Errorf("recovery token on the verification link: %s, want verification:4070001", got)
	}
	if got := outcome(t, e, e.Browser().Get(swapped(rec, ver))); got != "recovery:4060004" {
		t.Errorf("verification token on the recovery link: %s, want recovery:4060004", got)
	}
	if a := e.Identity(i.Id).VerifiableAddresses[0]; a.Verified {
		t.Fatal("a recovery token verified the address")
	}
	if got := outcome(t, e, e.Browser().Get(ver)); got != "verified" {
		t.Errorf("the verification link afterwards: %s", got)
	}
	if got := outcome(t, e, e.Browser().Get(rec)); got != "settings" {
		t.Errorf("the recovery link afterwards: %s", got)
	}
}

// TestTokensStoredAsHashes: the database never holds a token as mailed,
// and a new request makes a new token.
func TestTokensStoredAsHashes(t *testing.T) {
	e := mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), nil)
	e.CreateIdentity("hash@example.com")
	toks := []string{
		token(t, link(t, e, "recovery", "hash@example.com")),
		token(t, link(t, e, "recovery", "hash@example.com")),
		token(t, link(t, e, "verification", "hash@example.com")),
	}
	if toks[0] == toks[1] {
		t.Fatal("two requests mailed the same token")
	}
	rows := tokenRows(t, e)
	if len(rows) != 3 {
		t.Fatalf("%d token rows, want 3", len(rows))
	}
	for _, row := range rows {
		for _, v := range row {
			for _, tok := range toks {
				if strings.Contains(v, tok) {
					t.Errorf("a token is stored as mailed: %q", v)
				}
			}
		}
	}
}

// TestLinksUseConfiguredBaseURL: mailed links are built on
// serve.public.base_url, never on the Host or forwarding headers of the
// request that asked for them, even when the base names another host
// than the one the request reached.
func TestLinksUseConfiguredBaseURL(t *testing.T) {
	mail := mailtest.Start(t, mailtest.Options{})
	cfg := mailtest.Config(t, testkit.NewDatabase(t, "sqlite"), mail.URI(), func(c *config.Config) {
		c.Serve.Public.BaseURL = "http://id.example.test/"
	})
	srv := testkit.StartWith(t, cfg, testkit.Options{Log: io.Discard})
	e := mailtest.NewEnv(t, srv, mail)
	e.DialPublic(srv.PublicAddr)
	e.CreateIdentity("base@example.com")
	forged := []string{"Host", "evil.example", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "Forwarded", "host=evil.example;proto=https"}

	for _, kind := range []string{"recovery", "verification"} {
		for _, path := range []string{"", "self-service/" + kind + "/methods/link"} {
			status, out := submit(t, e, kind, path, map[string]any{"method": "link", "email": "base@example.com"}, forged...)
			if status != http.StatusOK {
				t.Fatalf("%s with forged headers: %d %v", kind, status, out)
			}
			if action := out["ui"].(map[string]any)["action"].(string); !strings.HasPrefix(action, "http://id.example.test/self-service/"+kind+"?flow=") {
				t.Errorf("ui.action %s, want it on the base URL", action)
			}
			l := e.Mail.Next(t, "base@example.com").Link(t)
			if want := "http://id.example.test/self-service/" + kind; !strings.HasPrefix(l, want+"?") && !strings.HasPrefix(l, want+"/methods/link?") {
				t.Fatalf("mailed link %s, want it on http://id.example.test/", l)
			}
			// The link works as mailed (the test's client reaches the
			// base URL's host at the real listener).
			want := map[string]string{"recovery": "settings", "verification": "verified"}[kind]
			if got := outcome(t, e, e.Browser().Get(l)); got != want {
				t.Errorf("following %s: %s, want %s", l, got, want)
			}
		}
	}
}

// TestSubmittedEmailIsChecked: a missing or malformed address, or another
// method, is a 400 with the flow and a message on the form; nothing is
// queued.
func TestSubmittedEmailIsChecked(t *testing.T) {
	e := mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), nil)
	cases := []struct {
		name string
		body map[string]any
		node string // input carrying the message, "" for the form
		id   map[string]float64
	}{
		{"missing", map[string]any{"method": "link"}, "email", map[string]float64{"recovery": 4000002, "verification": 4000002}},
		{"blank", map[string]any{"method": "link", "email": "   "}, "email", map[string]float64{"recovery": 4000002, "verification": 4000002}},
		{"no at", map[string]any{"method": "link", "email": "not-an-email"}, "email", map[string]float64{"recovery": 4000001, "verification": 4000001}},
		{"two addresses", map[string]any{"method": "link", "email": "a@example.com, b@example.com"}, "email", map[string]float64{"recovery": 4000001, "verification": 4000001}},
		{"other method", map[string]any{"method": "password", "email": "a@example.com"}, "", map[string]float64{"recovery": 4010005, "verification": 4010006}},
	}
	for _, kind := range []string{"recovery", "verification"} {
		for _, c := range cases {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				status, out := submit(t, e, kind, "", c.body)
				if status != http.StatusBadRequest || out["state"] != "choose_method" {
					t.Fatalf("%d %v, want 400 with the flow in choose_method", status, out)
				}
				if ids := messageIDs(out, c.node); len(ids) != 1 || ids[0] != c.id[kind] {
					raw, _ := json.Marshal(out["ui"])
					t.Errorf("messages on %q: %v, want [%v]; ui %s", c.node, ids, c.id[kind], raw)
				}
			})
		}
	}
	if ms, err := e.Server.App.Store.Messages(t.Context(), 10); err != nil || len(ms) != 0 {
		t.Errorf("invalid submissions queued %d messages (%v)", len(ms), err)
	}
}

// messageIDs are the message ids on the input named node, or on the form.
func messageIDs(flow map[string]any, node string) []float64 {
	ui := flow["ui"].(map[string]any)
	var msgs []any
	if node == "" {
		msgs, _ = ui["messages"].([]any)
	} else {
		for _, n := range ui["nodes"].([]any) {
			n := n.(map[string]any)
			if n["attributes"].(map[string]any)["name"] == node {
				msgs, _ = n["messages"].([]any)
			}
		}
	}
	var ids []float64
	for _, m := range msgs {
		ids = append(ids, m.(map[string]any)["id"].(float64))
	}
	return ids
}
