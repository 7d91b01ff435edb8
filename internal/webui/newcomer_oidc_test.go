package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kratos "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/oidctest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// newcomerYAML is the README's example provider, as a newcomer pastes it
// into the configuration file.
const newcomerYAML = `selfservice:
  methods:
    oidc:
      enabled: true
      config:
        providers:
          - id: corp
            provider: generic
            label: Corp
            issuer_url: ISSUER
            client_id: CLIENT_ID
            client_secret: CLIENT_SECRET
            scope: [email, profile]
            mapper_url: file://MAPPER
  flows:
    registration:
      after:
        oidc:
          hooks: [{hook: session}]
`

// TestNewcomerAddsAGenericProvider is issue 12's "done when": a generic
// provider added to the configuration file; a user signs up with it and
// signs in again through the built-in pages (Chromium), and through the
// requests the reference's example UI makes (it fetches the flow with the
// SDK, renders ui.action and ui.nodes, and the browser posts the form);
// the admin API shows one identity per person.
func TestNewcomerAddsAGenericProvider(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t)
	dir := t.TempDir()
	mapper := filepath.Join(dir, "corp.jsonnet")
	if err := os.WriteFile(mapper, []byte(socialMapper), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := strings.NewReplacer("ISSUER", op.URL, "CLIENT_ID", oidctest.ClientID, "CLIENT_SECRET", oidctest.ClientSecret, "MAPPER", mapper).Replace(newcomerYAML)
	file := filepath.Join(dir, "kratos.yml")
	if err := os.WriteFile(file, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load([]string{file}, func(string) string { return "" }, true)
	if err != nil {
		t.Fatalf("the newcomer's configuration does not load: %v", err)
	}
	srv := uiServer(t, func(c *config.Config) {
		c.SelfService.Methods.OIDC = loaded.Config.SelfService.Methods.OIDC
		c.SelfService.Flows.Registration.After.OIDC = loaded.Config.SelfService.Flows.Registration.After.OIDC
	})
	op.SetRedirect(srv.PublicURL + "self-service/methods/oidc/callback/corp")
	admin := sdk.NewClient(srv.AdminURL, nil)
	op.AddUser("sub-ada", "ada", email, true, "Ada", "Lovelace")
	op.AddUser("sub-bea", "bea", "bea@example.org", true, "Bea", "Berg")

	// Ada, in a browser, through the built-in pages.
	b := newBrowser(t, srv.PublicURL)
	b.open("")
	b.heading("Welcome")
	b.clickLink("Create an account")
	b.heading("Create an account")
	continueWith(b, "Corp", "ada")
	b.heading("You are signed in")
	b.shows(email)
	signOut(b)
	b.clickLink("Sign in")
	b.heading("Sign in")
	continueWith(b, "Corp", "ada")
	b.heading("You are signed in")
	b.shows(email)

	// Ada again and Bea, through the example UI's requests.
	ada := exampleUI(t, srv, op, "login", "ada")
	bea := exampleUI(t, srv, op, "registration", "bea")
	if again := exampleUI(t, srv, op, "login", "bea"); again != bea {
		t.Errorf("Bea signed in to %s, want the identity she signed up as (%s)", again, bea)
	}

	ids, _, err := admin.AdminApi.ListIdentities(context.Background()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	byEmail := map[string][]string{}
	for _, i := range ids {
		tr, _ := i.Traits.(map[string]any)
		e, _ := tr["email"].(string)
		byEmail[e] = append(byEmail[e], i.Id)
	}
	if len(ids) != 2 || len(byEmail[email]) != 1 || byEmail[email][0] != ada || len(byEmail["bea@example.org"]) != 1 {
		t.Errorf("admin API shows %v, want one identity for Ada (%s) and one for Bea", byEmail, ada)
	}
}

// exampleUI goes through a flow as the reference's example UI has a
// browser do it, from a fresh browser, signing in at the provider as
// username; it returns the identity the browser is then signed in as.
func exampleUI(t *testing.T, srv *testkit.Server, op *oidctest.Provider, kind, username string) string {
	t.Helper()
	b := sdk.NewBrowser(t, srv.PublicURL, nil)
	r := b.Get(srv.PublicURL + "self-service/" + kind + "/browser")
	id := r.Location(t).Query().Get("flow")
	if id == "" {
		t.Fatalf("%s/browser: %d to %s, want the UI with a flow", kind, r.StatusCode, r.Location(t))
	}
	// The UI's server fetches the flow with the browser's cookies.
	var ui kratos.UiContainer
	ctx := context.Background()
	if kind == "login" {
		f, _, err := b.SDK.PublicApi.GetSelfServiceLoginFlow(ctx).Id(id).Execute()
		if err != nil {
			t.Fatalf("GetSelfServiceLoginFlow: %v", err)
		}
		ui = f.Ui
	} else {
		f, _, err := b.SDK.PublicApi.GetSelfServiceRegistrationFlow(ctx).Id(id).Execute()
		if err != nil {
			t.Fatalf("GetSelfServiceRegistrationFlow: %v", err)
		}
		ui = f.Ui
	}
	// It renders every node; the user presses the provider's button, so
	// the browser posts the hidden inputs and that button.
	form := url.Values{}
	pressed := false
	for _, n := range ui.Nodes {
		a := n.Attributes.UiNodeInputAttributes
		if a == nil || a.Value == nil || a.Value.String == nil {
			continue
		}
		switch {
		case a.Type == "hidden":
			form.Set(a.Name, *a.Value.String)
		case n.Group == "oidc" && a.Name == "provider" && *a.Value.String == "corp":
			form.Set(a.Name, *a.Value.String)
			pressed = true
		}
	}
	if !pressed || form.Get("csrf_token") == "" || !strings.EqualFold(ui.Method, "post") {
		t.Fatalf("%s flow: method %s, nodes %+v; want a POST form with csrf_token and the corp button", kind, ui.Method, ui.Nodes)
	}
	r = b.PostForm(ui.Action, form)
	auth := r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(auth.String(), op.URL+"/") {
		t.Fatalf("%s submit: %d to %s, want the provider", kind, r.StatusCode, auth)
	}
	r = b.Get(op.SignIn(t, b.HTTP, auth.String(), username))
	if loc := r.Location(t); r.StatusCode != http.StatusFound || loc.String() != srv.PublicURL+"ui/" {
		t.Fatalf("%s callback: %d to %s, want the default return URL", kind, r.StatusCode, loc)
	}
	status, who := b.Whoami()
	if status != http.StatusOK {
		t.Fatalf("%s: whoami %d after the callback", kind, status)
	}
	return who
}
