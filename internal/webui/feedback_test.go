package webui_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

// These tests read the pages as a browser without JavaScript does: every
// outcome says what happened, in the reader's language.

func heading(t *testing.T, p *page) string {
	t.Helper()
	h := p.all("h1")
	if len(h) == 0 {
		t.Fatal("the page has no h1")
	}
	return h[0].Text
}

func pageText(p *page, elem string) string {
	var b strings.Builder
	for _, e := range p.all(elem) {
		b.WriteString(e.Text + "\n")
	}
	return b.String()
}

func signUp(t *testing.T, c *http.Client, base, password string) {
	t.Helper()
	resp, body := get(t, c, base+"ui/registration")
	resp, home := submit(t, c, parsePage(t, resp.Request.URL, body), 0, map[string]string{"traits.email": email, "password": password})
	if got := heading(t, home); got != "You are signed in" {
		t.Fatalf("sign-up ended at %s with %q", resp.Request.URL, got)
	}
}

// TestPagesSpeakTheBrowsersLanguage: Accept-Language picks German, the
// language switch picks French and is remembered, and an unknown language
// falls back to English.
func TestPagesSpeakTheBrowsersLanguage(t *testing.T) {
	t.Parallel()
	srv := uiServer(t, nil)
	load := func(c *http.Client, path, accept string) *page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.PublicURL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io_copy(&b, resp)
		return parsePage(t, resp.Request.URL, b.String())
	}
	c := client()
	de := load(c, "ui/login", "de-CH, de;q=0.9, en;q=0.5")
	if got := heading(t, de); got != "Anmelden" {
		t.Errorf("a German browser sees the sign-in heading %q, want Anmelden", got)
	}
	if lang := de.all("html")[0].Attr["lang"]; lang != "de" {
		t.Errorf("<html lang=%q>, want de", lang)
	}
	if labels := pageText(de, "label"); !strings.Contains(labels, "Passwort") {
		t.Errorf("German labels %q lack Passwort", labels)
	}
	var french string
	for _, a := range de.all("a") {
		if a.Attr["hreflang"] == "fr" {
			french = a.Attr["href"]
		}
	}
	if french == "" || !strings.Contains(french, "lang=fr") {
		t.Fatalf("no language switch link to French on the page (got %q)", french)
	}
	u, _ := de.url.Parse(french)
	fr := load(c, strings.TrimPrefix(u.String(), srv.PublicURL), "de")
	if got := heading(t, fr); got != "Se connecter" {
		t.Errorf("after choosing French the heading is %q, want Se connecter", got)
	}
	if got := heading(t, load(c, "ui/registration", "de")); got != "Créer un compte" {
		t.Errorf("the French choice is not remembered on the next page: %q", got)
	}
	if got := heading(t, load(client(), "ui/login", "tlh, xx")); got != "Sign in" {
		t.Errorf("an unknown language gets %q, want English", got)
	}
}

// TestTranslationsFolderAddsAndOverrides: ui.translations_path adds a
// language and overrides a built-in text.
func TestTranslationsFolderAddsAndOverrides(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("nl.json", `{"language.name": "Nederlands", "login.title": "Inloggen"}`)
	write("de.json", `{"login.title": "Einloggen"}`)
	srv := uiServer(t, func(c *config.Config) { c.UI.TranslationsPath = dir })
	for accept, want := range map[string]string{"nl": "Inloggen", "de": "Einloggen"} {
		req, _ := http.NewRequest(http.MethodGet, srv.PublicURL+"ui/login", nil)
		req.Header.Set("Accept-Language", accept)
		resp, err := client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io_copy(&b, resp)
		resp.Body.Close()
		p := parsePage(t, resp.Request.URL, b.String())
		if got := heading(t, p); got != want {
			t.Errorf("Accept-Language %s: heading %q, want %q", accept, got, want)
		}
		if accept == "nl" && !strings.Contains(pageText(p, "label"), "Password") {
			t.Errorf("a key the added language lacks is not shown in English: %q", pageText(p, "label"))
		}
	}
}

// TestUnknownPageAndFavicon: any other address under /ui/ is a page that
// says so (404), and browsers find an icon.
func TestUnknownPageAndFavicon(t *testing.T) {
	t.Parallel()
	srv := uiServer(t, nil)
	resp, body := get(t, client(), srv.PublicURL+"ui/no-such-page")
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /ui/no-such-page: %d %s, want a 404 HTML page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := heading(t, parsePage(t, resp.Request.URL, body)); got != "Page not found" {
		t.Errorf("404 heading %q", got)
	}
	for _, path := range []string{"favicon.ico", "ui/favicon.svg"} {
		resp, body := get(t, client(), srv.PublicURL+path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
			t.Errorf("GET /%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestMessagesReadAsPlainLanguage: a bad address and a short password are
// explained at once, without schema words.
func TestMessagesReadAsPlainLanguage(t *testing.T) {
	t.Parallel()
	srv := uiServer(t, nil)
	c := client()
	resp, body := get(t, c, srv.PublicURL+"ui/registration")
	_, p := submit(t, c, parsePage(t, resp.Request.URL, body), 0, map[string]string{"traits.email": "x", "password": "abc"})
	msgs := pageText(p, "p")
	if !strings.Contains(msgs, "Enter a valid email address") {
		t.Errorf("sign-up with the address %q says:\n%s\nwant \"Enter a valid email address\"", "x", msgs)
	}
	if !strings.Contains(msgs, "Use at least 8 characters.") {
		t.Errorf("with a bad address too, the 3-character password is not explained at once:\n%s", msgs)
	}
	if strings.Contains(msgs, `is not valid "email"`) {
		t.Errorf("the page shows the schema validator's words:\n%s", msgs)
	}
	for _, in := range p.all("input") {
		if in.Attr["name"] == "traits.email" && !in.has("autofocus") {
			t.Error("focus is not moved to the first input with a problem")
		}
	}

	resp, body = get(t, c, srv.PublicURL+"ui/registration")
	_, p = submit(t, c, parsePage(t, resp.Request.URL, body), 0, map[string]string{"traits.email": email, "password": "abc"})
	if msgs := pageText(p, "p"); !strings.Contains(msgs, "Use at least 8 characters.") {
		t.Errorf("a 3-character password is explained as:\n%s\nwant \"Use at least 8 characters.\"", msgs)
	}
}

// TestOutcomesAreAnnounced: signing out, a saved password and a signed-out
// visit to settings each say what happened.
func TestOutcomesAreAnnounced(t *testing.T) {
	t.Parallel()
	srv := uiServer(t, nil)
	c := client()
	signUp(t, c, srv.PublicURL, "plain-Passw0rd-1")

	resp, body := get(t, c, srv.PublicURL+"ui/settings")
	settings := parsePage(t, resp.Request.URL, body)
	pwForm := -1
	for i, f := range settings.forms {
		for _, e := range settings.elems {
			if e.Form == i && e.Attr["name"] == "password" {
				pwForm = i
			}
		}
		_ = f
	}
	if pwForm < 0 {
		t.Fatal("no password form on the settings page")
	}
	hasUsername := false
	for _, e := range settings.elems {
		if e.Form == pwForm && e.Attr["autocomplete"] == "username" && e.Attr["value"] == email {
			hasUsername = true
		}
	}
	if !hasUsername {
		t.Error("the password form has no username field for password managers")
	}
	resp, saved := submit(t, c, settings, pwForm, map[string]string{"password": "second-Passw0rd-2"})
	notices := saved.all("p")
	var savedIn string
	for _, n := range notices {
		if n.Text == "Your new password has been saved." {
			savedIn = "found"
		}
		if n.Text == "Your changes have been saved." {
			t.Errorf("the settings page still says the generic %q", n.Text)
		}
	}
	if savedIn == "" {
		t.Errorf("after saving the password (%s) the page says:\n%s", resp.Request.URL, pageText(saved, "p"))
	}

	// Sign out from the home page.
	_, body = get(t, c, srv.PublicURL+"ui/")
	home := parsePage(t, resp.Request.URL, body)
	var logout string
	for _, a := range home.all("a") {
		if a.Text == "Sign out" {
			logout = a.Attr["href"]
		}
	}
	resp, body = get(t, c, logout)
	if !strings.Contains(pageText(parsePage(t, resp.Request.URL, body), "p"), "You have signed out.") {
		t.Errorf("signing out ended at %s without saying so", resp.Request.URL)
	}

	// Signed out, settings explains why it asks for a sign-in, and leads
	// back to settings afterwards.
	resp, body = get(t, c, srv.PublicURL+"ui/settings")
	login := parsePage(t, resp.Request.URL, body)
	if resp.Request.URL.Path != "/ui/login" || !strings.Contains(pageText(login, "p"), "Sign in to see and change your account settings.") {
		t.Fatalf("a signed-out visit to settings ended at %s saying:\n%s", resp.Request.URL, pageText(login, "p"))
	}
	resp, after := submit(t, c, login, 0, map[string]string{"password_identifier": email, "password": "second-Passw0rd-2"})
	if resp.Request.URL.Path != "/ui/settings" || heading(t, after) != "Account settings" {
		t.Errorf("signing in from there ended at %s (%q), want the settings page", resp.Request.URL, heading(t, after))
	}
}
