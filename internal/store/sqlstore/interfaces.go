package sqlstore

import (
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/kratos"
	"github.com/latchkey/latchkey/internal/selfserviceerror"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/throttle"
)

// The store satisfies every storage interface the domain packages declare:
// a method that drifts from its interface breaks the build here, not in
// the wiring. The strategies' and flows' own interfaces are checked in
// interfaces_test.go, so that this package does not link them.
var (
	_ identity.Store         = (*Store)(nil)
	_ session.Store          = (*Store)(nil)
	_ session.ListStore      = (*Store)(nil)
	_ flow.Store             = (*Store)(nil)
	_ courier.Store          = (*Store)(nil)
	_ selfserviceerror.Store = (*Store)(nil)
	_ throttle.Store         = (*Store)(nil)
	_ kratos.Target          = (*Store)(nil)
)
