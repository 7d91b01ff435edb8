package app

import (
	"github.com/latchkey/latchkey/internal/flow/login"
	"github.com/latchkey/latchkey/internal/flow/settings"
	"github.com/latchkey/latchkey/internal/strategy/lookup"
	totpstrategy "github.com/latchkey/latchkey/internal/strategy/totp"
	"github.com/latchkey/latchkey/internal/totp"
)

// secondFactors builds the enabled second-factor strategies, and tells the
// session manager how to recognise each factor, so that required_aal
// counts only enabled methods.
func (a *App) secondFactors() ([]login.SecondFactor, []settings.Strategy, error) {
	m := a.Config.SelfService.Methods
	var logins []login.SecondFactor
	var sets []settings.Strategy
	if m.TOTP.Enabled {
		sealer, err := totp.NewSealer(a.Config.CipherSecrets())
		if err != nil {
			return nil, nil, err
		}
		s := &totpstrategy.Strategy{Store: a.Store, Sealer: sealer, Issuer: m.TOTP.Config.Issuer, Clock: a.Clock}
		logins, sets = append(logins, s), append(sets, s)
		a.Sessions.SecondFactors = append(a.Sessions.SecondFactors, totpstrategy.Probe())
	}
	if m.LookupSecret.Enabled {
		s := &lookup.Strategy{Store: a.Store, Tokens: a.Tokens, Clock: a.Clock}
		logins, sets = append(logins, s), append(sets, s)
		a.Sessions.SecondFactors = append(a.Sessions.SecondFactors, lookup.Probe())
	}
	return logins, sets, nil
}
