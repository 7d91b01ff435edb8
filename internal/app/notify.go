package app

import (
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/notify"
)

// notifier builds the security notices; with every notice off it is nil,
// which sends nothing.
func (a *App) notifier() *notify.Notifier {
	cfg := a.Config
	n := cfg.Notifications
	if !n.PasswordChanged && !n.SecondFactor && !n.NewDevice {
		return nil
	}
	base := cfg.Serve.Public.BaseURL
	out := &notify.Notifier{
		Store: a.Store, Texts: a.uiTexts, Wake: a.Courier.Wake, Clock: a.Clock, Log: a.Log,
		Templates:   courier.Templates{OverrideDir: cfg.Courier.TemplateOverridePath, Texts: a.uiTexts, Clock: a.Clock},
		On:          notify.Events{PasswordChanged: n.PasswordChanged, SecondFactor: n.SecondFactor, NewDevice: n.NewDevice},
		SettingsURL: base + "self-service/settings/browser",
	}
	if cfg.SelfService.Flows.Recovery.Enabled && cfg.SelfService.Methods.Link.On() {
		out.RecoveryURL = base + "self-service/recovery/browser"
	}
	return out
}
