package app

import (
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/webui"
)

// webUI builds the built-in pages. A page is on while its flow's ui_url
// still points at it; an operator who configures their own UI turns it off.
func (a *App) webUI() *webui.Handler {
	cfg := a.Config
	base := cfg.Serve.Public.BaseURL
	f := cfg.SelfService.Flows
	builtin := func(configured, page string) bool { return configured == base+"ui/"+page }
	h := &webui.Handler{
		Flows: a.Store, Clock: a.Clock, Sessions: a.Sessions, Errors: a.Store, Schemas: a.Schemas, Log: a.Log,
		Brand: webui.Brand{Name: cfg.UI.Name, LogoURL: cfg.UI.LogoURL, Base: base},
		Pages: map[flow.Kind]bool{
			flow.Login:        builtin(f.Login.UIURL, "login"),
			flow.Registration: builtin(f.Registration.UIURL, "registration"),
			flow.Settings:     builtin(f.Settings.UIURL, "settings"),
			flow.Recovery:     a.flows.recovery != nil && builtin(f.Recovery.UIURL, "recovery"),
			flow.Verification: a.flows.verification != nil && builtin(f.Verification.UIURL, "verification"),
		},
		ErrorPage:   builtin(f.Error.UIURL, "error"),
		SessionList: a.Store, CSRF: a.flows.web.CSRF, SettingsAAL: f.Settings.RequiredAAL,
	}
	h.Texts = a.uiTexts
	if cfg.Dev && cfg.Courier.SMTP.ConnectionURI == "" {
		h.Mail = a.Store
	}
	return h
}
