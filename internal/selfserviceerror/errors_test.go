package selfserviceerror_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
)

// getter is GetSelfServiceError on one port; the SDK has it on both.
type getter func(id string) (*client.SelfServiceErrorContainer, *http.Response, error)

func ports(t *testing.T) (*testkit.Server, map[string]getter) {
	t.Helper()
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), nil))
	sdk := func(base string) *client.APIClient {
		c := client.NewConfiguration()
		c.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
		return client.NewAPIClient(c)
	}
	pub, adm := sdk(srv.PublicURL), sdk(srv.AdminURL)
	return srv, map[string]getter{
		"public": func(id string) (*client.SelfServiceErrorContainer, *http.Response, error) {
			return pub.PublicApi.GetSelfServiceError(context.Background()).Error_(id).Execute()
		},
		"admin": func(id string) (*client.SelfServiceErrorContainer, *http.Response, error) {
			return adm.AdminApi.GetSelfServiceError(context.Background()).Error_(id).Execute()
		},
	}
}

// TestStubErrors: error pages are built against stub:500, which answers
// the reference's example on both ports: a fresh id on every call, zero
// timestamps and the reference's error.
func TestStubErrors(t *testing.T) {
	_, get := ports(t)
	for port, g := range get {
		seen := map[string]bool{}
		for range 2 {
			c, res, err := g("stub:500")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("%s stub:500: %v", port, err)
			}
			if _, err := uuid.Parse(c.Id); err != nil || seen[c.Id] {
				t.Errorf("%s: id %q, want a fresh UUID on every call", port, c.Id)
			}
			seen[c.Id] = true
			if c.CreatedAt == nil || c.UpdatedAt == nil || !c.CreatedAt.IsZero() || !c.UpdatedAt.IsZero() || len(c.Errors) != 1 {
				t.Errorf("%s: created_at %v, updated_at %v, %d errors; want zero times and one error", port, c.CreatedAt, c.UpdatedAt, len(c.Errors))
				continue
			}
			want := map[string]any{"code": float64(500), "status": "Internal Server Error", "reason": "This is a stub error.",
				"message": "An internal server error occurred, please contact the system administrator"}
			if got := c.Errors[0]; len(got) != len(want) || got["code"] != want["code"] || got["status"] != want["status"] ||
				got["reason"] != want["reason"] || got["message"] != want["message"] {
				t.Errorf("%s: error %v, want %v", port, got, want)
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", port, cc)
			}
		}
	}
}

// TestStubErrorKeys: the container has exactly the reference's keys.
func TestStubErrorKeys(t *testing.T) {
	srv, _ := ports(t)
	for _, base := range []string{srv.PublicURL, srv.AdminURL} {
		res, err := http.Get(base + "self-service/errors?error=stub:500")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		err = json.NewDecoder(res.Body).Decode(&m)
		res.Body.Close()
		if err != nil || len(m) != 4 || m["id"] == nil || m["errors"] == nil || m["created_at"] == nil || m["updated_at"] == nil {
			t.Errorf("%s: keys of %v (%v), want id, errors, created_at, updated_at", base, m, err)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", base, ct)
		}
	}
}

// TestUnknownErrors: any other id (other stubs, garbage, none) is looked
// up and not found: the reference's 403 on the public port and 404 on the
// admin port, in the error envelope the SDK reads.
func TestUnknownErrors(t *testing.T) {
	_, get := ports(t)
	want := map[string]struct {
		code            int
		reason, message string
	}{
		"public": {403, "A request failed due to a missing or invalid csrf_token value.", "The requested action was forbidden"},
		"admin":  {404, "", "Unable to locate the resource"},
	}
	for port, g := range get {
		w := want[port]
		for _, id := range []string{uuid.NewString(), uuid.Nil.String(), "stub:404", "stub:400", "stub:418", "stub:", "", "not-an-id", "../../etc/passwd"} {
			_, res, err := g(id)
			if res == nil || res.StatusCode != w.code {
				t.Errorf("%s %q: %v, want %d", port, id, err, w.code)
				continue
			}
			var oe *client.GenericOpenAPIError
			if !errors.As(err, &oe) {
				t.Fatalf("%s %q: error %T, want the SDK's GenericOpenAPIError", port, id, err)
			}
			var env struct {
				Error struct {
					Code            int
					Reason, Message string
				}
			}
			if json.Unmarshal(oe.Body(), &env) != nil || env.Error.Code != w.code || env.Error.Reason != w.reason || env.Error.Message != w.message {
				t.Errorf("%s %q: body %s, want code %d, reason %q, message %q", port, id, oe.Body(), w.code, w.reason, w.message)
			}
		}
	}
}

// TestStoredErrorRoundTrip: an error a browser met is stored and readable
// by id on both ports, with its public fields only.
func TestStoredErrorRoundTrip(t *testing.T) {
	srv, get := ports(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(srv.PublicURL + "self-service/login/browser?return_to=" + url.QueryEscape("https://evil.example/"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	loc, _ := url.Parse(res.Header.Get("Location"))
	id := loc.Query().Get("error")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), srv.PublicURL+"ui/error?error=") || id == "" {
		t.Fatalf("hostile return_to: %d to %s, want 302 to the error UI with an id", res.StatusCode, loc)
	}
	var first string
	for port, g := range get {
		got, res, err := g(id)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v", port, err)
		}
		if got.Id != id || len(got.Errors) != 1 || got.CreatedAt == nil || got.UpdatedAt == nil {
			t.Fatalf("%s: container %+v", port, got)
		}
		e := got.Errors[0]
		if e["code"] != float64(400) || e["status"] != "Bad Request" || !strings.Contains(e["reason"].(string), "return_to") {
			t.Errorf("%s: error %v, want the 400 naming return_to", port, e)
		}
		for k := range e {
			if k != "code" && k != "status" && k != "reason" && k != "message" && k != "details" {
				t.Errorf("%s: stored error has field %q beyond the envelope's", port, k)
			}
		}
		b, _ := json.Marshal(got)
		if first != "" && string(b) != first {
			t.Errorf("the ports disagree:\n%s\n%s", first, b)
		}
		first = string(b)
	}
}
