package webui_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// sessionCookie is the value of the browser's session cookie.
func sessionCookie(b *browser) string {
	b.t.Helper()
	res := run(b, "read the cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	})
	for _, c := range res.Cookies {
		if c.Name == "ory_kratos_session" {
			return c.Value
		}
	}
	return ""
}

// TestBrowserTOTPJourney: on the built-in pages a user turns on an
// authenticator app (typing the code for the key the page shows) and
// makes recovery codes; after signing out, the password alone leads to
// the second-factor prompt, a gateway's whoami refuses that half-signed-in
// session, and the code from the app finishes the sign-in. axe finds
// nothing on the new pages.
func TestBrowserTOTPJourney(t *testing.T) {
	t.Parallel()
	srv := uiServer(t, func(c *config.Config) {
		c.SelfService.Methods.TOTP.Enabled = true
		c.SelfService.Methods.LookupSecret.Enabled = true
	})
	b := newBrowser(t, srv.PublicURL)
	axe := func(name string) {}
	if path := os.Getenv("LATCHKEY_AXE"); path != "" {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		axe = func(name string) {
			t.Helper()
			for _, v := range run(b, "run axe on "+name, runAxe(string(src))) {
				t.Errorf("%s: %s [%s, %s] at %s", name, v.Help, v.ID, v.Impact, strings.Join(v.Nodes, "; "))
			}
		}
	}
	const mail, password = "two-factor@example.com", "totp-Passw0rd-1"

	b.open("ui/registration")
	b.fill("Email address", mail)
	b.fill("Password", password)
	b.press("Sign up", "password")
	b.heading("You are signed in")

	b.open("ui/settings")
	b.heading("Account settings")
	b.shows("Authenticator app", "Scan the QR code")
	if src, _ := b.attr(`//div[contains(@class,"qr")]/img`, "src"); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("no QR code on the page: %q", src)
	}
	secret := run(b, "read the key", textOf(`//p[@class="secret"]/code`))
	if len(secret) != 32 {
		t.Fatalf("the key shown is %q", secret)
	}
	axe("settings with the TOTP enrolment")
	code, err := pqtotp.GenerateCode(secret, srv.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill("Verify code", code)
	b.press("Save", "totp_code")
	b.heading("Account settings")
	b.shows("Turn off the authenticator app")

	b.do("make recovery codes", clickXPath(`//button[normalize-space()="Make new recovery codes"]`))
	b.shows("Keep these codes somewhere safe")
	codes := run(b, "count the codes", chromedp.Evaluate[int](`document.querySelectorAll("ol.codes code").length`))
	if codes != 12 {
		t.Errorf("%d recovery codes shown, want 12", codes)
	}
	b.do("the copy button works with the script", waitVisible(`//button[@data-codes="copy"]`), waitVisible(`//a[@download="recovery-codes.txt"]`))
	axe("settings with new recovery codes")
	b.do("confirm the codes", clickXPath(`//button[normalize-space()="I have saved these codes: turn them on"]`))
	b.shows("Show recovery codes")
	if strings.Contains(b.text(), "Keep these codes somewhere safe") {
		t.Errorf("the codes are shown again after confirming")
	}

	// Reveal says which codes are left, without showing them again.
	b.do("reveal the codes", clickXPath(`//button[normalize-space()="Show recovery codes"]`))
	// The page before the reveal says "Recovery codes" too: wait for the
	// revealed list itself.
	b.do("wait for the revealed codes", waitVisible(`//ol[contains(@class, "codes")]//code[.="********"]`))
	if n := run(b, "count the hidden codes", chromedp.Evaluate[int](`[...document.querySelectorAll("ol.codes code")].filter(c => c.textContent === "********").length`)); n != 12 {
		t.Errorf("%d hidden codes after reveal, want 12", n)
	}
	axe("settings with revealed codes")

	b.open("self-service/browser/flows/logout")
	b.open("ui/login")
	b.fill("Email address", mail)
	b.fill("Password", password)
	b.press("Sign in", "password")
	b.heading("Confirm it's you")
	b.shows("Enter the code from your authenticator app")
	axe("second-factor prompt")
	if strings.Contains(b.text(), "Password") {
		t.Errorf("the prompt asks for the password again: %s", b.text())
	}

	// The gateway's whoami refuses the password-only session.
	half := sessionCookie(b)
	if half == "" {
		t.Fatal("no session cookie after the password")
	}
	r := sdk.Do(t, http.MethodGet, srv.PublicURL+"sessions/whoami", "", nil, "Cookie", "ory_kratos_session="+half)
	if e := sdk.WantError(t, r, http.StatusForbidden); e["id"] != "session_aal2_required" {
		t.Errorf("whoami of the aal1 session: %s", r.Body)
	}

	srv.Clock.Advance(30 * time.Second)
	code, _ = pqtotp.GenerateCode(secret, srv.Clock.Now())
	b.fill("Authentication code", code)
	b.press("Use authenticator app", "totp_code")
	b.heading("You are signed in")
	if r := sdk.Do(t, http.MethodGet, srv.PublicURL+"sessions/whoami", "", nil, "Cookie", "ory_kratos_session="+sessionCookie(b)); r.Status != 200 {
		t.Errorf("whoami after the code: %d %s", r.Status, r.Body)
	}
}
