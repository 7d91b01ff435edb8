package courier

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Message statuses.
const (
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusAbandoned = "abandoned"
)

// Message is one outgoing email.
type Message struct {
	ID            uuid.UUID
	Status        string
	Recipient     string
	Subject       string
	Body          string // plain text
	BodyHTML      string
	TemplateType  TemplateType
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Store is the queue.
type Store interface {
	// ClaimMessages leases up to limit due, queued messages to the caller
	// until leaseUntil, so no other worker sends them meanwhile.
	ClaimMessages(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Message, error)
	// MarkSent records a delivery and, unless keepBody, blanks the
	// message's bodies in the same update: once mailed, the database copy
	// of a recovery or verification link must not sign anyone in.
	MarkSent(ctx context.Context, id uuid.UUID, at time.Time, keepBody bool) error
	// MarkFailed records a failed attempt: retry at next, or abandon.
	MarkFailed(ctx context.Context, id uuid.UUID, lastError string, next time.Time, abandon bool) error
	// Messages lists the newest messages, for the dev mailbox.
	Messages(ctx context.Context, limit int) ([]Message, error)
}
