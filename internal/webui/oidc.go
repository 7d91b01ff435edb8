package webui

import (
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/ui"
)

// oidcGroup is social sign-in's node group.
const oidcGroup = "oidc"

// oidcForm words social sign-in's form: every provider button reads
// "Continue with <provider>" on sign-in and sign-up alike (the reference's
// labels say "Sign in with" and "Sign up with", which reads wrong when a
// sign-in becomes a sign-up), settings' buttons "Link"/"Unlink <provider>",
// and settings titles the form.
func (b pageBuilder) oidcForm(f *form, nodes []ui.Node, titled bool) {
	if titled {
		f.Title = b.p.T("settings.group.oidc")
	}
	for k, n := range nodes {
		l := n.Meta.Label
		if n.Attributes.Type != "submit" || l == nil {
			continue
		}
		provider, _ := l.Context["provider"].(string)
		if provider == "" {
			continue
		}
		switch n.Attributes.Name {
		case "provider":
			f.Nodes[k].Label = b.p.T("oidc.continue", "provider", provider)
		case "link":
			f.Nodes[k].Label = b.p.T("oidc.link", "provider", provider)
		case "unlink":
			f.Nodes[k].Label = b.p.T("oidc.unlink", "provider", provider)
		}
	}
}

// oidcCompletion reports whether a registration flow is social sign-in's
// completion form: trait inputs in the oidc group, which the provider's
// answer did not fill well enough.
func oidcCompletion(kind flow.Kind, forms []form) bool {
	if kind != flow.Registration {
		return false
	}
	for _, f := range forms {
		if f.Group != oidcGroup {
			continue
		}
		for _, n := range f.Nodes {
			if !n.Hidden && !n.Submit {
				return true
			}
		}
	}
	return false
}
