package verification

import (
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
)

// errDisabled is the reference's answer on every verification route while
// selfservice.flows.verification.enabled is false.
var errDisabled = httpx.ErrBadRequest.WithReason("Verification is not allowed because it was disabled.")

// RegisterDisabled mounts the verification routes for a configuration that
// turns verification off: browsers see the error page, API clients the error,
// as the reference answers, instead of a bare 404.
func RegisterDisabled(pub, adm *http.ServeMux, web *flow.Web, log *slog.Logger) {
	refuse := func(http.ResponseWriter, *http.Request) error { return errDisabled }
	pub.Handle("GET /self-service/verification/api", httpx.Handle(log, refuse))
	pub.Handle("GET /self-service/verification/flows", httpx.Handle(log, refuse))
	for _, p := range []string{"GET /self-service/verification/browser", "POST /self-service/verification", "GET /self-service/verification", "POST /self-service/verification/methods/link", "GET /self-service/verification/methods/link"} {
		pub.Handle(p, web.Handle(true, refuse))
	}
	adm.Handle("GET /self-service/verification/flows", httpx.Handle(log, refuse))
}
