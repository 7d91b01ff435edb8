package sqldb

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener is a PostgreSQL connection of its own, outside the pool, that
// LISTENs on one channel: database/sql has no notifications.
type Listener struct{ conn *pgx.Conn }

// Listen connects to dsn (the driver's DSN) and listens on channel.
func Listen(ctx context.Context, dsn, channel string) (*Listener, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, dsn)
	if err != nil {
		return nil, MapError(err)
	}
	if _, err := conn.Exec(cctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, MapError(err)
	}
	return &Listener{conn: conn}, nil
}

// Wait returns the payload of the next notification.
func (l *Listener) Wait(ctx context.Context) (string, error) {
	n, err := l.conn.WaitForNotification(ctx)
	if err != nil {
		return "", err
	}
	return n.Payload, nil
}

// Ping checks the connection is alive.
func (l *Listener) Ping(ctx context.Context) error { return l.conn.Ping(ctx) }

// Close closes the connection.
func (l *Listener) Close() { l.conn.Close(context.Background()) }
