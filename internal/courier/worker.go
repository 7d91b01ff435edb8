package courier

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/clock"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Worker sends queued messages until its context ends.
type Worker struct {
	Store  Store
	Sender Sender
	Log    *slog.Logger
	// Tracer, when set, gets a span per message sent.
	Tracer trace.Tracer
	// Poll is how often the queue is checked (default 1s).
	Poll time.Duration
	// Backoff is the delay before the first retry; it doubles up to
	// MaxBackoff (defaults 5s and 10m).
	Backoff, MaxBackoff time.Duration
	// MaxAttempts after which a message is abandoned (default 10).
	MaxAttempts int
	// Lease is how long a claimed message is reserved for this worker
	// (default 1m): a worker that dies releases its messages then.
	Lease time.Duration
	// Batch is how many messages one round claims (default 10).
	Batch int
	// Clock decides which messages are due and dates attempts.
	Clock clock.Clock

	wake chan struct{}
	once sync.Once
}

func (w *Worker) wakeChan() chan struct{} {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Wake makes a running worker look at the queue now instead of at its next
// poll, so mail queued by this process leaves at once.
func (w *Worker) Wake() {
	select {
	case w.wakeChan() <- struct{}{}:
	default:
	}
}

func (w *Worker) defaults() {
	if w.Poll == 0 {
		w.Poll = time.Second
	}
	if w.Backoff == 0 {
		w.Backoff = 5 * time.Second
	}
	if w.MaxBackoff == 0 {
		w.MaxBackoff = 10 * time.Minute
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 10
	}
	if w.Lease == 0 {
		w.Lease = time.Minute
	}
	if w.Batch == 0 {
		w.Batch = 10
	}
}

// Run sends messages until ctx is cancelled.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for w.round(ctx) == w.Batch && ctx.Err() == nil {
			// a full batch: more may be waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wakeChan():
		}
	}
}

// round claims and sends one batch and returns how many it claimed.
func (w *Worker) round(ctx context.Context) int {
	now := w.Clock.Now()
	msgs, err := w.Store.ClaimMessages(ctx, now, now.Add(w.Lease), w.Batch)
	if err != nil {
		if ctx.Err() == nil {
			w.Log.WarnContext(ctx, "courier: cannot read the queue", "error", err.Error())
		}
		return 0
	}
	for _, m := range msgs {
		if ctx.Err() != nil {
			// Stopping: the rest of the batch is claimed by another
			// worker once its lease runs out.
			break
		}
		w.send(ctx, m)
	}
	return len(msgs)
}

func (w *Worker) send(ctx context.Context, m Message) {
	// A stop lets the message in flight finish: an SMTP conversation cut
	// after the server took the message would send it twice.
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	var span trace.Span
	if w.Tracer != nil {
		sendCtx, span = w.Tracer.Start(sendCtx, "courier.send", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("latchkey.message.id", m.ID.String()), attribute.Int("latchkey.message.attempt", m.Attempts+1)))
	}
	err := w.Sender.Send(sendCtx, m)
	if span != nil {
		if err != nil {
			span.SetStatus(codes.Error, "sending failed")
		}
		span.End()
	}
	cancel()
	// Bookkeeping must land even when shutdown interrupted the send.
	bg := context.WithoutCancel(ctx)
	if err == nil {
		// Keep delivers into the database itself (the dev mailbox reads
		// it there); any other sender's copy is blanked.
		_, keep := w.Sender.(Keep)
		if err := w.Store.MarkSent(bg, m.ID, w.Clock.Now(), keep); err != nil {
			w.Log.ErrorContext(ctx, "courier: message sent but not marked sent", "message", m.ID.String(), "error", err.Error())
		}
		return
	}
	attempts := m.Attempts + 1
	abandon := attempts >= w.MaxAttempts
	delay := w.Backoff << min(attempts-1, 20)
	if delay > w.MaxBackoff || delay <= 0 {
		delay = w.MaxBackoff
	}
	if abandon {
		w.Log.ErrorContext(ctx, "courier: giving up on message", "message", m.ID.String(), "attempts", attempts, "error", err.Error())
	} else {
		w.Log.WarnContext(ctx, "courier: sending failed; will retry", "message", m.ID.String(), "attempts", attempts, "retry_in", delay.String(), "error", err.Error())
	}
	if err := w.Store.MarkFailed(bg, m.ID, err.Error(), w.Clock.Now().Add(delay), abandon); err != nil {
		w.Log.ErrorContext(ctx, "courier: cannot record a failed attempt", "message", m.ID.String(), "error", err.Error())
	}
}
