package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestProviderFromQueryString: as in the reference, provider= is read from
// the query string as well as a form body, and a GET with it starts the
// round trip (with the csrf_token, which the reference does not check).
func TestProviderFromQueryString(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-n", "nia", "nia@example.com", true, "", "")
	b := e.browser()
	login := b.start("login", "")
	tok := b.csrf("login", login)

	r := b.PostForm(e.public+"self-service/login?flow="+login+"&provider=corp", url.Values{"csrf_token": {tok}})
	if loc := r.Location(t); !redirect(r.StatusCode) || !strings.HasPrefix(loc.String(), e.op.URL+"/") {
		t.Errorf("form POST with provider in the query: %d to %s, want the provider", r.StatusCode, loc)
	}

	r = b.Get(e.public + "self-service/login?flow=" + login + "&provider=corp")
	if code := e.errorAt(b, r); code != http.StatusForbidden || r.SetCookie("ory_kratos_continuity") != nil {
		t.Errorf("GET without csrf_token: error %d, want 403 and no round trip", code)
	}

	r = b.Get(e.public + "self-service/login?" + url.Values{"flow": {login}, "provider": {"corp"}, "csrf_token": {tok}}.Encode())
	auth := r.Location(t)
	if !redirect(r.StatusCode) || !strings.HasPrefix(auth.String(), e.op.URL+"/") {
		t.Fatalf("GET with provider and csrf_token: %d to %s, want the provider", r.StatusCode, auth)
	}
	r = b.Get(b.atProvider(auth, "nia"))
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" || r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("round trip begun with GET: %d to %s, want signed in", r.StatusCode, loc)
	}

	reg := e.browser()
	id := reg.start("registration", "")
	r = reg.Get(e.public + "self-service/registration?" + url.Values{"flow": {id}, "provider": {"corp"}, "csrf_token": {reg.csrf("registration", id)}}.Encode())
	if loc := r.Location(t); !redirect(r.StatusCode) || !strings.HasPrefix(loc.String(), e.op.URL+"/") {
		t.Errorf("registration GET with provider: %d to %s, want the provider", r.StatusCode, loc)
	}
}

// TestProviderNotReadFromJSON: a JSON body's provider is ignored, as in the
// reference: the submit finds no strategy (4010002, 4010003) and nothing
// goes to the provider. (The browser flow answers with its page.)
func TestProviderNotReadFromJSON(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	b := e.browser()
	for kind, want := range map[string]int{"login": 4010002, "registration": 4010003} {
		id := b.start(kind, "")
		for _, body := range []map[string]string{
			{"provider": "corp", "csrf_token": b.csrf(kind, id)},
			{"method": "oidc", "provider": "corp", "csrf_token": b.csrf(kind, id)},
		} {
			raw, _ := json.Marshal(body)
			r := b.Do(http.MethodPost, e.public+"self-service/"+kind+"?flow="+id, "application/json", raw, "Accept", "application/json")
			// A browser flow's answer is its page, whatever the body was.
			if got := e.uiFlow(r, kind); got != id {
				t.Errorf("%s JSON %v: shown on flow %s, want %s", kind, body, got, id)
			}
			if f := b.flow(kind, id); !hasID(messageIDs(f), want) {
				t.Errorf("%s JSON %v: messages %v, want %d", kind, body, messageIDs(f), want)
			}
			if r.SetCookie("ory_kratos_continuity") != nil {
				t.Errorf("%s JSON %v started a round trip", kind, body)
			}
		}
	}
}

// TestAPIFlowRefused: native apps cannot use social sign-in; the api
// flow's submit is a 400 with 4000001, and the flow keeps its own nodes
// (the reference replaces a registration flow's nodes with the buttons).
func TestAPIFlowRefused(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	b := e.browser()
	for _, kind := range []string{"login", "registration"} {
		r := b.Get(e.public + "self-service/" + kind + "/api")
		var f map[string]any
		if r.StatusCode != http.StatusOK || json.Unmarshal(r.Body, &f) != nil {
			t.Fatalf("%s api flow: %d", kind, r.StatusCode)
		}
		if node(f, "provider") != nil {
			t.Errorf("%s api flow shows provider buttons", kind)
		}
		r = b.Do(http.MethodPost, e.public+"self-service/"+kind+"?flow="+f["id"].(string), "application/x-www-form-urlencoded", []byte("provider=corp"))
		var got map[string]any
		if r.StatusCode != http.StatusBadRequest || json.Unmarshal(r.Body, &got) != nil || !hasID(messageIDs(got), 4000001) {
			t.Errorf("%s api submit: %d %s, want 400 with 4000001", kind, r.StatusCode, r.Body)
		}
		if node(got, "password") == nil {
			t.Errorf("%s api submit: the flow lost its password form: %v", kind, nodes(got))
		}
	}
}
