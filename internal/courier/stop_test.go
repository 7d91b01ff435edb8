package courier_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// gate holds each send until the test lets it go, then sends through SMTP
// with the context the worker gave.
type gate struct {
	courier.Sender
	sending chan struct{}
	release chan struct{}
}

func (g *gate) Send(ctx context.Context, m courier.Message) error {
	g.sending <- struct{}{}
	<-g.release
	return g.Sender.Send(ctx, m)
}

// TestWorkerStopFinishesTheMessageInFlight: a stop (SIGTERM to `courier
// watch` or serve) lets the message being sent finish and be recorded
// sent, and claims nothing more.
func TestWorkerStopFinishesTheMessageInFlight(t *testing.T) {
	mail := mailtest.Start(t, mailtest.Options{})
	e := startQuiet(t, testkit.NewDatabase(t, "sqlite"), mail.URI(), nil)
	fillQueue(t, []*mailtest.Env{e}, 3)
	smtp, err := courier.NewSMTP(mail.URI(), "accounts@latchkey.test", "Latchkey Test")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{Sender: smtp, sending: make(chan struct{}), release: make(chan struct{})}
	w := &courier.Worker{Store: e.Server.App.Store, Sender: g, Log: slog.New(slog.DiscardHandler)}
	fastWorker(w, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()

	<-g.sending
	cancel() // the signal arrives while the first message is on its way
	close(g.release)
	<-done
	if got := len(mail.Messages()); got != 1 {
		t.Fatalf("%d messages arrived, want the one in flight", got)
	}
	sent := 0
	for _, m := range queue(t, e) {
		if m.Status == courier.StatusSent {
			sent++
		}
	}
	if sent != 1 {
		t.Fatalf("%d messages recorded sent, want the one that arrived: %s", sent, describe(queue(t, e)))
	}
}
