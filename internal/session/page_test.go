package session_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

var linkEntry = regexp.MustCompile(`<([^>]+)>; rel="(\w+)"`)

// links reads a Link header, checking each link carries both
// pairs of paging parameters.
func links(t *testing.T, header http.Header) map[string]*url.URL {
	t.Helper()
	out := parseLinks(t, header)
	for rel, u := range out {
		for _, p := range []string{"page", "per_page", "page_token", "page_size"} {
			if !u.Query().Has(p) {
				t.Errorf("Link %s target %q lacks %s", rel, u, p)
			}
		}
	}
	return out
}

// parseLinks reads a Link header into rel → URL.
func parseLinks(t *testing.T, header http.Header) map[string]*url.URL {
	t.Helper()
	out := map[string]*url.URL{}
	for _, m := range linkEntry.FindAllStringSubmatch(header.Get("Link"), -1) {
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatalf("Link target %q: %v", m[1], err)
		}
		out[m[2]] = u
	}
	return out
}

// TestSessionListPaging: the caller's other sessions come a page at a time
// with either pair of the later versions' parameters; following the
// Link header's next links with page_token and page_size walks every
// session once, and page/per_page give the same pages; bad values are
// refused with 400; the admin list pages alike.
func TestSessionListPaging(t *testing.T) {
	e := start(t, testkit.NewDatabase(t, "sqlite"))
	i, mine := e.login("pages@example.com")
	var others []string
	for range 5 {
		s, _, err := e.srv.App.Sessions.Issue(t.Context(), i, e.srv.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, s.ID.String())
	}

	var walked []string
	next := e.srv.PublicURL + "sessions?page_size=2"
	for k := 0; next != ""; k++ {
		list, r := listSessions(t, next, mine)
		if r.Status != http.StatusOK || r.Header.Get("X-Total-Count") != "5" {
			t.Fatalf("page %d: %d, total %q: %s", k, r.Status, r.Header.Get("X-Total-Count"), r.Body)
		}
		if want := min(2, 5-2*k); len(list) != want {
			t.Fatalf("page %d has %d sessions, want %d", k, len(list), want)
		}
		ls := links(t, r.Header)
		if ls["first"] == nil || ls["last"] == nil || (k == 0) != (ls["prev"] == nil) {
			t.Errorf("page %d Link %q, want first, last, and prev after the first page", k, r.Header.Get("Link"))
		}
		// page/per_page name the same page as the token.
		byNumber, _ := listSessions(t, e.srv.PublicURL+"sessions?per_page=2&page="+strconv.Itoa(k), mine)
		for n := range list {
			walked = append(walked, list[n].ID)
			if n >= len(byNumber) || byNumber[n].ID != list[n].ID {
				t.Errorf("page %d by number differs from page %d by token", k, k)
			}
		}
		next = ""
		if u := ls["next"]; u != nil {
			next = e.srv.PublicURL + "sessions?" + u.RawQuery
		}
		if k > 3 {
			t.Fatal("the next links do not end")
		}
	}
	slices.Sort(walked)
	slices.Sort(others)
	if !slices.Equal(walked, others) {
		t.Errorf("walking the next links gave %v, want each other session once: %v", walked, others)
	}

	for _, q := range []string{"page_token=bm90LWEtdG9rZW4", "page_token=***", "page_size=0", "page_size=many", "per_page=-1", "page=-2"} {
		if _, r := listSessions(t, e.srv.PublicURL+"sessions?"+q, mine); r.Status != http.StatusBadRequest {
			t.Errorf("GET /sessions?%s: %d, want 400", q, r.Status)
		}
	}

	all, r := listSessions(t, e.srv.AdminURL+"admin/identities/"+i.ID.String()+"/sessions?page_size=4", "")
	if r.Status != http.StatusOK || len(all) != 4 || r.Header.Get("X-Total-Count") != "6" || links(t, r.Header)["next"] == nil {
		t.Errorf("admin list page_size=4: %d, %d sessions, total %q, Link %q", r.Status, len(all), r.Header.Get("X-Total-Count"), r.Header.Get("Link"))
	}
}
