package app

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/health"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/session"
)

// routes mounts every endpoint. Each package registers its own routes, so a
// path is found in one search: grep for it.
func (a *App) routes() (public, admin http.Handler) {
	pub, adm := http.NewServeMux(), http.NewServeMux()
	log := a.Log

	h := &health.Handler{Ping: a.DB.SQL.PingContext, Draining: a.Draining, Version: Version, Log: log}
	h.Register(pub)
	h.Register(adm)
	h.RegisterVersion(adm)

	schemas := &schema.Handler{Registry: a.Schemas, Log: log}
	schemas.Register(pub)
	schemas.Register(adm)

	lister := &session.Lister{
		Manager: a.Sessions, Store: a.Store, Keyset: a.Store, Now: a.Clock.Now, Log: log,
		RequiredAAL: a.Config.Session.Whoami.RequiredAAL, PublicBase: a.Config.Serve.Public.BaseURL,
	}
	(&session.Handler{
		Manager: a.Sessions, Lister: lister, RequiredAAL: a.Config.Session.Whoami.RequiredAAL, PublicBase: a.Config.Serve.Public.BaseURL, Log: log,
	}).Register(pub)
	lister.RegisterAdmin(adm, func(h httpx.HandlerFunc) http.Handler { return httpx.Handle(log, h) })
	(&identity.AdminHandler{
		Manager: a.Identities, Hasher: a.Hasher, Log: log, AdminBase: a.Config.Serve.Admin.BaseURL,
		Credentials: a.Store, FactorRemoved: a.Notify.SecondFactorChanged,
	}).Register(adm)

	a.flows.register(pub, adm)
	a.webUI().Register(pub)
	adm.Handle("GET /metrics/prometheus", a.Metrics.Handler())

	pub.Handle("/", httpx.NotFoundJSON(log))
	adm.Handle("/", httpx.NotFoundJSON(log))
	c := a.Config.Serve.Public.CORS
	cors := httpx.CORSConfig{
		Enabled: c.Enabled, AllowedOrigins: c.AllowedOrigins, AllowedMethods: c.AllowedMethods, AllowedHeaders: c.AllowedHeaders,
		ExposedHeaders: c.ExposedHeaders, AllowCredentials: c.AllowCredentials != nil && *c.AllowCredentials, MaxAge: c.MaxAge, Debug: c.Debug,
		OptionsPassthrough: c.OptionsPassthrough,
	}
	var aliases []httpx.DomainAlias
	for _, d := range a.Config.Serve.Public.DomainAliases {
		aliases = append(aliases, httpx.DomainAlias{MatchDomain: d.MatchDomain, Scheme: d.Scheme, BasePath: d.BasePath})
	}
	public = httpx.SecurityHeaders(httpx.CORS(cors, log, httpx.DomainAliases(aliases, a.flows.web.CSRF.Protect(httpx.Routes(pub)))))
	if a.Config.Dev {
		public = canonicalHost(a.Config.Serve.Public.BaseURL, public)
	}
	// Throttling and session devices read the client from the context;
	// the admin port is never throttled, so it records none.
	public = httpx.WithClient(a.Proxies, public)
	admin = httpx.SecurityHeaders(httpx.Routes(adm))
	return a.requestLog("public").Wrap(httpx.Recover(log, public)), a.requestLog("admin").Wrap(httpx.Recover(log, admin))
}

// requestLog is the outermost layer of a server: one line, one metric
// sample and (with tracing on) one span per request.
func (a *App) requestLog(server string) *httpx.RequestLog {
	// serve.public.trusted_proxies speak for the public port only.
	var proxies httpx.TrustedProxies
	if server == "public" {
		proxies = a.Proxies
	}
	return &httpx.RequestLog{
		Log: a.Log, Server: server, Observe: a.Metrics.Observer(server), Span: a.Tracing.Requests(server),
		ClientAddr: func(r *http.Request) string { return httpx.ClientIP(r, proxies) },
	}
}
