package recovery_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryWithSession: a signed-in user has nothing to recover. The
// api init answers 400; browser init, submissions (JSON clients too) and a
// mailed link are sent (302) to the default return URL, and a link
// followed while signed in is not used: its token still works afterwards
// for a browser that is signed out.
func TestRecoveryWithSession(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("signed@example.com")
	home := mailtest.UIBase + "home"

	// The browser signs in by recovering once.
	b := e.Browser()
	e.wantRecovered(b, b.Get(e.requestLink("signed@example.com")), i.Id)
	// A flow started before, to submit while signed in.
	other := e.Browser()
	id, tok := e.initBrowser(other)
	for _, c := range b.Jar.Cookies(mustURL(t, e.Public)) {
		if c.Name == "ory_kratos_session" {
			other.Jar.SetCookies(mustURL(t, e.Public), []*http.Cookie{c})
		}
	}

	r := sdk.Do(t, http.MethodGet, e.Public+"self-service/recovery/api", "", nil, "Cookie", "ory_kratos_session="+b.Cookie("ory_kratos_session"))
	if body := sdk.WantError(t, r, http.StatusBadRequest); body["reason"] != "A valid session was detected and thus recovery is not possible." {
		t.Errorf("api init with a session: %v", body)
	}

	wantHome := func(what string, r sdk.BrowserResponse) {
		t.Helper()
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != home {
			t.Errorf("%s: %d to %q, want 302 to %s", what, r.StatusCode, r.Header.Get("Location"), home)
		}
	}
	wantHome("browser init", b.Get(e.Public+"self-service/recovery/browser"))
	form := url.Values{"csrf_token": {tok}, "method": {"link"}, "email": {"signed@example.com"}}
	wantHome("form submit", other.PostForm(e.Public+"self-service/recovery?flow="+id, form))
	wantHome("JSON submit", other.Do(http.MethodPost, e.Public+"self-service/recovery?flow="+id, "application/json",
		sdk.Marshal(t, map[string]string{"csrf_token": tok, "method": "link", "email": "signed@example.com"}), "Accept", "application/json"))

	link := e.requestLink("signed@example.com")
	r2 := b.Get(link)
	wantHome("link while signed in", r2)
	if r2.SetCookie("ory_kratos_session") != nil {
		t.Error("a link followed while signed in issued a session")
	}
	fresh := e.Browser()
	e.wantRecovered(fresh, fresh.Get(link), i.Id)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
