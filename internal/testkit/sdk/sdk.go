// Package sdk drives a test server the way apps in the wild do: through the
// reference's Go SDK (github.com/ory/kratos-client-go v0.6.3-alpha.1), with
// raw HTTP for what the SDK cannot express (broken bodies, browser headers,
// redirects), and a cookie-jar Browser. It is test support for the flow,
// identity and session tests, so that they send requests and read answers
// one way.
package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
)

// GoodPassword passes the password policy (long enough, not common) and
// is unlike the emails the tests use, so a submission that uses it is
// refused, if at all, for something else.
const GoodPassword = "vD7#kq2!Lm9z"

// Public is an SDK client on the server's public port. headers are name,
// value pairs sent with every request (for example X-Session-Token, which
// some SDK calls have no parameter for).
// Redirects are not followed: they are outcomes the tests look at.
func Public(s *testkit.Server, headers ...string) *client.APIClient {
	return NewClient(s.PublicURL, noRedirects, headers...)
}

// Admin is an SDK client on the server's admin port.
func Admin(s *testkit.Server) *client.APIClient { return NewClient(s.AdminURL, noRedirects) }

// NewClient builds an SDK client on a base URL as an app would: the SDK
// appends paths that start with a slash, so the base loses its trailing
// one. hc nil is a client that follows redirects, as the SDK's default;
// headers are name, value pairs sent with every request.
func NewClient(base string, hc *http.Client, headers ...string) *client.APIClient {
	cfg := client.NewConfiguration()
	cfg.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
	for k := 0; k+1 < len(headers); k += 2 {
		cfg.AddDefaultHeader(headers[k], headers[k+1])
	}
	if hc == nil {
		hc = &http.Client{Transport: watch(nil)}
	}
	cfg.HTTPClient = hc
	return client.NewAPIClient(cfg)
}

// ErrorBody is the body the SDK read for a failed call ("" when it has none).
func ErrorBody(err error) []byte {
	var ge *client.GenericOpenAPIError
	if errors.As(err, &ge) {
		return ge.Body()
	}
	return nil
}

// Status is a call's HTTP status, or fails the test when there was no
// response at all (connection error).
func Status(t testing.TB, resp *http.Response, err error) int {
	t.Helper()
	if resp == nil {
		t.Fatalf("no HTTP response: %v", err)
	}
	return resp.StatusCode
}

// Want fails the test unless an SDK call answered status; it says what the
// server sent otherwise.
func Want(t testing.TB, what string, resp *http.Response, err error, status int) {
	t.Helper()
	if got := Status(t, resp, err); got != status {
		t.Fatalf("%s: status %d, want %d: %v %s", what, got, status, err, ErrorBody(err))
	}
	if status < 300 && err != nil {
		t.Fatalf("%s: the SDK could not read the %d answer: %v %s", what, status, err, ErrorBody(err))
	}
}

// Marshal renders a submission as JSON, failing the test when it cannot.
func Marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ReadFlow reads the flow an SDK call answered with, whatever its status
// (the SDK does not decode error answers): the status, the flow and the
// raw body. It fails the test, saying what, without an answer or when the
// body is not a flow.
func ReadFlow[F any](t testing.TB, what string, resp *http.Response, err error) (int, *F, []byte) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: %v", what, err)
	}
	raw, _ := io.ReadAll(resp.Body)
	var f F
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %d with a body that is not a flow: %s", what, resp.StatusCode, raw)
	}
	return resp.StatusCode, &f, raw
}

// JSON renders a value for messages and comparisons.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// RegistrationBody is a password registration submission.
func RegistrationBody(password string, traits map[string]interface{}) client.SubmitSelfServiceRegistrationFlow {
	b := client.NewSubmitSelfServiceRegistrationFlowWithPasswordMethod("password")
	b.SetPassword(password)
	b.SetTraits(traits)
	return client.SubmitSelfServiceRegistrationFlowWithPasswordMethodAsSubmitSelfServiceRegistrationFlow(b)
}

// LoginBody is a password login submission.
func LoginBody(identifier, password string) client.SubmitSelfServiceLoginFlow {
	b := client.NewSubmitSelfServiceLoginFlowWithPasswordMethod()
	b.SetMethod("password")
	b.SetPasswordIdentifier(identifier)
	b.SetPassword(password)
	return client.SubmitSelfServiceLoginFlowWithPasswordMethodAsSubmitSelfServiceLoginFlow(b)
}

// ProfileBody is a settings submission that replaces the traits.
func ProfileBody(traits map[string]interface{}) client.SubmitSelfServiceSettingsFlow {
	b := client.NewSubmitSelfServiceSettingsFlowWithProfileMethod(traits)
	b.SetMethod("profile")
	return client.SubmitSelfServiceSettingsFlowWithProfileMethodAsSubmitSelfServiceSettingsFlow(b)
}

// PasswordBody is a settings submission that sets a new password.
func PasswordBody(password string) client.SubmitSelfServiceSettingsFlow {
	b := client.NewSubmitSelfServiceSettingsFlowWithPasswordMethod(password)
	b.SetMethod("password")
	return client.SubmitSelfServiceSettingsFlowWithPasswordMethodAsSubmitSelfServiceSettingsFlow(b)
}

// Traits is the default schema's traits.
func Traits(email, name string) map[string]interface{} {
	t := map[string]interface{}{"email": email}
	if name != "" {
		t["name"] = name
	}
	return t
}

// Register signs up through an api registration flow and fails the test
// unless it succeeds.
func Register(t testing.TB, s *testkit.Server, email, password string) *client.RegistrationViaApiResponse {
	t.Helper()
	ctx := context.Background()
	pub := Public(s)
	f, resp, err := pub.PublicApi.InitializeSelfServiceRegistrationForNativeApps(ctx).Execute()
	Want(t, "init registration", resp, err, http.StatusOK)
	out, resp, err := pub.PublicApi.SubmitSelfServiceRegistrationFlow(ctx).Flow(f.Id).
		SubmitSelfServiceRegistrationFlow(RegistrationBody(password, Traits(email, "Test User"))).Execute()
	Want(t, "submit registration for "+email, resp, err, http.StatusOK)
	return out
}

// Login signs in through an api login flow and fails the test unless it
// succeeds.
func Login(t testing.TB, s *testkit.Server, identifier, password string) *client.LoginViaApiResponse {
	t.Helper()
	out, resp, err := TryLogin(t, s, identifier, password)
	Want(t, "login as "+identifier, resp, err, http.StatusOK)
	return out
}

// TryLogin runs an api login flow and returns whatever it answered.
func TryLogin(t testing.TB, s *testkit.Server, identifier, password string) (*client.LoginViaApiResponse, *http.Response, error) {
	t.Helper()
	ctx := context.Background()
	pub := Public(s)
	f, resp, err := pub.PublicApi.InitializeSelfServiceLoginForNativeApps(ctx).Execute()
	Want(t, "init login", resp, err, http.StatusOK)
	return pub.PublicApi.SubmitSelfServiceLoginFlow(ctx).Flow(f.Id).SubmitSelfServiceLoginFlow(LoginBody(identifier, password)).Execute()
}

// WhoamiStatus is the status /sessions/whoami answers for a token.
func WhoamiStatus(t testing.TB, s *testkit.Server, token string) int {
	t.Helper()
	_, resp, err := Public(s).PublicApi.ToSession(context.Background()).XSessionToken(token).Execute()
	return Status(t, resp, err)
}

// Identities lists every identity through the admin API: what a test
// counts to prove that a refused request wrote nothing.
func Identities(t testing.TB, s *testkit.Server) []client.Identity {
	t.Helper()
	list, resp, err := Admin(s).AdminApi.ListIdentities(context.Background()).PerPage(500).Execute()
	Want(t, "list identities", resp, err, http.StatusOK)
	return list
}

// CountIdentities is len(Identities).
func CountIdentities(t testing.TB, s *testkit.Server) int {
	t.Helper()
	return len(Identities(t, s))
}

// Emails returns the email trait of each identity, for messages.
func Emails(ids []client.Identity) []string {
	var out []string
	for _, i := range ids {
		if m, ok := i.Traits.(map[string]interface{}); ok {
			out = append(out, fmt.Sprint(m["email"]))
		}
	}
	return out
}
