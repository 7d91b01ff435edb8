package webui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

// The browser tests drive the built-in pages in headless Chromium as a user
// would: they click links and buttons found by their text, fill inputs found
// by their labels, and check what the pages show.

const email = "ada@example.org"

// TestBrowserAccountJourney signs up, verifies the address from the dev
// mailbox, signs out and in, changes the password, recovers the account by
// email and signs in with the password chosen after recovery.
func TestBrowserAccountJourney(t *testing.T) {
	srv := uiServer(t, nil)
	b := newBrowser(t, srv.PublicURL)

	// Sign up from the home page.
	b.open("")
	b.heading("Welcome")
	b.at("ui/")
	b.clickLink("Create an account")
	b.heading("Create an account")
	b.at("ui/registration?flow=")
	b.fill("Email address", email)
	b.fill("Password", "first-Passw0rd-1")
	b.fill("Name", "Ada Lovelace")
	b.press("Sign up", "password")
	b.heading("You are signed in")
	b.at("ui/")
	b.shows(email, "Ada Lovelace", "not verified")

	// The verification mail is in the dev mailbox; its link verifies.
	b.clickLink("Open the dev mailbox")
	b.heading("Dev mailbox")
	b.shows("Please verify your email address", "To "+email)
	b.do("open the verification link",
		clickXPath(`(//article[h2[normalize-space()="Please verify your email address"]])[1]//a[contains(@href, "/self-service/verification")]`))
	b.heading("Verify your email address")
	b.at("ui/verification?flow=")
	b.shows("Your email address is verified. Thank you!")
	b.clickLink("Back to your account")
	b.heading("You are signed in")
	verified := `//dd[contains(., "` + email + `")]/span[contains(@class, "badge")]`
	if got := run(b, "read the address badge", textOf(verified)); got != "verified" {
		t.Fatalf("after the verification link the address's badge reads %q, want %q", got, "verified")
	}

	// Sign out, and in again.
	signOut(b)
	signIn(b, "first-Passw0rd-1")

	// Change the password in the settings, right after signing in.
	b.clickLink("Account settings")
	b.heading("Account settings")
	b.at("ui/settings?flow=")
	b.fill("Password", "second-Passw0rd-2")
	b.press("Save", "password")
	b.heading("Account settings")
	b.shows("Your new password has been saved.")
	b.clickLink("Back to your account")
	signOut(b)

	// The first password no longer works.
	b.clickLink("Sign in")
	b.heading("Sign in")
	b.fill("Email address", email)
	b.fill("Password", "first-Passw0rd-1")
	b.press("Sign in", "password")
	expectCredentialsError(t, b)

	// Recover the account from the login page.
	b.clickLink("Recover your account")
	b.heading("Recover your account")
	b.at("ui/recovery?flow=")
	b.fill("Email address", email)
	b.press("Send recovery link", "email")
	b.shows("an email with a recovery link is on its way")
	b.open("ui/dev/mail")
	b.heading("Dev mailbox")
	b.shows("Recover access to your account")
	b.do("open the newest recovery link",
		clickXPath(`(//article[h2[normalize-space()="Recover access to your account"]])[1]//a[contains(@href, "/self-service/recovery")]`))
	b.heading("Account settings")
	b.at("ui/settings?flow=")
	b.shows("You signed in with a recovery link. Choose a new password now.")
	b.fill("Password", "third-Passw0rd-3")
	b.press("Save", "password")
	b.heading("Account settings")
	b.shows("Your new password has been saved.")
	b.clickLink("Back to your account")
	signOut(b)

	// The password chosen after recovery signs in.
	signIn(b, "third-Passw0rd-3")
	b.shows(email)
}

// TestBrowserWrongPasswordShowsError checks that a wrong password is
// reported next to the form, and that the inputs point at the message.
func TestBrowserWrongPasswordShowsError(t *testing.T) {
	srv := uiServer(t, nil)
	b := newBrowser(t, srv.PublicURL)
	b.open("ui/registration")
	b.heading("Create an account")
	b.fill("Email address", email)
	b.fill("Password", "right-Passw0rd-1")
	b.press("Sign up", "password")
	b.heading("You are signed in")
	signOut(b)

	b.clickLink("Sign in")
	b.heading("Sign in")
	b.fill("Email address", email)
	b.fill("Password", "wrong-Passw0rd-1")
	b.press("Sign in", "password")
	expectCredentialsError(t, b)
	// The address stays filled in; the password does not.
	if v := run(b, "read the identifier", valueOf(inputFor("Email address"))); v != email {
		t.Errorf("after a wrong password the email input holds %q, want %q", v, email)
	}
	if v := run(b, "read the password", valueOf(inputFor("Password"))); v != "" {
		t.Errorf("after a wrong password the password input holds %q, want it empty", v)
	}
}

// TestBrowserCustomSchema registers with an identity schema that has a
// username, an integer and a boolean: the registration page shows each
// field with its title, and the account page shows what was entered.
func TestBrowserCustomSchema(t *testing.T) {
	schema := filepath.Join(t.TempDir(), "member.schema.json")
	if err := os.WriteFile(schema, []byte(memberSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := uiServer(t, func(c *config.Config) {
		c.Identity.DefaultSchemaURL = "file://" + schema
	})
	b := newBrowser(t, srv.PublicURL)

	b.open("ui/")
	b.clickLink("Create an account")
	b.heading("Create an account")
	for label, typ := range map[string]string{"Username": "text", "Age": "number", "Send me the newsletter": "checkbox", "Password": "password"} {
		if got, _ := b.attr(inputFor(label), "type"); got != typ {
			t.Errorf("the input labelled %q has type %q, want %q", label, got, typ)
		}
	}
	b.shows("Age (optional)")
	if strings.Contains(b.text(), "Email address") {
		t.Errorf("the registration page asks for an email address, which this schema does not have")
	}

	b.fill("Username", "ada")
	b.fill("Password", "member-Passw0rd-1")
	b.fill("Age", "36")
	b.check("Send me the newsletter")
	b.press("Sign up", "password")
	b.heading("You are signed in")
	for label, want := range map[string]string{"Username": "ada", "Age": "36", "Send me the newsletter": "true"} {
		got := run(b, "read "+label, textOf(`//dt[normalize-space()=`+xq(label)+`]/following-sibling::dd[1]`))
		if got != want {
			t.Errorf("the account page shows %s = %q, want %q", label, got, want)
		}
	}

	// The username signs in.
	signOut(b)
	b.clickLink("Sign in")
	b.heading("Sign in")
	b.fill("Username", "ada")
	b.fill("Password", "member-Passw0rd-1")
	b.press("Sign in", "password")
	b.heading("You are signed in")
}

const memberSchema = `{
  "$id": "https://latchkey.test/member.schema.json",
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Member",
  "type": "object",
  "properties": {
    "traits": {
      "type": "object",
      "properties": {
        "username": {
          "type": "string", "title": "Username", "minLength": 2,
          "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}
        },
        "age": {"type": "integer", "title": "Age", "minimum": 0},
        "newsletter": {"type": "boolean", "title": "Send me the newsletter"}
      },
      "required": ["username"],
      "additionalProperties": false
    }
  }
}`

// signOut signs out from the account page.
func signOut(b *browser) {
	b.t.Helper()
	b.heading("You are signed in")
	b.clickLink("Sign out")
	b.heading("Welcome")
	b.shows("Sign in to your account, or create one.")
}

// signIn signs in from the signed-out home page.
func signIn(b *browser, password string) {
	b.t.Helper()
	b.clickLink("Sign in")
	b.heading("Sign in")
	b.at("ui/login?flow=")
	b.fill("Email address", email)
	b.fill("Password", password)
	b.press("Sign in", "password")
	b.heading("You are signed in")
}

// expectCredentialsError checks the page after a rejected sign-in: the
// message above the form, announced as an alert, and both inputs marked
// invalid and described by it.
func expectCredentialsError(t *testing.T, b *browser) {
	t.Helper()
	const msg = "The email address or username and the password do not match. Check both and try again."
	b.do("wait for the error message", waitVisible(`//*[@role="alert"][normalize-space()=`+xq(msg)+`]`))
	b.heading("Sign in")
	b.at("ui/login?flow=")
	for _, label := range []string{"Email address", "Password"} {
		if v, _ := b.attr(inputFor(label), "aria-invalid"); v != "true" {
			t.Errorf("after a wrong password the %q input has aria-invalid=%q, want \"true\"", label, v)
		}
		ids, _ := b.attr(inputFor(label), "aria-describedby")
		described := ""
		for _, id := range strings.Fields(ids) {
			described += run(b, "read the description "+id, textOf(`//*[@id=`+xq(id)+`]`)) + " "
		}
		if !strings.Contains(described, msg) {
			t.Errorf("after a wrong password the %q input has aria-describedby=%q, which reads %q; want it to name the error message", label, ids, described)
		}
	}
}
