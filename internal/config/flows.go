package config

import (
	"fmt"
	"time"
)

// Methods of After let each flow's section answer for its own hooks and
// return URLs, so callers ask the section instead of listing key names.

// afterMethods are the per-method sections of an after block, by method.
func (a *After) methods() map[string]*AfterMethod {
	return map[string]*AfterMethod{"password": &a.Password, "profile": &a.Profile, "oidc": &a.OIDC, "webauthn": &a.WebAuthn}
}

// HooksFor returns the hooks that run after the flow succeeded with
// method: the method's own list when it has one (even an empty one, which
// turns the flow's hooks off for it), else the flow's list, as the
// reference does.
func (a After) HooksFor(method string) []Hook {
	hooks, _ := a.HooksFrom(method)
	return hooks
}

// HooksFrom is HooksFor, also saying whether the list is the method's own.
func (a After) HooksFrom(method string) (hooks []Hook, own bool) {
	if m, ok := a.methods()[method]; ok && m.Hooks != nil {
		return m.Hooks, true
	}
	return a.Hooks, false
}

// ReturnURL is where a browser goes after the flow succeeded with method:
// the method's default_browser_return_url, else the flow's, else "".
func (a After) ReturnURL(method string) string {
	if m, ok := a.methods()[method]; ok && m.DefaultBrowserReturnURL != "" {
		return m.DefaultBrowserReturnURL
	}
	return a.DefaultBrowserReturnURL
}

// flowSection is one flow's block seen through what every flow may have;
// nil fields are keys that flow does not have.
type flowSection struct {
	name     string
	uiURL    *string
	lifespan *Duration
	before   *Before
	after    *After
}

func (f *Flows) sections() []flowSection {
	return []flowSection{
		{name: "login", uiURL: &f.Login.UIURL, lifespan: &f.Login.Lifespan, before: &f.Login.Before, after: &f.Login.After},
		{name: "registration", uiURL: &f.Registration.UIURL, lifespan: &f.Registration.Lifespan, before: &f.Registration.Before, after: &f.Registration.After},
		{name: "settings", uiURL: &f.Settings.UIURL, lifespan: &f.Settings.Lifespan, after: &f.Settings.After},
		{name: "recovery", uiURL: &f.Recovery.UIURL, lifespan: &f.Recovery.Lifespan, after: &f.Recovery.After},
		{name: "verification", uiURL: &f.Verification.UIURL, lifespan: &f.Verification.Lifespan, after: &f.Verification.After},
		{name: "logout", after: &f.Logout.After},
		{name: "error", uiURL: &f.Error.UIURL},
	}
}

// AfterURLs lists every configured after-flow return URL by "flow" and
// "flow/method", for the return-URL policy.
func (f Flows) AfterURLs() map[string]string {
	out := map[string]string{}
	for _, s := range f.sections() {
		if s.after == nil || s.name == "logout" {
			continue
		}
		out[s.name] = s.after.DefaultBrowserReturnURL
		for m, am := range s.after.methods() {
			if am.DefaultBrowserReturnURL != "" {
				out[s.name+"/"+m] = am.DefaultBrowserReturnURL
			}
		}
	}
	return out
}

// hookLists names every hook list of the flows by its key.
func (f *Flows) hookLists() map[string][]Hook {
	out := map[string][]Hook{}
	for _, s := range f.sections() {
		key := "selfservice.flows." + s.name
		if s.before != nil {
			out[key+".before.hooks"] = s.before.Hooks
		}
		if s.after != nil {
			out[key+".after.hooks"] = s.after.Hooks
			for m, am := range s.after.methods() {
				out[key+".after."+m+".hooks"] = am.Hooks
			}
		}
	}
	return out
}

func (f *Flows) applyDefaults(publicBase string) {
	for _, s := range f.sections() {
		if s.uiURL != nil && *s.uiURL == "" {
			*s.uiURL = publicBase + "ui/" + s.name
		}
		if s.lifespan != nil && *s.lifespan == 0 {
			*s.lifespan = Duration(time.Hour)
		}
	}
	defBool(&f.Recovery.RevokeActiveSessions, true)
	if f.Settings.PrivilegedSessionMaxAge == 0 {
		f.Settings.PrivilegedSessionMaxAge = Duration(time.Hour)
	}
}

// hooksAllowed are the hooks each kind of list may hold.
func hooksAllowed(key string) []string {
	switch {
	case hasAny(key, ".before."):
		return []string{"web_hook"}
	case hasAny(key, "registration.after"):
		return []string{"session", "web_hook"}
	case hasAny(key, "login.after"), hasAny(key, "settings.after.password."):
		// The later reference versions let a password change end the
		// other sessions too.
		return []string{"revoke_active_sessions", "web_hook"}
	}
	return []string{"web_hook"}
}

func (f Flows) validate(p *problems) {
	for _, s := range f.sections() {
		if s.uiURL != nil {
			p.absURL("selfservice.flows."+s.name+".ui_url", *s.uiURL)
		}
	}
	for key, list := range f.hookLists() {
		for i, h := range list {
			h.validate(p, fmt.Sprintf("%s[%d]", key, i), hooksAllowed(key))
		}
	}
}
