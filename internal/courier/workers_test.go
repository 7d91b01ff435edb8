package courier_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

const queued = 30

// fillQueue asks for recovery for n addresses nobody uses (each a notice
// mail) and returns the addresses.
func fillQueue(t *testing.T, envs []*mailtest.Env, n int) []string {
	t.Helper()
	var addrs []string
	for k := range n {
		addr := fmt.Sprintf("user%02d@example.com", k)
		if status, body := requestRecovery(t, envs[k%len(envs)], addr); status != http.StatusOK {
			t.Fatalf("recovery for %s: %d %s", addr, status, body)
		}
		addrs = append(addrs, addr)
	}
	return addrs
}

// wantEachOnce checks every queued message arrived exactly once (by
// Message-ID), to the right address, and is recorded as sent after one
// attempt.
func wantEachOnce(t *testing.T, e *mailtest.Env, mail *mailtest.Server, addrs []string) {
	t.Helper()
	rows := queue(t, e)
	if len(rows) != len(addrs) {
		t.Fatalf("%d rows in the queue, want %d", len(rows), len(addrs))
	}
	byID := map[string]courier.Message{}
	for _, m := range rows {
		byID[m.ID.String()+"@latchkey"] = m
		if m.Status != courier.StatusSent || m.Attempts != 1 {
			t.Errorf("message to %s: %s after %d attempts, want sent after 1", m.Recipient, m.Status, m.Attempts)
		}
	}
	seen := map[string]int{}
	for _, m := range mail.Messages() {
		seen[m.MessageID]++
		row, ok := byID[m.MessageID]
		if !ok {
			t.Errorf("received Message-ID %q that is not in the queue", m.MessageID)
			continue
		}
		if !m.SentTo(row.Recipient) || len(m.To) != 1 {
			t.Errorf("message %s went to %v, want %s", m.MessageID, m.To, row.Recipient)
		}
	}
	var dup []string
	for id, n := range seen {
		if n != 1 {
			dup = append(dup, fmt.Sprintf("%s ×%d", id, n))
		}
	}
	sort.Strings(dup)
	if len(dup) > 0 || len(seen) != len(addrs) {
		t.Errorf("%d distinct messages arrived (want %d); sent more than once: %v", len(seen), len(addrs), dup)
	}
}

// TestWorkersSendEachOnce: three workers on one database, started on a
// full queue, send each of 30 messages exactly once, on every dialect.
func TestWorkersSendEachOnce(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		mail := mailtest.Start(t, mailtest.Options{})
		e := startQuiet(t, dsn, mail.URI(), nil)
		addrs := fillQueue(t, []*mailtest.Env{e}, queued)
		if got := queue(t, e); len(got) != queued || got[0].Status != courier.StatusQueued {
			t.Fatalf("before any worker runs the queue is %s", describe(got))
		}

		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 3 {
			sender, err := courier.NewSMTP(mail.URI(), "accounts@latchkey.test", "Latchkey Test")
			if err != nil {
				t.Fatal(err)
			}
			w := &courier.Worker{Store: e.Server.App.Store, Sender: sender, Log: slog.New(slog.DiscardHandler), Batch: 4}
			fastWorker(w, 10)
			wg.Go(func() { w.Run(ctx) })
		}
		waitQueue(t, e, "marked every message sent", func(ms []courier.Message) bool {
			for _, m := range ms {
				if m.Status != courier.StatusSent {
					return false
				}
			}
			return len(ms) == queued
		})
		// Stop the workers before counting: a second send of a message
		// would be in flight or recorded by now.
		cancel()
		wg.Wait()
		wantEachOnce(t, e, mail, addrs)
	})
}

// TestInstancesSendEachOnce: two Latchkey instances on one database, each
// running the courier inside serve and taking half of the requests, send
// each message exactly once.
func TestInstancesSendEachOnce(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		mail := mailtest.Start(t, mailtest.Options{})
		a := mailtest.NewEnv(t, testkit.Start(t, mailtest.Config(t, dsn, mail.URI(), nil)), mail)
		b := mailtest.NewEnv(t, testkit.Start(t, mailtest.Config(t, dsn, mail.URI(), nil)), mail)
		addrs := fillQueue(t, []*mailtest.Env{a, b}, queued)
		mail.WaitCount(t, queued)
		waitQueue(t, a, "marked every message sent", func(ms []courier.Message) bool {
			for _, m := range ms {
				if m.Status != courier.StatusSent {
					return false
				}
			}
			return len(ms) == queued
		})
		// Stop both instances before counting: once their couriers have
		// returned, a second send of a message would have reached the
		// SMTP server.
		a.Server.Stop()
		b.Server.Stop()
		wantEachOnce(t, a, mail, addrs)
	})
}
