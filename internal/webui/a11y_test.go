package webui_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeViolation is what the test keeps of an axe-core finding.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// TestAccessibility runs the axe-core checker on every built-in page, in
// light and dark mode, on a desktop and on a 375 px phone, and wants no
// violation. LATCHKEY_AXE names axe.min.js (.ci/run installs it from npm).
func TestAccessibility(t *testing.T) {
	t.Parallel()
	path := os.Getenv("LATCHKEY_AXE")
	if path == "" {
		t.Skip("LATCHKEY_AXE is not set: install axe-core from npm and point LATCHKEY_AXE at its axe.min.js")
	}
	axeSource, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("LATCHKEY_AXE: %v", err)
	}
	srv := uiServer(t, nil)
	b := newBrowser(t, srv.PublicURL)
	check := func(name string) {
		t.Helper()
		for _, mode := range []struct {
			scheme string
			width  int64
		}{{"light", 1280}, {"dark", 1280}, {"light", 375}, {"dark", 375}} {
			b.do("emulate "+mode.scheme+" at "+fmt.Sprint(mode.width), chromedp.EmulateViewport(mode.width, 800), emulateScheme(mode.scheme))
			found := run(b, "run axe on "+name, runAxe(string(axeSource)))
			for _, v := range found {
				t.Errorf("%s (%s, %d px): %s [%s, %s] at %s", name, mode.scheme, mode.width, v.Help, v.ID, v.Impact, strings.Join(v.Nodes, "; "))
			}
		}
	}

	b.open("ui/")
	b.heading("Welcome")
	check("home, signed out")
	for _, p := range []struct{ path, heading string }{
		{"ui/login", "Sign in"}, {"ui/registration", "Create an account"}, {"ui/recovery", "Recover your account"},
		{"ui/verification", "Verify your email address"}, {"ui/no-such-page", "Page not found"}, {"ui/error?error=stub:500", "Something went wrong"},
	} {
		b.open(p.path)
		b.heading(p.heading)
		check(p.path)
	}

	b.open("ui/registration")
	b.fill("Email address", "x")
	b.fill("Password", "abc")
	b.press("Sign up", "password")
	b.shows("Enter a valid email address")
	check("registration with problems")

	b.fill("Email address", email)
	b.fill("Password", "plain-Passw0rd-1")
	b.press("Sign up", "password")
	b.heading("You are signed in")
	check("home, signed in")
	signInElsewhere(t, srv, "plain-Passw0rd-1", phoneAgent)
	b.open("ui/settings")
	b.heading("Account settings")
	b.shows("Safari on iOS")
	check("settings")
	b.do("sign out the phone", clickXPath(`//li[contains(., "Safari on iOS")]//button`))
	b.shows("The device has been signed out.")
	check("settings, a device signed out")
	b.fill("Password", "short")
	b.press("Save", "password")
	b.heading("Account settings")
	check("settings with a problem")
}

func emulateScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return chromedp.Void{}, err
	}
}

// runAxe loads axe-core into the page once, through DevTools (the pages'
// Content-Security-Policy allows no script of their own), and runs it.
func runAxe(source string) chromedp.Action[[]axeViolation] {
	return func(ctx context.Context, t *chromedp.Target) ([]axeViolation, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe !== "undefined"`)(ctx, t)
		if err != nil {
			return nil, err
		}
		if !loaded {
			if _, err := chromedp.Evaluate[chromedp.Void](source)(ctx, t); err != nil {
				return nil, fmt.Errorf("load axe-core: %w", err)
			}
		}
		return chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" "))
		})))`, chromedp.EvalAwaitPromise)(ctx, t)
	}
}
