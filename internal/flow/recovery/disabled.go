package recovery

import (
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
)

// errDisabled is the reference's answer on every recovery route while
// selfservice.flows.recovery.enabled is false.
var errDisabled = httpx.ErrBadRequest.WithReason("Recovery is not allowed because it was disabled.")

// RegisterDisabled mounts the recovery routes for a configuration that
// turns recovery off: browsers see the error page, API clients the error,
// as the reference answers, instead of a bare 404.
func RegisterDisabled(pub, adm *http.ServeMux, web *flow.Web, log *slog.Logger) {
	refuse := func(http.ResponseWriter, *http.Request) error { return errDisabled }
	pub.Handle("GET /self-service/recovery/api", httpx.Handle(log, refuse))
	pub.Handle("GET /self-service/recovery/flows", httpx.Handle(log, refuse))
	for _, p := range []string{"GET /self-service/recovery/browser", "POST /self-service/recovery", "GET /self-service/recovery", "POST /self-service/recovery/methods/link", "GET /self-service/recovery/methods/link"} {
		pub.Handle(p, web.Handle(true, refuse))
	}
	adm.Handle("GET /self-service/recovery/flows", httpx.Handle(log, refuse))
	adm.Handle("POST /recovery/link", httpx.Handle(log, refuse))
}
