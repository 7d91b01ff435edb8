package registration_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestNativeAppJourneySDK is the compatibility promise for native apps: a
// user signs up, signs in, edits the profile, changes the password and
// signs out, every step through the reference's Go SDK on both ports, on
// every database. Flow lifespans differ per kind so a mix-up shows.
func TestNativeAppJourneySDK(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, func(c *config.Config) {
			c.SelfService.Flows.Registration.Lifespan = config.Duration(10 * time.Minute)
			c.SelfService.Flows.Login.Lifespan = config.Duration(20 * time.Minute)
			c.SelfService.Flows.Settings.Lifespan = config.Duration(30 * time.Minute)
		}))
		ctx := context.Background()
		pub, adm := sdk.Public(s).PublicApi, sdk.Admin(s).AdminApi

		// Sign up.
		rf, resp, err := pub.InitializeSelfServiceRegistrationForNativeApps(ctx).Execute()
		sdk.Want(t, "init registration", resp, err, http.StatusOK)
		wantFlowHead(t, s, "registration", rf.Id, rf.GetType(), rf.Ui, rf.IssuedAt, rf.ExpiresAt, 10*time.Minute)
		if rf.RequestUrl != s.PublicURL+"self-service/registration/api" {
			t.Errorf("request_url = %q", rf.RequestUrl)
		}
		got, resp, err := pub.GetSelfServiceRegistrationFlow(ctx).Id(rf.Id).Execute()
		sdk.Want(t, "public get registration flow", resp, err, http.StatusOK)
		if sdk.JSON(t, got) != sdk.JSON(t, rf) {
			t.Errorf("public fetch differs from init:\n got %s\nwant %s", sdk.JSON(t, got), sdk.JSON(t, rf))
		}
		got, resp, err = adm.GetSelfServiceRegistrationFlow(ctx).Id(rf.Id).Execute()
		sdk.Want(t, "admin get registration flow", resp, err, http.StatusOK)
		if sdk.JSON(t, got) != sdk.JSON(t, rf) {
			t.Errorf("admin fetch differs from init:\n got %s\nwant %s", sdk.JSON(t, got), sdk.JSON(t, rf))
		}
		reg, resp, err := pub.SubmitSelfServiceRegistrationFlow(ctx).Flow(rf.Id).
			SubmitSelfServiceRegistrationFlow(sdk.RegistrationBody(sdk.GoodPassword, sdk.Traits("Alice@Example.COM", "Alice"))).Execute()
		sdk.Want(t, "submit registration", resp, err, http.StatusOK)
		if reg.Session == nil || reg.SessionToken == "" || reg.Session.Identity.Id != reg.Identity.Id || !reg.Session.GetActive() {
			t.Fatalf("registration with the session hook must answer identity, session and token: %s", sdk.JSON(t, reg))
		}
		if va := reg.Identity.VerifiableAddresses; len(va) != 1 || va[0].Value != "alice@example.com" || va[0].Verified {
			t.Errorf("verifiable_addresses = %s, want the lower-cased email, unverified", sdk.JSON(t, va))
		}
		who, resp, err := pub.ToSession(ctx).XSessionToken(reg.SessionToken).Execute()
		sdk.Want(t, "whoami with the registration token", resp, err, http.StatusOK)
		if who.Id != reg.Session.Id || who.Identity.Id != reg.Identity.Id {
			t.Errorf("whoami = session %s of %s, want %s of %s", who.Id, who.Identity.Id, reg.Session.Id, reg.Identity.Id)
		}

		// The same email in another case is a duplicate; the SDK reads the
		// 400 answer as the registration flow.
		rf2, resp, err := pub.InitializeSelfServiceRegistrationForNativeApps(ctx).Execute()
		sdk.Want(t, "init second registration", resp, err, http.StatusOK)
		_, resp, err = pub.SubmitSelfServiceRegistrationFlow(ctx).Flow(rf2.Id).
			SubmitSelfServiceRegistrationFlow(sdk.RegistrationBody(sdk.GoodPassword, sdk.Traits("alice@example.com", ""))).Execute()
		sdk.Want(t, "duplicate registration", resp, err, http.StatusBadRequest)
		var ge *client.GenericOpenAPIError
		if !errors.As(err, &ge) {
			t.Fatalf("error is %T, want the SDK's GenericOpenAPIError", err)
		}
		dup, ok := ge.Model().(client.RegistrationFlow)
		if !ok || dup.Id != rf2.Id || !hasText(dup.Ui, 4000007) {
			t.Errorf("duplicate answer = %T %s, want flow %s with 4000007", ge.Model(), ge.Body(), rf2.Id)
		}

		// Sign in with the email in yet another case.
		lf, resp, err := pub.InitializeSelfServiceLoginForNativeApps(ctx).Execute()
		sdk.Want(t, "init login", resp, err, http.StatusOK)
		wantFlowHead(t, s, "login", lf.Id, lf.Type, lf.Ui, lf.IssuedAt, lf.ExpiresAt, 20*time.Minute)
		if lf.Forced == nil || *lf.Forced {
			t.Errorf("forced = %v, want false", lf.Forced)
		}
		lgot, resp, err := adm.GetSelfServiceLoginFlow(ctx).Id(lf.Id).Execute()
		sdk.Want(t, "admin get login flow", resp, err, http.StatusOK)
		if lgot.Id != lf.Id {
			t.Errorf("admin login flow id %s, want %s", lgot.Id, lf.Id)
		}
		_, resp, err = pub.SubmitSelfServiceLoginFlow(ctx).Flow(lf.Id).SubmitSelfServiceLoginFlow(sdk.LoginBody("alice@example.com", "wrong-"+sdk.GoodPassword)).Execute()
		sdk.Want(t, "login with a wrong password", resp, err, http.StatusBadRequest)
		if errors.As(err, &ge); ge == nil || !isLoginFlowWith(ge.Model(), 4000006) {
			t.Errorf("wrong password answer = %s, want the login flow with 4000006", sdk.ErrorBody(err))
		}
		li, resp, err := pub.SubmitSelfServiceLoginFlow(ctx).Flow(lf.Id).SubmitSelfServiceLoginFlow(sdk.LoginBody("ALICE@example.com", sdk.GoodPassword)).Execute()
		sdk.Want(t, "login", resp, err, http.StatusOK)
		if li.Session.Identity.Id != reg.Identity.Id || li.SessionToken == "" || li.SessionToken == reg.SessionToken {
			t.Fatalf("login = %s, want a new session of %s", sdk.JSON(t, li), reg.Identity.Id)
		}

		// Settings: profile, then password.
		sf, resp, err := pub.InitializeSelfServiceSettingsForNativeApps(ctx).XSessionToken(li.SessionToken).Execute()
		sdk.Want(t, "init settings", resp, err, http.StatusOK)
		wantFlowHead(t, s, "settings", sf.Id, sf.GetType(), sf.Ui, sf.IssuedAt, sf.ExpiresAt, 30*time.Minute)
		if sf.State != "show_form" || sf.Identity.Id != reg.Identity.Id {
			t.Errorf("settings flow state %q identity %s, want show_form and %s", sf.State, sf.Identity.Id, reg.Identity.Id)
		}
		sgot, resp, err := pub.GetSelfServiceSettingsFlow(ctx).Id(sf.Id).XSessionToken(li.SessionToken).Execute()
		sdk.Want(t, "public get settings flow", resp, err, http.StatusOK)
		if sgot.Id != sf.Id {
			t.Errorf("public settings flow id %s, want %s", sgot.Id, sf.Id)
		}
		sgot, resp, err = adm.GetSelfServiceSettingsFlow(ctx).Id(sf.Id).Execute()
		sdk.Want(t, "admin get settings flow", resp, err, http.StatusOK)
		if sgot.Id != sf.Id {
			t.Errorf("admin settings flow id %s, want %s", sgot.Id, sf.Id)
		}
		upd, resp, err := pub.SubmitSelfServiceSettingsFlow(ctx).Flow(sf.Id).XSessionToken(li.SessionToken).
			SubmitSelfServiceSettingsFlow(sdk.ProfileBody(sdk.Traits("Alice@Example.COM", "Alice Liddell"))).Execute()
		sdk.Want(t, "settings: profile", resp, err, http.StatusOK)
		if upd.Flow.State != "success" || !hasText(upd.Flow.Ui, 1050001) || sdk.JSON(t, upd.Identity.Traits) != `{"email":"Alice@Example.COM","name":"Alice Liddell"}` {
			t.Errorf("profile answer = %s", sdk.JSON(t, upd))
		}
		const newPassword = "Zt8@uw4#Pq1x"
		upd, resp, err = pub.SubmitSelfServiceSettingsFlow(ctx).Flow(sf.Id).XSessionToken(li.SessionToken).
			SubmitSelfServiceSettingsFlow(sdk.PasswordBody(newPassword)).Execute()
		sdk.Want(t, "settings: password", resp, err, http.StatusOK)
		if upd.Flow.State != "success" {
			t.Errorf("password answer state %q, want success", upd.Flow.State)
		}
		if _, resp, err := sdk.TryLogin(t, s, "alice@example.com", sdk.GoodPassword); sdk.Status(t, resp, err) != http.StatusBadRequest {
			t.Errorf("the old password still signs in (%d)", resp.StatusCode)
		}
		li2 := sdk.Login(t, s, "alice@example.com", newPassword)

		// Sign out the login session only.
		resp, err = pub.RevokeSession(ctx).RevokeSession(*client.NewRevokeSession(li.SessionToken)).Execute()
		sdk.Want(t, "revoke session", resp, err, http.StatusNoContent)
		for tok, want := range map[string]int{li.SessionToken: 401, reg.SessionToken: 200, li2.SessionToken: 200} {
			if got := sdk.WhoamiStatus(t, s, tok); got != want {
				t.Errorf("whoami after revoking the first login: %d, want %d", got, want)
			}
		}
		if n := sdk.CountIdentities(t, s); n != 1 {
			t.Errorf("%d identities, want 1", n)
		}
	})
}

// wantFlowHead checks what every api flow starts with: type, form action
// and method, and a lifespan from the config.
func wantFlowHead(t *testing.T, s *testkit.Server, kind, id, typ string, ui client.UiContainer, issued, expires time.Time, lifespan time.Duration) {
	t.Helper()
	if typ != "api" {
		t.Errorf("%s flow type %q, want api", kind, typ)
	}
	if want := s.PublicURL + "self-service/" + kind + "?flow=" + id; ui.Action != want || ui.Method != "POST" {
		t.Errorf("%s ui action %q method %q, want %q POST", kind, ui.Action, ui.Method, want)
	}
	if d := expires.Sub(issued); d != lifespan {
		t.Errorf("%s flow lives %s, want the configured %s", kind, d, lifespan)
	}
}

func hasText(ui client.UiContainer, id int64) bool {
	for _, m := range ui.Messages {
		if m.Id == id {
			return true
		}
	}
	for _, n := range ui.Nodes {
		for _, m := range n.Messages {
			if m.Id == id {
				return true
			}
		}
	}
	return false
}

func isLoginFlowWith(model any, id int64) bool {
	f, ok := model.(client.LoginFlow)
	return ok && hasText(f.Ui, id)
}
