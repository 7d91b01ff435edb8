package identity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// link is one entry of the Link header: the page and per_page it points to.
type link struct{ page, perPage int }

var linkRE = regexp.MustCompile(`^<([^>]+)>;\s*rel="([a-z]+)"$`)

// parseLinks reads an RFC 8288 Link header into rel -> page, checking every
// target is the admin /identities URL.
func parseLinks(t *testing.T, e *env, header string) map[string]link {
	t.Helper()
	out := map[string]link{}
	for _, part := range strings.Split(header, ",") {
		m := linkRE.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			t.Fatalf("Link entry %q is not <url>; rel=\"name\" (header %q)", part, header)
		}
		u, err := url.Parse(m[1])
		if err != nil || !strings.HasPrefix(m[1], e.srv.AdminURL+"identities?") {
			t.Fatalf("Link target %q is not the admin identities URL", m[1])
		}
		page, err1 := strconv.Atoi(u.Query().Get("page"))
		per, err2 := strconv.Atoi(u.Query().Get("per_page"))
		if err1 != nil || err2 != nil {
			t.Fatalf("Link target %q lacks page or per_page", m[1])
		}
		out[m[2]] = link{page, per}
	}
	return out
}

func listIDs(t *testing.T, r sdk.Response) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	var list []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("list body is not a JSON array: %v: %s", err, r.Body)
	}
	ids := make([]string, len(list))
	for k, i := range list {
		ids[k] = i.ID
	}
	return ids
}

// TestListPagination walks the list as the reference's clients do: page
// and per_page, the Link header, a page past the end, and the bounds.
func TestListPagination(t *testing.T) {
	e := startSQLite(t)
	var all []string
	for k := 0; k < 5; k++ {
		all = append(all, e.createRaw(fmt.Sprintf(`{"email":"user%d@example.com"}`, k))["id"].(string))
	}
	for _, tc := range []struct {
		query      string
		want       []string
		perPage    int
		next, prev *int
		last       int
	}{
		{query: "", want: all, perPage: 100, last: 0},
		{query: "?per_page=2", want: all[0:2], perPage: 2, next: ptr(1), last: 2},
		{query: "?page=1&per_page=2", want: all[2:4], perPage: 2, next: ptr(2), prev: ptr(0), last: 2},
		{query: "?page=2&per_page=2", want: all[4:5], perPage: 2, prev: ptr(1), last: 2},
		// Past the end: an empty array, and prev leads back to the last page.
		{query: "?page=3&per_page=2", want: nil, perPage: 2, prev: ptr(2), last: 2},
		{query: "?page=1000&per_page=2", want: nil, perPage: 2, prev: ptr(2), last: 2},
		// per_page is clamped to 1..500.
		{query: "?per_page=0", want: all[0:1], perPage: 1, next: ptr(1), last: 4},
		{query: "?per_page=-7", want: all[0:1], perPage: 1, next: ptr(1), last: 4},
		{query: "?per_page=501", want: all, perPage: 500, last: 0},
		{query: "?per_page=99999999999999999999999", want: all, perPage: 500, last: 0},
		// A negative page is the first page; a huge one is past the end.
		{query: "?page=-1&per_page=2", want: all[0:2], perPage: 2, next: ptr(1), last: 2},
		{query: "?page=-99999999999999999999999&per_page=2", want: all[0:2], perPage: 2, next: ptr(1), last: 2},
		{query: "?page=99999999999999999999999&per_page=2", want: nil, perPage: 2, prev: ptr(2), last: 2},
		{query: "?page=9223372036854775807&per_page=500", want: nil, perPage: 500, prev: ptr(0), last: 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := e.admin("GET", "identities"+tc.query, "", nil)
			ids := listIDs(t, r)
			if tc.want == nil && strings.TrimSpace(string(r.Body)) != "[]" {
				t.Errorf("body = %s, want []", r.Body)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("ids = %v, want %v", ids, tc.want)
			}
			if got := r.Header.Get("X-Total-Count"); got != "5" {
				t.Errorf("X-Total-Count = %q, want 5", got)
			}
			links := parseLinks(t, e, r.Header.Get("Link"))
			check := func(rel string, want *int) {
				got, ok := links[rel]
				switch {
				case want == nil && ok:
					t.Errorf("rel=%s points to page %d, want no such link", rel, got.page)
				case want != nil && !ok:
					t.Errorf("rel=%s missing, want page %d", rel, *want)
				case want != nil && (got.page != *want || got.perPage != tc.perPage):
					t.Errorf("rel=%s = %+v, want page %d per_page %d", rel, got, *want, tc.perPage)
				}
			}
			check("first", ptr(0))
			check("last", &tc.last)
			check("next", tc.next)
			check("prev", tc.prev)
		})
	}
}

func ptr(n int) *int { return &n }

// TestListFollowingNextVisitsEveryIdentityOnce: a client that follows
// rel="next" from the first page sees each identity exactly once, in
// creation order.
func TestListFollowingNextVisitsEveryIdentityOnce(t *testing.T) {
	e := startSQLite(t)
	var all []string
	for k := 0; k < 7; k++ {
		all = append(all, e.createRaw(fmt.Sprintf(`{"email":"walk%d@example.com"}`, k))["id"].(string))
	}
	var seen []string
	target := e.srv.AdminURL + "identities?per_page=3"
	for hops := 0; target != ""; hops++ {
		if hops > 10 {
			t.Fatal("rel=next never ends")
		}
		r := do(t, "GET", target, "", nil)
		seen = append(seen, listIDs(t, r)...)
		target = ""
		if l, ok := parseLinks(t, e, r.Header.Get("Link"))["next"]; ok {
			target = fmt.Sprintf("%sidentities?page=%d&per_page=%d", e.srv.AdminURL, l.page, l.perPage)
		}
	}
	if strings.Join(seen, ",") != strings.Join(all, ",") {
		t.Errorf("walking rel=next saw %v, want %v", seen, all)
	}

	// The SDK's paging parameters reach the same pages.
	list, _, err := e.sdk.AdminApi.ListIdentities(context.Background()).Page(1).PerPage(3).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Id != all[3] || list[2].Id != all[5] {
		t.Errorf("SDK page 1 of 3 = %s, want identities 3..5", sdk.JSON(t, list))
	}
}

// TestListRefusesNonNumericPaging: a typo in a parameter is a 400, not a
// silently different page.
func TestListRefusesNonNumericPaging(t *testing.T) {
	e := startSQLite(t)
	for _, q := range []string{"page=abc", "per_page=ten", "per_page=1.5", "page=0x10", "page=1e3"} {
		t.Run(q, func(t *testing.T) {
			sdk.WantError(t, e.admin("GET", "identities?"+q, "", nil), http.StatusBadRequest)
		})
	}
}
