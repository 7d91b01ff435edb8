package webui_test

import (
	"encoding/base64"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/oidctest"
)

// socialMapper maps the provider's email and name when it sent them.
const socialMapper = `local c = std.extVar('claims');
{identity: {traits: {
  [if 'email' in c then 'email']: c.email,
  [if 'name' in c then 'name']: c.name,
}}}`

// socialServer is the built-in pages with social sign-in at a real
// provider ("corp", labelled Corp) and a second provider ("backup") that
// is only shown, never used.
func socialServer(t *testing.T) (*testkit.Server, *oidctest.Provider) {
	t.Helper()
	op := oidctest.Start(t)
	mapper := "base64://" + base64.StdEncoding.EncodeToString([]byte(socialMapper))
	srv := uiServer(t, func(c *config.Config) {
		c.SelfService.Methods.OIDC.Enabled = true
		c.SelfService.Methods.OIDC.Config.Providers = []config.OIDCProvider{
			{ID: "corp", Provider: "generic", Label: "Corp", ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret, IssuerURL: op.URL, MapperURL: mapper, Scope: []string{"email", "profile"}},
			{ID: "backup", Provider: "generic", Label: "Backup", ClientID: "unused", ClientSecret: "unused", IssuerURL: op.URL, MapperURL: mapper},
		}
		c.SelfService.Flows.Registration.After.OIDC.Hooks = []config.Hook{{Hook: "session"}}
	})
	op.SetRedirect(srv.PublicURL + "self-service/methods/oidc/callback/corp")
	return srv, op
}

// continueWith clicks a provider's button and signs in at the provider's
// own login page as username.
func continueWith(b *browser, label, username string) {
	b.t.Helper()
	b.do("press "+xq("Continue with "+label), clickXPath(`//button[normalize-space()=`+xq("Continue with "+label)+`]`))
	b.do("sign in at the provider",
		waitVisible(`#username`),
		chromedp.SendKeys(`#username`, username),
		chromedp.SendKeys(`#password`, oidctest.Password),
		clickXPath(`//button[normalize-space()="Login"]`))
}

// axeChecker runs axe-core on the page when LATCHKEY_AXE is set, in light
// and dark mode, and fails the test for every violation.
type axeChecker struct {
	once   sync.Once
	source string
}

func (a *axeChecker) check(t *testing.T, b *browser, name string) {
	t.Helper()
	a.once.Do(func() {
		if p := os.Getenv("LATCHKEY_AXE"); p != "" {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("LATCHKEY_AXE: %v", err)
			}
			a.source = string(src)
		}
	})
	if a.source == "" {
		return
	}
	for _, scheme := range []string{"light", "dark"} {
		b.do("emulate "+scheme, emulateScheme(scheme))
		for _, v := range run(b, "run axe on "+name, runAxe(a.source)) {
			t.Errorf("%s (%s): %s [%s, %s] at %s", name, scheme, v.Help, v.ID, v.Impact, strings.Join(v.Nodes, "; "))
		}
	}
}

// TestBrowserSocialSignIn: "Continue with Corp" on the sign-up page goes to
// the provider and comes back signed in; signing out and in again with it
// is the same account; a provider that does not share the email leads to
// the completion form; settings show the providers. Every page passes axe.
func TestBrowserSocialSignIn(t *testing.T) {
	t.Parallel()
	srv, op := socialServer(t)
	op.AddUser("sub-ada", "ada", email, true, "Ada", "Lovelace")
	op.AddUser("sub-bo", "bo", "", false, "Bo", "Berg")
	b := newBrowser(t, srv.PublicURL)
	var axe axeChecker

	b.open("ui/registration")
	b.heading("Create an account")
	b.shows("Continue with Corp", "Continue with Backup")
	axe.check(t, b, "registration with providers")
	continueWith(b, "Corp", "ada")
	b.heading("You are signed in")
	b.at("ui/")
	b.shows(email, "Ada Lovelace")

	b.open("ui/settings")
	b.heading("Account settings")
	b.shows("Sign-in providers", "Link backup")
	if strings.Contains(b.text(), "Unlink corp") {
		t.Errorf("settings offer to unlink the only way to sign in")
	}
	axe.check(t, b, "settings with providers")

	b.open("ui/")
	signOut(b)
	b.clickLink("Sign in")
	b.heading("Sign in")
	b.shows("Continue with Corp")
	axe.check(t, b, "sign-in with providers")
	continueWith(b, "Corp", "ada")
	b.heading("You are signed in")
	b.shows(email)

	signOut(b)
	b.clickLink("Create an account")
	b.heading("Create an account")
	continueWith(b, "Corp", "bo")
	b.heading("Create an account")
	b.at("ui/registration?flow=")
	b.shows("Your sign-in provider did not share everything your account needs.")
	if got := run(b, "read the mapped name", valueOf(inputFor("Name"))); got != "Bo Berg" {
		t.Errorf("the completion form's name is %q, want the provider's %q", got, "Bo Berg")
	}
	axe.check(t, b, "completion form")
	b.fill("Email address", "bo@example.org")
	continueWith(b, "Corp", "bo")
	b.heading("You are signed in")
	b.shows("bo@example.org", "Bo Berg")
}
