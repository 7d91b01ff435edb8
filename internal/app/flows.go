package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/csrf"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/flow/login"
	"github.com/latchkey/latchkey/internal/flow/logout"
	"github.com/latchkey/latchkey/internal/flow/recovery"
	"github.com/latchkey/latchkey/internal/flow/registration"
	"github.com/latchkey/latchkey/internal/flow/settings"
	"github.com/latchkey/latchkey/internal/flow/verification"
	"github.com/latchkey/latchkey/internal/hook"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/notify"
	"github.com/latchkey/latchkey/internal/selfserviceerror"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/strategy/link"
	"github.com/latchkey/latchkey/internal/strategy/oidc"
	"github.com/latchkey/latchkey/internal/strategy/password"
	"github.com/latchkey/latchkey/internal/strategy/profile"
	"github.com/latchkey/latchkey/internal/strategy/webauthn"
)

// flows builds the self-service flows with their strategies and hooks.
type flows struct {
	login        *login.Handler
	registration *registration.Handler
	settings     *settings.Handler
	logout       *logout.Handler
	recovery     *recovery.Handler     // nil when recovery is off
	verification *verification.Handler // nil when verification is off
	errors       *selfserviceerror.Handler
	web          *flow.Web          // for the answers of disabled flows
	oidc         *oidc.Strategy     // nil when social sign-in is off
	webauthn     *webauthn.Strategy // nil when security keys are off
	log          *slog.Logger
}

func (a *App) buildFlows(ctx context.Context) (*flows, error) {
	cfg := a.Config
	ss := cfg.SelfService
	base := cfg.Serve.Public.BaseURL
	uiURLs := map[flow.Kind]string{
		flow.Login: ss.Flows.Login.UIURL, flow.Registration: ss.Flows.Registration.UIURL, flow.Settings: ss.Flows.Settings.UIURL,
		flow.Recovery: ss.Flows.Recovery.UIURL, flow.Verification: ss.Flows.Verification.UIURL,
	}
	// The built-in home page is always a safe place to return to.
	allowed := append([]string{base + "ui/"}, ss.WhitelistedReturnURLs...)
	for _, u := range uiURLs {
		allowed = append(allowed, u)
	}
	// The reference also returns to its own self-service URLs (settings
	// comes back to its submit URL after a refresh login).
	allowed = append(allowed, base+"self-service/")
	returns, err := flow.NewReturnPolicy(ss.DefaultBrowserReturnURL, allowed, ss.Flows.AfterURLs())
	if err != nil {
		return nil, err
	}
	errs := &selfserviceerror.Manager{Store: a.Store, Clock: a.Clock}
	guard := &csrf.Guard{Cookie: csrf.CookieFor(base, cfg.Dev), Log: a.Log}
	web := &flow.Web{CSRF: guard, Returns: returns, Errors: errs, ErrorUIURL: ss.Flows.Error.UIURL, Log: a.Log}
	responder := &flow.Responder{PublicBase: base, UIURLs: uiURLs, Log: a.Log}
	kit := &flow.Kit{Flows: loggedFlows{a.Store}, Responder: responder, Web: web, Sessions: a.Sessions, Clock: a.Clock, Tx: a.Store}

	addressStatus := identity.StatusPending
	if ss.Flows.Verification.Enabled {
		addressStatus = identity.StatusSent
	}
	pwCfg := ss.Methods.Password.Config
	pw := &password.Strategy{
		Store: a.Store, Identities: a.Identities, Schemas: a.Schemas, Hasher: a.Hasher, Log: a.Log, NewAddressStatus: addressStatus,
		Throttle: a.limiter(), Limits: passwordLimits(cfg.Throttle),
		Policy: password.NewPolicy(password.Policy{
			MinLength: pwCfg.MinPasswordLength, CheckBreaches: *pwCfg.HaveIBeenPwnedEnabled, BreachHost: pwCfg.HaveIBeenPwnedHost,
			MaxBreaches: pwCfg.MaxBreaches, IgnoreNetworkErrors: *pwCfg.IgnoreNetworkErrors, Timeout: pwCfg.HaveIBeenPwnedTimeout.D(), Log: a.Log, Now: a.Clock.Now,
		}),
	}
	if err := pw.Init(ctx); err != nil {
		return nil, err
	}
	prof := &profile.Strategy{Identities: a.Identities, Schemas: a.Schemas, NewAddressStatus: addressStatus}
	linkStrategy := &link.Strategy{
		Store: a.Store, Tokens: a.Tokens, Templates: courier.Templates{OverrideDir: cfg.Courier.TemplateOverridePath, Texts: a.uiTexts, Clock: a.Clock},
		PublicBase: base, Log: a.Log, Wake: a.Courier.Wake, Clock: a.Clock,
		Throttle: a.limiter(), Limits: link.Limits{Identifier: rule(cfg.Throttle.Identifier), Address: rule(cfg.Throttle.Address)},
	}

	out := &flows{errors: &selfserviceerror.Handler{Store: a.Store, Log: a.Log}, web: web, log: a.Log}
	f := ss.Flows
	var mail []flow.AfterHook
	if f.Verification.Enabled && ss.Methods.Link.On() {
		out.verification = &verification.Handler{
			Kit: kit, Strategy: linkStrategy, Lifespan: f.Verification.Lifespan.D(), PublicBase: base, Log: a.Log,
		}
		mail = []flow.AfterHook{&hook.Verification{Sender: out.verification}}
		if out.verification.Hooks, err = a.flowHooks(ctx, "verification", nil, &f.Verification.After); err != nil {
			return nil, err
		}
	}
	loginHooks, err := a.flowHooks(ctx, "login", &f.Login.Before, &f.Login.After)
	if err != nil {
		return nil, err
	}
	regHooks, err := a.flowHooks(ctx, "registration", &f.Registration.Before, &f.Registration.After, mail...)
	if err != nil {
		return nil, err
	}
	settingsHooks, err := a.flowHooks(ctx, "settings", nil, &f.Settings.After, mail...)
	if err != nil {
		return nil, err
	}

	if a.Notify != nil {
		addAfter(&loginHooks, notify.SignInHook{N: a.Notify}, methods...)
		addAfter(&settingsHooks, notify.PasswordHook{N: a.Notify}, "password")
	}

	var loginStrategies []login.Strategy
	var regStrategies []registration.Strategy
	var settingsStrategies []settings.Strategy
	if ss.Methods.Profile.On() {
		settingsStrategies = append(settingsStrategies, prof)
	}
	if ss.Methods.Password.On() {
		loginStrategies = append(loginStrategies, pw)
		regStrategies = append(regStrategies, pw)
		settingsStrategies = append(settingsStrategies, pw)
	}
	if ss.Methods.OIDC.Enabled {
		s, err := a.oidcStrategy(ctx, kit, addressStatus)
		if err != nil {
			return nil, err
		}
		out.oidc = s
		loginStrategies = append(loginStrategies, s)
		regStrategies = append(regStrategies, s)
		settingsStrategies = append(settingsStrategies, s)
	}
	if wa := ss.Methods.WebAuthn; wa.Enabled {
		s, err := webauthn.New(wa, base)
		if err != nil {
			return nil, err
		}
		s.Store, s.Identities, s.Schemas, s.NewAddressStatus, s.Clock, s.Log = a.Store, a.Identities, a.Schemas, addressStatus, a.Clock, a.Log
		out.webauthn = s
		if wa.Config.Passwordless {
			loginStrategies = append(loginStrategies, s)
			regStrategies = append(regStrategies, s)
		}
		settingsStrategies = append(settingsStrategies, s)
	}
	secondFactors, mfaSettings, err := a.secondFactors()
	if err != nil {
		return nil, err
	}
	settingsStrategies = append(settingsStrategies, mfaSettings...)
	if wa := out.webauthn; wa != nil && !wa.Passwordless {
		// Passkeys are first factors: only the other keys make an
		// identity aal2-capable.
		secondFactors = append(secondFactors, wa)
		a.Sessions.SecondFactors = append(a.Sessions.SecondFactors, session.SecondFactorProbe{Type: webauthn.CredentialType, Counts: webauthn.IsSecondFactor})
	}
	out.login = &login.Handler{
		Kit: kit, Sessions: a.Sessions, Strategies: loginStrategies, SecondFactors: secondFactors,
		WhoamiRequiredAAL: cfg.Session.Whoami.RequiredAAL, StepUpThrottle: a.limiter(), StepUpRule: rule(cfg.Throttle.Identifier), Lifespan: f.Login.Lifespan.D(), PublicBase: base, Hooks: loginHooks, Log: a.Log,
	}
	out.registration = &registration.Handler{
		Kit: kit, Identities: a.Store, Sessions: a.Sessions, Strategies: regStrategies,
		Lifespan: f.Registration.Lifespan.D(), PublicBase: base, Hooks: regHooks, Log: a.Log,
	}
	out.settings = &settings.Handler{
		Kit: kit, Identities: a.Store, Decorate: a.Identities.Decorate, Sessions: a.Sessions, Strategies: settingsStrategies,
		Lifespan: f.Settings.Lifespan.D(), PrivilegedMaxAge: f.Settings.PrivilegedSessionMaxAge.D(), RequiredAAL: f.Settings.RequiredAAL,
		FactorChanged: a.Notify.SecondFactorChanged,
		PublicBase:    base, LoginUIURL: ss.Flows.Login.UIURL, Hooks: settingsHooks, Log: a.Log,
	}
	if out.oidc != nil {
		out.oidc.LoginHandler, out.oidc.RegistrationHandler, out.oidc.SettingsHandler = out.login, out.registration, out.settings
	}
	if f.Recovery.Enabled && ss.Methods.Link.On() {
		out.recovery = &recovery.Handler{
			Kit: kit, Identities: a.Store, Sessions: a.Sessions, Strategy: linkStrategy, Settings: out.settings,
			Lifespan: f.Recovery.Lifespan.D(), PublicBase: base, Log: a.Log,
		}
		var revoke []flow.AfterHook
		if *f.Recovery.RevokeActiveSessions {
			revoke = append(revoke, &hook.RevokeActiveSessions{Sessions: a.Store})
		}
		if out.recovery.Hooks, err = a.flowHooks(ctx, "recovery", nil, &f.Recovery.After, revoke...); err != nil {
			return nil, err
		}
	}
	logoutAfter := f.Logout.After.DefaultBrowserReturnURL
	if logoutAfter == "" {
		logoutAfter = ss.DefaultBrowserReturnURL
	}
	out.logout = &logout.Handler{Sessions: a.Sessions, Web: web, AfterURL: logoutAfter, SameSite: append([]string{base}, allowed...), Log: a.Log}
	return out, nil
}

// register mounts the flows on both muxes.
func (f *flows) register(pub, adm *http.ServeMux) {
	f.login.Register(pub)
	f.login.RegisterAdmin(adm)
	f.registration.Register(pub)
	f.registration.RegisterAdmin(adm)
	f.settings.Register(pub)
	f.settings.RegisterAdmin(adm)
	f.logout.Register(pub)
	if f.oidc != nil {
		f.oidc.RegisterRoutes(pub)
	}
	if f.webauthn != nil {
		f.webauthn.RegisterRoutes(pub)
	}
	if f.recovery != nil {
		f.recovery.Register(pub)
		f.recovery.RegisterAdmin(adm)
	} else {
		recovery.RegisterDisabled(pub, adm, f.web, f.log)
	}
	if f.verification != nil {
		f.verification.Register(pub)
		f.verification.RegisterAdmin(adm)
	} else {
		verification.RegisterDisabled(pub, adm, f.web, f.log)
	}
	f.errors.Register(pub)
	admErrors := *f.errors
	admErrors.Admin = true
	admErrors.Register(adm)
}

// loggedFlows names the flow a request created or loaded on its request
// log line.
type loggedFlows struct{ flow.Store }

func (s loggedFlows) CreateFlow(ctx context.Context, f *flow.Flow) error {
	httpx.NoteFlow(ctx, f.ID.String())
	return s.Store.CreateFlow(ctx, f)
}

func (s loggedFlows) Flow(ctx context.Context, kind flow.Kind, id uuid.UUID) (*flow.Flow, error) {
	httpx.NoteFlow(ctx, id.String())
	return s.Store.Flow(ctx, kind, id)
}

// addAfter appends an after-hook to the lists of methods.
func addAfter(h *flow.Hooks, hook flow.AfterHook, methods ...string) {
	for _, m := range methods {
		mh := h.ByMethod[m]
		mh.After = append(mh.After, hook)
		h.ByMethod[m] = mh
	}
}
