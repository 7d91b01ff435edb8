package wiretest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// traitSchema requires two properties, one without a title, and has a
// pattern, a length rule, an integer and no other properties.
const traitSchema = `{"type":"object","properties":{"traits":{"type":"object","properties":{
  "email":{"type":"string","format":"email","minLength":3,
    "ory.sh/kratos":{"credentials":{"password":{"identifier":true}},"recovery":{"via":"email"},"verification":{"via":"email"}}},
  "username":{"type":"string","title":"Username","pattern":"^[a-z]+$","minLength":3},
  "age":{"type":"integer","title":"Age"}},
  "required":["email","username"],"additionalProperties":false}}}`

// rawNode is a node as sent, to see which attributes are there at all.
type rawNode struct {
	Group      string                     `json:"group"`
	Attributes map[string]json.RawMessage `json:"attributes"`
	Messages   []struct {
		ID      int64          `json:"id"`
		Text    string         `json:"text"`
		Context map[string]any `json:"context"`
	} `json:"messages"`
	Meta map[string]json.RawMessage `json:"meta"`
}

type rawFlow struct {
	UI struct {
		Nodes    []rawNode `json:"nodes"`
		Messages []struct {
			ID int64 `json:"id"`
		} `json:"messages"`
	} `json:"ui"`
}

func decodeRaw(t *testing.T, body []byte) rawFlow {
	t.Helper()
	var f rawFlow
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("not a flow: %v: %s", err, body)
	}
	return f
}

func (f rawFlow) node(name string) *rawNode {
	for k, n := range f.UI.Nodes {
		if string(n.Attributes["name"]) == `"`+name+`"` {
			return &f.UI.Nodes[k]
		}
	}
	return nil
}

func startTraits(t *testing.T) *env {
	p := filepath.Join(t.TempDir(), "traits.schema.json")
	if err := os.WriteFile(p, []byte(traitSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	return startWith(t, func(c *config.Config) { c.Identity.DefaultSchemaURL = "file://" + p })
}

// TestTraitNodes: the inputs made from the identity schema, in
// registration (group password) and settings (group profile), never carry
// required, even for properties the schema requires; they carry the type
// (from format or JSON type), the pattern, disabled false and a 1070002
// label with the property's title, or meta {} without one. Settings fills
// them in.
func TestTraitNodes(t *testing.T) {
	e := startTraits(t)
	reg := decodeRaw(t, e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK).Body)
	body := map[string]any{"method": "password", "password": password, "traits": map[string]any{"email": email, "username": "golden", "age": 42}}
	id := sdk_id(t, e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK).Body)
	out := e.want("sign up", e.api("POST", "self-service/registration?flow="+id, body), http.StatusOK)
	var signedUp struct {
		Token string `json:"session_token"`
	}
	_ = json.Unmarshal(out.Body, &signedUp)
	set := decodeRaw(t, e.want("settings", e.api("GET", "self-service/settings/api", nil, "X-Session-Token", signedUp.Token), http.StatusOK).Body)

	want := []struct {
		name, typ, pattern, label, value string
	}{
		{"traits.email", `"email"`, "", "", `"golden@example.com"`},
		{"traits.username", `"text"`, `"^[a-z]+$"`, "Username", `"golden"`},
		{"traits.age", `"number"`, "", "Age", `42`},
	}
	for _, form := range []struct {
		flow  rawFlow
		group string
	}{{reg, "password"}, {set, "profile"}} {
		for _, w := range want {
			n := form.flow.node(w.name)
			if n == nil {
				t.Errorf("%s: no %s node", form.group, w.name)
				continue
			}
			if _, ok := n.Attributes["required"]; ok {
				t.Errorf("%s: %s carries required: %s", form.group, w.name, n.Attributes["required"])
			}
			if n.Group != form.group || string(n.Attributes["type"]) != w.typ || string(n.Attributes["disabled"]) != "false" {
				t.Errorf("%s: %s is %s/%s disabled %s, want %s/%s disabled false", form.group, w.name, n.Group, n.Attributes["type"], n.Attributes["disabled"], form.group, w.typ)
			}
			if got := string(n.Attributes["pattern"]); got != w.pattern {
				t.Errorf("%s: %s pattern %s, want %q", form.group, w.name, got, w.pattern)
			}
			var label struct {
				ID   int64  `json:"id"`
				Text string `json:"text"`
			}
			if w.label == "" {
				if len(n.Meta) != 0 || n.Meta == nil {
					t.Errorf("%s: %s meta %v, want {} without a title", form.group, w.name, n.Meta)
				}
			} else if json.Unmarshal(n.Meta["label"], &label) != nil || label.ID != 1070002 || label.Text != w.label {
				t.Errorf("%s: %s label %s, want 1070002 %q", form.group, w.name, n.Meta["label"], w.label)
			}
			wantValue := w.value
			if form.group == "password" {
				wantValue = "" // registration starts empty
			}
			if got := string(n.Attributes["value"]); got != wantValue {
				t.Errorf("%s: %s value %s, want %s", form.group, w.name, got, wantValue)
			}
		}
	}
}

// TestSchemaMessages: a missing required property is 4000002 "Property
// <name> is missing." with context.property on its node; every other
// schema failure is 4000001 with the validator's text and no context, on
// the node its path names, or on a new default-group node of that name
// (an unknown trait: "traits"). 4000003 and 4000004 are never sent. The
// submitted traits are copied back, the password never; a duplicate
// identifier (4000007, on the form) copies nothing back.
func TestSchemaMessages(t *testing.T) {
	e := startTraits(t)
	id := sdk_id(t, e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK).Body)
	body := map[string]any{"method": "password", "password": password, "traits": map[string]any{"email": "not-an-email", "age": "old", "nickname": "x"}}
	f := decodeRaw(t, e.want("refused", e.api("POST", "self-service/registration?flow="+id, body), http.StatusBadRequest).Body)
	want := map[string]struct {
		id   int64
		text string
	}{
		"traits.username": {4000002, "Property username is missing."},
		"traits.email":    {4000001, `"not-an-email" is not valid "email"`},
		"traits":          {4000001, `additionalProperties "nickname" not allowed`},
		"traits.age":      {4000001, ""},
	}
	for name, w := range want {
		n := f.node(name)
		if n == nil || len(n.Messages) != 1 || n.Messages[0].ID != w.id || (w.text != "" && n.Messages[0].Text != w.text) {
			t.Errorf("node %s: %+v, want one %d %q", name, n, w.id, w.text)
			continue
		}
		m := n.Messages[0]
		if w.id == 4000002 && (len(m.Context) != 1 || m.Context["property"] != "username") {
			t.Errorf("node %s: context %v, want {property: username}", name, m.Context)
		}
		if w.id == 4000001 && m.Context != nil {
			t.Errorf("node %s: context %v, want none", name, m.Context)
		}
	}
	if n := f.node("traits"); n != nil && (n.Group != "default" || string(n.Attributes["type"]) != `"text"` || n.Meta == nil || len(n.Meta) != 0) {
		t.Errorf("the traits node is %+v, want a default-group text input with meta {}", n)
	}
	for _, n := range f.UI.Nodes {
		for _, m := range n.Messages {
			if m.ID == 4000003 || m.ID == 4000004 {
				t.Errorf("message %d sent; the reference never sends it", m.ID)
			}
		}
	}
	if v := string(f.node("traits.email").Attributes["value"]); v != `"not-an-email"` {
		t.Errorf("traits.email value %s, want the submitted address back", v)
	}
	if v, ok := f.node("password").Attributes["value"]; ok {
		t.Errorf("the password was copied back: %s", v)
	}

	// minLength is a 4000001 too, in the validator's words.
	body["traits"] = map[string]any{"email": "a@b", "username": "ab"}
	f = decodeRaw(t, e.want("refused", e.api("POST", "self-service/registration?flow="+id, body), http.StatusBadRequest).Body)
	if n := f.node("traits.username"); n == nil || len(n.Messages) != 1 || n.Messages[0].ID != 4000001 || n.Messages[0].Text != "length must be >= 3, but got 2" {
		t.Errorf("short username: %+v, want 4000001 \"length must be >= 3, but got 2\"", n)
	}

	// The admin API words schema problems with the same validator.
	r := sdk.Do(t, "POST", e.Server.AdminURL+"identities", "application/json", []byte(`{"traits":{"email":"not-an-email","username":"ab"}}`))
	if got := sdk.WantError(t, r, http.StatusBadRequest); !strings.Contains(fmt.Sprint(got["reason"]), `"not-an-email" is not valid "email"`) ||
		!strings.Contains(fmt.Sprint(got["reason"]), "length must be >= 3, but got 2") {
		t.Errorf("admin create with bad traits: %v, want the validator's words", got)
	}

	// A duplicate identifier: 4000007 on the form, the traits not echoed.
	body["traits"] = map[string]any{"email": email, "username": "golden"}
	e.want("sign up", e.api("POST", "self-service/registration?flow="+id, body), http.StatusOK)
	id = sdk_id(t, e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK).Body)
	f = decodeRaw(t, e.want("taken", e.api("POST", "self-service/registration?flow="+id, body), http.StatusBadRequest).Body)
	if len(f.UI.Messages) != 1 || f.UI.Messages[0].ID != 4000007 {
		t.Errorf("form messages %v, want [4000007]", f.UI.Messages)
	}
	for _, name := range []string{"traits.email", "traits.username", "traits.age", "password"} {
		if n := f.node(name); n == nil || n.Attributes["value"] != nil || len(n.Messages) != 0 {
			t.Errorf("after a duplicate, node %s is %+v, want it empty and without messages", name, n)
		}
	}
}
