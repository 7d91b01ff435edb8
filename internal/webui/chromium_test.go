package webui_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// stepTimeout bounds one browser step (a page load, a wait for an element).
// It only turns a hang into a failure; no test asserts how long a step takes.
const stepTimeout = 45 * time.Second

// chromiumPath finds the browser: LATCHKEY_CHROMIUM, else the usual names
// on PATH. It returns "" when there is none.
func chromiumPath() string {
	if p := os.Getenv("LATCHKEY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chromiumOptions are the only flags the browser starts with, on a profile of
// its own.
func chromiumOptions(path, profile string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
	}
}

// uiServer starts Latchkey on SQLite with every built-in page on: dev mode
// without SMTP (so the dev mailbox shows the mail), recovery and
// verification enabled, and the courier running so mail is marked sent.
func uiServer(t testing.TB, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		on := true
		c.SelfService.Flows.Recovery.Enabled = true
		c.SelfService.Flows.Verification.Enabled = true
		c.WatchCourier = &on
		if mutate != nil {
			mutate(c)
		}
	})
	return testkit.Start(t, cfg)
}

// browser is one headless Chromium tab on a Latchkey server.
type browser struct {
	t    testing.TB
	ctx  context.Context
	base string // the public URL, with a trailing slash
}

// newBrowser starts Chromium, or skips the test when there is none.
func newBrowser(t testing.TB, base string) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium found: install Debian's chromium or set LATCHKEY_CHROMIUM")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromiumOptions(path, t.TempDir())...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// Cleanups run last-registered first: the browser stops before its
	// profile directory is removed.
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	start, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	// The browser's life is bound to ctx, not to the step's deadline,
	// so start it with an empty Do on ctx itself, bounded by a timer.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("start Chromium %s: %v", path, err)
		}
	case <-start.Done():
		t.Fatalf("start Chromium %s: no answer within %v", path, stepTimeout)
	}
	return &browser{t: t, ctx: ctx, base: base}
}

// do runs steps, failing the test with what the page shows when one fails.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
}

// run runs one action that returns a value.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

func (b *browser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("not there after %v: %w", stepTimeout, err)
	}
	b.t.Fatalf("%s: %v\nthe browser is at %s and shows:\n%s", what, err, loc, page)
}

// xq quotes s as an XPath string literal (the texts here have no double
// quotes).
func xq(s string) string { return `"` + s + `"` }

// open loads a page of the server by its path.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// heading waits for the page whose main heading is h.
func (b *browser) heading(h string) {
	b.t.Helper()
	b.do("wait for the heading "+xq(h), chromedp.WaitVisible(`//h1[normalize-space()=`+xq(h)+`]`))
}

// clickLink clicks the link that reads text.
func (b *browser) clickLink(text string) {
	b.t.Helper()
	b.do("click the link "+xq(text), chromedp.Click(`//a[normalize-space()=`+xq(text)+`]`))
}

// press clicks the button that reads text, in the form that has the input
// named input (the settings page has several forms).
func (b *browser) press(text, input string) {
	b.t.Helper()
	b.do("press "+xq(text), chromedp.Click(`//form[.//input[@name=`+xq(input)+`]]//button[normalize-space()=`+xq(text)+`]`))
}

// inputFor is the XPath of the input that a label names, found as a user
// finds it: by the label's own text (without "(optional)"), through for/id.
func inputFor(label string) string {
	return `//input[@id=//label[normalize-space(text()[1])=` + xq(label) + `]/@for]`
}

// fill types value into the input labelled label, after clearing it.
func (b *browser) fill(label, value string) {
	b.t.Helper()
	sel := inputFor(label)
	b.do("fill "+xq(label), chromedp.WaitVisible(sel), chromedp.Clear(sel), chromedp.SendKeys(sel, value))
}

// check ticks the checkbox labelled label by clicking its label.
func (b *browser) check(label string) {
	b.t.Helper()
	b.do("tick "+xq(label), chromedp.Click(`//label[normalize-space()=`+xq(label)+`]`))
}

// text is what the page's main region shows.
func (b *browser) text() string {
	b.t.Helper()
	return run(b, "read the page", chromedp.Text(chromedp.CSS("main")))
}

// location is the address the browser shows.
func (b *browser) location() string {
	b.t.Helper()
	return run(b, "read the address", chromedp.Location())
}

// attr reads an attribute of the first element sel finds.
func (b *browser) attr(sel, name string) (string, bool) {
	b.t.Helper()
	r := run(b, "read "+name+" of "+sel, chromedp.AttributeValue(sel, name))
	return r.Value, r.Exists
}

// shows waits until the page's main region contains every want, and fails
// the test with what it shows instead.
func (b *browser) shows(want ...string) {
	b.t.Helper()
	for _, w := range want {
		b.do("wait for the text "+xq(w), chromedp.WaitVisible(`//main[contains(normalize-space(), `+xq(w)+`)]`))
	}
}

// at fails the test unless the address starts with the server's base URL
// followed by prefix.
func (b *browser) at(prefix string) {
	b.t.Helper()
	if loc := b.location(); !strings.HasPrefix(loc, b.base+prefix) {
		b.t.Fatalf("the browser is at %s, want %s%s...", loc, b.base, prefix)
	}
}

// waitVisible waits until the element sel finds is visible.
func waitVisible(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(sel) }

// clickXPath clicks the first element sel finds.
func clickXPath(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(sel) }

// textOf reads the visible text of the first element sel finds, trimmed.
func textOf(sel string) chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		s, err := chromedp.Text(sel)(ctx, t)
		return strings.TrimSpace(s), err
	}
}

// valueOf reads the current value of the input sel finds.
func valueOf(sel string) chromedp.Action[string] { return chromedp.Value(sel) }
