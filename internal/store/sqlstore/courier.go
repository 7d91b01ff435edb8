package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

const messageColumns = `id, status, recipient, subject, body, body_html, template_type, attempts, next_attempt_at, last_error, sent_at, created_at, updated_at`

func (s *Store) insertMessage(ctx context.Context, q store.Querier, m *courier.Message) error {
	_, err := q.ExecContext(ctx, s.db.Q(`INSERT INTO courier_messages (id, type, status, recipient, subject, body, body_html, template_type, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		m.ID.String(), "email", m.Status, m.Recipient, m.Subject, m.Body, m.BodyHTML, string(m.TemplateType), m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.UpdatedAt)
	return sqldb.MapError(err)
}

// EnqueueMessage queues one message on its own.
func (s *Store) EnqueueMessage(ctx context.Context, m *courier.Message) error {
	return s.insertMessage(ctx, s.w(ctx), m)
}

func scanMessages(rows *sql.Rows) ([]courier.Message, error) {
	defer rows.Close()
	var out []courier.Message
	for rows.Next() {
		var m courier.Message
		var tt string
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.Status, &m.Recipient, &m.Subject, &m.Body, &m.BodyHTML, &tt, &m.Attempts, &m.NextAttemptAt, &m.LastError, &sent, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, sqldb.MapError(err)
		}
		m.TemplateType = courier.TemplateType(tt)
		if sent.Valid {
			t := sent.Time.UTC()
			m.SentAt = &t
		}
		normalizeTimes(&m.NextAttemptAt, &m.CreatedAt, &m.UpdatedAt)
		out = append(out, m)
	}
	return out, sqldb.MapError(rows.Err())
}

// ClaimMessages implements courier.Store. PostgreSQL and MySQL skip rows
// another worker has locked; SQLite's single writer serialises claims.
func (s *Store) ClaimMessages(ctx context.Context, now, leaseUntil time.Time, limit int) ([]courier.Message, error) {
	var out []courier.Message
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.db.Q(`SELECT `+messageColumns+` FROM courier_messages
WHERE status = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
ORDER BY next_attempt_at LIMIT ?`+s.db.Dialect.SkipLocked()), courier.StatusQueued, now, now, limit)
		if err != nil {
			return err
		}
		if out, err = scanMessages(rows); err != nil || len(out) == 0 {
			return err
		}
		args := []any{leaseUntil}
		for _, m := range out {
			args = append(args, m.ID.String())
		}
		_, err = tx.ExecContext(ctx, s.db.Q(`UPDATE courier_messages SET locked_until = ? WHERE id IN (`+placeholders(len(out))+`)`), args...)
		return err
	})
	return out, err
}

// MarkSent implements courier.Store.
func (s *Store) MarkSent(ctx context.Context, id uuid.UUID, at time.Time, keepBody bool) error {
	bodies := `body = '', body_html = '', `
	if keepBody {
		bodies = ``
	}
	return sqldb.Affected(s.w(ctx).ExecContext(ctx, s.db.Q(`UPDATE courier_messages SET `+bodies+`status = ?, sent_at = ?, locked_until = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?`),
		courier.StatusSent, at, at, id.String()))
}

// MarkFailed implements courier.Store.
func (s *Store) MarkFailed(ctx context.Context, id uuid.UUID, lastError string, next time.Time, abandon bool) error {
	status := courier.StatusQueued
	if abandon {
		status = courier.StatusAbandoned
	}
	if len(lastError) > 1000 {
		lastError = lastError[:1000]
	}
	return sqldb.Affected(s.w(ctx).ExecContext(ctx, s.db.Q(`UPDATE courier_messages SET status = ?, last_error = ?, next_attempt_at = ?, locked_until = NULL, attempts = attempts + 1, updated_at = ? WHERE id = ?`),
		status, lastError, next, s.clock.Now(), id.String()))
}

// Messages implements courier.Store.
func (s *Store) Messages(ctx context.Context, limit int) ([]courier.Message, error) {
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT `+messageColumns+` FROM courier_messages ORDER BY created_at DESC, id LIMIT ?`), limit)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	return scanMessages(rows)
}

// QueueStats counts the messages waiting to be sent (queued, not
// abandoned) and returns when the oldest was queued (zero when none), for
// the courier's metrics.
func (s *Store) QueueStats(ctx context.Context) (int, time.Time, error) {
	var n int
	if err := s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT COUNT(*) FROM courier_messages WHERE status = ?`), courier.StatusQueued).Scan(&n); err != nil {
		return 0, time.Time{}, sqldb.MapError(err)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	var oldest time.Time
	err := s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT created_at FROM courier_messages WHERE status = ? ORDER BY created_at LIMIT 1`), courier.StatusQueued).Scan(&oldest)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil // sent in between
	}
	return n, oldest.UTC(), sqldb.MapError(err)
}
