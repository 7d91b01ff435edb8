package token

import (
	"time"

	"github.com/google/uuid"
)

// Link is a stored recovery or verification link token: its hash is kept
// beside it, never its value. Kind is Recovery or Verification.
type Link struct {
	ID         uuid.UUID
	Kind       string
	FlowID     uuid.UUID
	IdentityID uuid.UUID
	AddressID  uuid.UUID // uuid.Nil for admin recovery links
	ExpiresAt  time.Time
	CreatedAt  time.Time
}
