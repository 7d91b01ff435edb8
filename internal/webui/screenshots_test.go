package webui_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestScreenshots writes pictures of the login page (showing a wrong
// password's error) and of the settings page, light and dark, for the
// docs. It runs only when asked:
//
//	LATCHKEY_SCREENSHOTS=docs go test ./internal/webui/ -run Screenshots
//
// The value is the directory to write to, relative to the repository root
// (or absolute).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LATCHKEY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LATCHKEY_SCREENSHOTS=docs to write the screenshots to docs/")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // the test runs in internal/webui
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := uiServer(t, nil)
	b := newBrowser(t, srv.PublicURL)
	b.do("set the viewport", chromedp.EmulateViewport(1000, 800))

	b.open("ui/registration")
	b.heading("Create an account")
	b.fill("Email address", email)
	b.fill("Password", "shot-Passw0rd-1")
	b.fill("Name", "Ada Lovelace")
	b.press("Sign up", "password")
	signOut(b)

	for _, scheme := range []string{"light", "dark"} {
		suffix := ""
		if scheme == "dark" {
			suffix = "-dark"
		}
		b.do("emulate prefers-color-scheme: "+scheme, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
			})
			return err
		}))

		// The login page, after a wrong password.
		b.open("ui/")
		b.clickLink("Sign in")
		b.heading("Sign in")
		b.fill("Email address", email)
		b.fill("Password", "not-my-Passw0rd")
		b.press("Sign in", "password")
		b.shows("The email address or username and the password do not match.")
		shoot(b, filepath.Join(dir, "login"+suffix+".png"))

		// The settings page, signed in.
		b.fill("Password", "shot-Passw0rd-1")
		b.press("Sign in", "password")
		b.heading("You are signed in")
		b.clickLink("Account settings")
		b.heading("Account settings")
		shoot(b, filepath.Join(dir, "settings"+suffix+".png"))
		b.clickLink("Back to your account")
		signOut(b)
	}
}

// shoot writes a PNG of the whole page at 1000 pixels wide: the viewport
// grows to the page's height for the picture, so no scrollbar shows, and
// the mouse is moved out of the way, so no hover shows.
func shoot(b *browser, path string) {
	b.t.Helper()
	h := run(b, "measure the page", chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	b.do("fit the viewport to the page",
		chromedp.EmulateViewport(1000, max(800, h)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 999, 0))
	png := run(b, "take a screenshot", chromedp.CaptureScreenshot())
	b.do("restore the viewport", chromedp.EmulateViewport(1000, 800))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s", path)
}
