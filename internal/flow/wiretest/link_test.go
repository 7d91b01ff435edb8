package wiretest_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestLinkFlowForms: recovery and verification show csrf_token, an email
// input (group link, type email, required, no label: meta {}) and a
// submit button labelled 1070005. A refused submission sets active to the
// group that refused it: link for a malformed address (which is not copied
// back), default for an unknown method.
func TestLinkFlowForms(t *testing.T) {
	e := start(t)
	for _, kind := range []string{"recovery", "verification"} {
		init := e.want("init", e.api("GET", "self-service/"+kind+"/api", nil), http.StatusOK)
		id := sdk_id(t, init.Body)
		f := decodeRaw(t, init.Body)
		if n := len(f.UI.Nodes); n != 3 {
			t.Errorf("%s: %d nodes, want csrf_token, email and the button", kind, n)
		}
		email := f.node("email")
		if email == nil || email.Group != "link" || string(email.Attributes["type"]) != `"email"` || string(email.Attributes["required"]) != "true" ||
			email.Meta == nil || len(email.Meta) != 0 {
			t.Errorf("%s: email node %+v, want link/email, required, meta {}", kind, email)
		}
		var label struct {
			ID int64 `json:"id"`
		}
		if b := f.node("method"); b == nil || b.Group != "link" || json.Unmarshal(b.Meta["label"], &label) != nil || label.ID != 1070005 {
			t.Errorf("%s: button %+v, want link/method labelled 1070005", kind, b)
		}

		for _, c := range []struct {
			body   map[string]any
			active string
			msg    int64
		}{
			{map[string]any{"method": "link", "email": "not-an-email"}, "link", 4000001},
			{map[string]any{"method": "carrier-pigeon", "email": "a@example.com"}, "default", map[string]int64{"recovery": 4010005, "verification": 4010006}[kind]},
		} {
			r := e.want("refused", e.api("POST", "self-service/"+kind+"?flow="+id, c.body), http.StatusBadRequest)
			var got struct {
				Active string `json:"active"`
				State  string `json:"state"`
			}
			_ = json.Unmarshal(r.Body, &got)
			f := decodeRaw(t, r.Body)
			has := false
			for _, m := range f.UI.Messages {
				has = has || m.ID == c.msg
			}
			for _, m := range f.node("email").Messages {
				has = has || m.ID == c.msg
			}
			if got.Active != c.active || got.State != "choose_method" || !has {
				t.Errorf("%s %v: active %q state %q, want active %q, choose_method and message %d: %s", kind, c.body["method"], got.Active, got.State, c.active, c.msg, r.Body)
			}
			if v, ok := f.node("email").Attributes["value"]; ok && c.active == "link" {
				t.Errorf("%s: the rejected address was copied back: %s", kind, v)
			}
		}
	}
}
