package sqlstore_test

import (
	"github.com/latchkey/latchkey/internal/flow/recovery"
	"github.com/latchkey/latchkey/internal/flow/registration"
	"github.com/latchkey/latchkey/internal/flow/settings"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/strategy/link"
	"github.com/latchkey/latchkey/internal/strategy/oidc"
	"github.com/latchkey/latchkey/internal/strategy/password"
)

// The flows' and strategies' storage interfaces, checked here rather than
// in the package so that the store does not link what sits above it.
var (
	_ registration.IdentityStore = (*sqlstore.Store)(nil)
	_ settings.IdentityStore     = (*sqlstore.Store)(nil)
	_ recovery.IdentityStore     = (*sqlstore.Store)(nil)
	_ link.Store                 = (*sqlstore.Store)(nil)
	_ password.Store             = (*sqlstore.Store)(nil)
	_ oidc.Store                 = (*sqlstore.Store)(nil)
	_ oidc.StateStore            = (*sqlstore.Store)(nil)
)
