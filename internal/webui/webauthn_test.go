package webui_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/strategy/webauthn"
	"github.com/latchkey/latchkey/internal/testkit"
)

// webauthnServer starts Latchkey on localhost (WebAuthn needs a domain,
// not an address) with security keys on.
func webauthnServer(t *testing.T, passwordless bool) *testkit.Server {
	t.Helper()
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Methods.WebAuthn = config.WebAuthnMethod{Enabled: true, Config: config.WebAuthnConfig{
			Passwordless: passwordless, RP: config.WebAuthnRP{ID: "localhost", DisplayName: "Latchkey test"},
		}}
		c.SelfService.Flows.Registration.After.WebAuthn.Hooks = []config.Hook{{Hook: "session"}}
	})
	return testkit.StartWith(t, cfg, testkit.Options{PublicHost: "localhost"})
}

// virtualAuthenticator gives the tab a platform authenticator that holds
// passkeys and verifies its user at once, as Chrome's DevTools offer.
// It returns the authenticator's id.
func virtualAuthenticator(b *browser) cdpwebauthn.AuthenticatorID {
	b.t.Helper()
	return run(b, "add a virtual authenticator", func(ctx context.Context, t *chromedp.Target) (cdpwebauthn.AuthenticatorID, error) {
		if _, err := cdp.Call(ctx, t, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
			return "", err
		}
		res, err := cdp.Call(ctx, t, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{
			Options: &cdpwebauthn.VirtualAuthenticatorOptions{
				Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Ctap2version: cdpwebauthn.Ctap2versionCtap21,
				Transport: cdpwebauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
			},
		})
		return res.AuthenticatorID, err
	})
}

// unplug removes a virtual authenticator, as someone puts a key away.
func unplug(b *browser, id cdpwebauthn.AuthenticatorID) {
	b.t.Helper()
	b.do("remove the virtual authenticator", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, cdpwebauthn.RemoveVirtualAuthenticator, cdpwebauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: id})
		return chromedp.Void{}, err
	})
}

// axeClean runs axe-core on the page when LATCHKEY_AXE names it, and
// fails the test for every violation.
func axeClean(b *browser, name string) {
	b.t.Helper()
	path := os.Getenv("LATCHKEY_AXE")
	if path == "" {
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		b.t.Fatalf("LATCHKEY_AXE: %v", err)
	}
	for _, v := range run(b, "run axe on "+name, runAxe(string(src))) {
		b.t.Errorf("%s: %s [%s, %s] at %s", name, v.Help, v.ID, v.Impact, strings.Join(v.Nodes, "; "))
	}
}

// storedKeys reads the identity's webauthn credential from the database.
func storedKeys(t *testing.T, srv *testkit.Server, id uuid.UUID) webauthn.Config {
	t.Helper()
	creds, err := srv.App.Store.Credentials(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var cfg webauthn.Config
	if c := creds[webauthn.CredentialType]; c != nil {
		if err := json.Unmarshal(c.Config, &cfg); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// TestBrowserPasskeyJourney: someone signs up with a passkey and no
// password, signs out, signs in with the passkey alone, adds a second key
// in the settings and removes it; the database holds the keys as the later
// versions store them, with the sign count moving.
func TestBrowserPasskeyJourney(t *testing.T) {
	t.Parallel()
	srv := webauthnServer(t, true)
	b := newBrowser(t, srv.PublicURL)
	first := virtualAuthenticator(b)
	const who = "passkey@example.org"

	b.open("ui/registration")
	b.heading("Create an account")
	axeClean(b, "sign-up with a passkey")
	b.do("type the address into the passkey form", chromedp.SendKeys(`#webauthn-traits-email`, who))
	b.do("sign up with a passkey", chromedp.Click(`//button[@name="webauthn_register_trigger"]`))
	b.heading("You are signed in")
	b.shows(who)

	i, _, err := srv.App.Store.IdentityByIdentifier(context.Background(), webauthn.CredentialType, []string{who})
	if err != nil {
		t.Fatalf("after signing up with a passkey, no identity has the webauthn identifier %s: %v", who, err)
	}
	keys := storedKeys(t, srv, i.ID)
	if len(keys.Credentials) != 1 || !keys.Credentials[0].IsPasswordless || len(keys.Credentials[0].PublicKey) == 0 || string(keys.UserHandle) != string(i.ID[:]) {
		t.Fatalf("stored keys after sign-up = %+v; want one passwordless key with a public key, user handle = the identity id", keys)
	}
	count := keys.Credentials[0].Authenticator.SignCount

	signOut(b)
	b.open("ui/login")
	b.heading("Sign in")
	b.do("type the address into the passkey form", chromedp.SendKeys(`#webauthn-identifier`, who))
	b.do("ask for the passkey", chromedp.Click(`//form[.//input[@id="webauthn-identifier"]]//button[@name="method"][@value="webauthn"]`))
	b.do("wait for the passkey prompt", chromedp.WaitVisible(`//button[@name="webauthn_login_trigger"]`))
	axeClean(b, "sign-in, passkey prompt")
	b.do("use the passkey", chromedp.Click(`//button[@name="webauthn_login_trigger"]`))
	b.heading("You are signed in")
	b.shows(who)
	if got := storedKeys(t, srv, i.ID).Credentials[0].Authenticator.SignCount; got <= count {
		t.Errorf("sign count after signing in = %d, want more than %d", got, count)
	}

	// The only passkey cannot be removed: it is the only way in.
	b.open("ui/settings")
	b.heading("Account settings")
	if _, disabled := b.attr(`//button[@name="webauthn_remove"]`, "disabled"); !disabled {
		t.Error("the remove button of the only passkey of an account without a password is not disabled")
	}
	// A second device: the first one already holds a key of this
	// account, so the browser would refuse to make another on it.
	unplug(b, first)
	virtualAuthenticator(b)
	b.do("name the second key", chromedp.SendKeys(`#webauthn-webauthn_register_displayname`, "Backup key"))
	b.do("add the second key", chromedp.Click(`//button[@name="webauthn_register_trigger"]`))
	b.shows("Backup key")
	axeClean(b, "settings with two keys")
	if n := len(storedKeys(t, srv, i.ID).Credentials); n != 2 {
		t.Fatalf("after adding a key in settings the identity has %d keys, want 2", n)
	}
	b.do("remove the second key", chromedp.Click(`//button[@name="webauthn_remove"][contains(., "Backup key")]`))
	b.do("wait for the key to go", chromedp.WaitNotPresent(`//button[@name="webauthn_remove"][contains(., "Backup key")]`))
	left := storedKeys(t, srv, i.ID).Credentials
	if len(left) != 1 || left[0].DisplayName == "Backup key" {
		t.Fatalf("after removing the backup key the identity has %+v", left)
	}
	if strings.Contains(b.text(), "did not answer") {
		t.Errorf("the page shows the script's failure: %s", b.text())
	}
}

// TestBrowserSecurityKeyAsSecondFactor: someone with a password adds a
// security key in the settings, signs out, and signing in again takes the
// password and then the key; removing the key makes the password enough
// again.
func TestBrowserSecurityKeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	srv := webauthnServer(t, false)
	b := newBrowser(t, srv.PublicURL)
	virtualAuthenticator(b)
	const who, password = "key@example.org", "key-Passw0rd-1"

	b.open("ui/registration")
	b.heading("Create an account")
	b.do("type the address", chromedp.SendKeys(`#password-traits-email`, who))
	b.do("type the password", chromedp.SendKeys(`#password-password`, password))
	b.press("Sign up", "password")
	b.heading("You are signed in")

	b.open("ui/settings")
	b.heading("Account settings")
	b.do("name the key", chromedp.SendKeys(`#webauthn-webauthn_register_displayname`, "Blue key"))
	b.do("add the key", chromedp.Click(`//button[@name="webauthn_register_trigger"]`))
	b.shows("Blue key")
	i, _, err := srv.App.Store.IdentityByIdentifier(context.Background(), webauthn.CredentialType, []string{who})
	if err != nil {
		t.Fatalf("after adding a key, no identity has the webauthn identifier %s: %v", who, err)
	}
	if keys := storedKeys(t, srv, i.ID).Credentials; len(keys) != 1 || keys[0].IsPasswordless || keys[0].DisplayName != "Blue key" {
		t.Fatalf("stored keys = %+v, want one second-factor key named Blue key", keys)
	}

	b.open("ui/")
	signOut(b)
	b.open("ui/login")
	b.heading("Sign in")
	b.do("type the address", chromedp.SendKeys(`#password-password_identifier`, who))
	b.do("type the password", chromedp.SendKeys(`#password-password`, password))
	b.press("Sign in", "password")
	// The password alone is not enough: the page asks for the key.
	b.do("wait for the key prompt", chromedp.WaitVisible(`//button[@name="webauthn_login_trigger"]`))
	b.at("ui/login?flow=")
	axeClean(b, "sign-in, second factor prompt")
	b.do("use the key", chromedp.Click(`//button[@name="webauthn_login_trigger"]`))
	b.heading("You are signed in")
	b.shows(who)

	b.open("ui/settings")
	b.heading("Account settings")
	b.do("remove the key", chromedp.Click(`//button[@name="webauthn_remove"][contains(., "Blue key")]`))
	b.do("wait for the key to go", chromedp.WaitNotPresent(`//button[@name="webauthn_remove"]`))
	if keys := storedKeys(t, srv, i.ID).Credentials; len(keys) != 0 {
		t.Fatalf("after removing the only key the identity still has %+v", keys)
	}
	b.open("ui/")
	signOut(b)
	signInWith(b, who, password)
}

// signInWith signs in with a password from the sign-in page and expects
// to be signed in at once.
func signInWith(b *browser, who, password string) {
	b.t.Helper()
	b.open("ui/login")
	b.heading("Sign in")
	b.do("type the address", chromedp.SendKeys(`#password-password_identifier`, who))
	b.do("type the password", chromedp.SendKeys(`#password-password`, password))
	b.press("Sign in", "password")
	b.heading("You are signed in")
}
