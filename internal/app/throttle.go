package app

import (
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/strategy/password"
	"github.com/latchkey/latchkey/internal/throttle"
)

// limiter is the brute-force protection shared by the public flows; nil
// when throttle.enabled is false. Counter names are keyed with the first
// secret, so the table cannot be matched against guessed identifiers.
func (a *App) limiter() *throttle.Limiter {
	if a.throttle != nil || !*a.Config.Throttle.Enabled {
		return a.throttle
	}
	a.throttle = &throttle.Limiter{
		Store: a.Store, Secret: []byte(a.Config.SecretList()[0]), Now: a.Clock.Now,
		OnRefused: a.Metrics.Throttled,
	}
	return a.throttle
}

func rule(r config.ThrottleRule) throttle.Rule {
	return throttle.Rule{Free: *r.Free, Limit: r.Limit, Window: r.Window.D(), Delay: r.Delay.D()}
}

func passwordLimits(t config.Throttle) password.Limits {
	return password.Limits{Identifier: rule(t.Identifier), Address: rule(t.Address), AccountLimit: *t.AccountLimit}
}
