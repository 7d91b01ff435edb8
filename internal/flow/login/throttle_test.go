package login_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// Message ids of a sign-in answer.
const (
	invalidCredentials = 4000006
	tooManyAttempts    = 4009001
)

// behindProxy trusts the loopback peer, so each test request may name its
// client address in X-Forwarded-For, as a load balancer would.
func behindProxy(limit int, delay time.Duration) func(*config.Config) {
	return func(c *config.Config) {
		c.Serve.Public.TrustedProxies = []string{"127.0.0.1/32", "::1"}
		d := config.Duration(delay)
		c.Throttle.Identifier = config.ThrottleRule{Limit: limit, Window: config.Duration(15 * time.Minute), Delay: &d}
	}
}

// tryFrom submits a password login from a client address.
func tryFrom(t *testing.T, s *testkit.Server, addr, identifier, password string) sdk.Response {
	t.Helper()
	return submit(t, s, "application/json", credentials(t, identifier, password), "X-Forwarded-For", addr)
}

// messageOf classifies a refused login: wrong credentials (the password
// was compared) or throttled (it was not).
func messageOf(t *testing.T, r sdk.Response) int64 {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 with the flow; body %s", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	switch {
	case f.HasMessage(tooManyAttempts):
		return tooManyAttempts
	case f.HasMessage(invalidCredentials):
		return invalidCredentials
	}
	t.Fatalf("messages %v, want %d or %d", f.MessageIDs(), invalidCredentials, tooManyAttempts)
	return 0
}

// TestParallelWrongPasswordsEvaluateAtMostTheLimit: 50 wrong passwords for
// one identifier, sent at once to two instances sharing one database,
// compare at most the limit's worth of passwords; none fails with a
// database error (MariaDB deadlocked here before); and afterwards the
// attacker's address is refused even the right password while the owner,
// from another address, signs in.
func TestParallelWrongPasswordsEvaluateAtMostTheLimit(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		const limit = 10
		cfg := testkit.Config(t, dsn, behindProxy(limit, 0))
		a, b := testkit.Start(t, cfg), testkit.Start(t, cfg)
		sdk.Register(t, a, "owner@example.com", sdk.GoodPassword)

		flows := make([]sdk.Flow, 50)
		for k := range flows {
			flows[k] = sdk.Init(t, a, "login")
		}
		var wg sync.WaitGroup
		results := make([]sdk.Response, len(flows))
		for k := range flows {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := a
				if k%2 == 1 {
					s = b
				}
				results[k] = sdk.Submit(t, s, "login", flows[k].ID, "application/json",
					credentials(t, "owner@example.com", "wrong password"), "X-Forwarded-For", "198.51.100.66")
			}()
		}
		wg.Wait()
		evaluated := 0
		for _, r := range results {
			if messageOf(t, r) == invalidCredentials {
				evaluated++
			}
		}
		if evaluated > limit || evaluated == 0 {
			t.Fatalf("%d of 50 parallel wrong passwords were compared, want 1..%d", evaluated, limit)
		}
		if got := messageOf(t, tryFrom(t, b, "198.51.100.66", "owner@example.com", sdk.GoodPassword)); got != tooManyAttempts && evaluated == limit {
			t.Errorf("the attacker's address with the right password: message %d, want %d", got, tooManyAttempts)
		}
		if r := tryFrom(t, a, "203.0.113.10", "owner@example.com", sdk.GoodPassword); r.Status != http.StatusOK {
			t.Errorf("the owner from their own address: status %d, body %s", r.Status, r.Body)
		}
	})
}

// TestAttackerThrottledOwnerSignsIn: a script hammering one account from one
// address is refused, with the wait in the message's context, while the
// owner signs in from another; an unknown identifier is refused alike; a
// spoofed X-Forwarded-For from an untrusted peer does not give the attacker
// a fresh address.
func TestAttackerThrottledOwnerSignsIn(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		s := testkit.Start(t, testkit.Config(t, dsn, behindProxy(10, 0)))
		sdk.Register(t, s, "owner@example.com", sdk.GoodPassword)
		for _, who := range []string{"owner@example.com", "nobody@example.com"} {
			for k := 0; k < 10; k++ {
				if got := messageOf(t, tryFrom(t, s, "198.51.100.7", who, "guess")); got != invalidCredentials {
					t.Fatalf("attempt %d for %s: message %d, want %d", k+1, who, got, invalidCredentials)
				}
			}
			r := tryFrom(t, s, "198.51.100.7", who, sdk.GoodPassword)
			if messageOf(t, r) != tooManyAttempts {
				t.Fatalf("%s after the limit: not throttled", who)
			}
			f := sdk.DecodeFlow(t, r.Body)
			for _, m := range f.UI.Messages {
				if m.ID == tooManyAttempts {
					w, _ := m.Context["wait_seconds"].(float64)
					if w < 1 || w > 15*60 {
						t.Errorf("wait_seconds = %v, want 1..900", m.Context["wait_seconds"])
					}
					if got, want := r.Header.Get("Retry-After"), strconv.Itoa(int(w)); got != want {
						t.Errorf("Retry-After %q, want %q (wait_seconds)", got, want)
					}
				}
			}
		}
		if r := tryFrom(t, s, "203.0.113.10", "OWNER@example.com", sdk.GoodPassword); r.Status != http.StatusOK {
			t.Fatalf("owner from another address: status %d, body %s", r.Status, r.Body)
		}

		// Without trusted proxies the header is the client's own word.
		direct := testkit.Start(t, testkit.Config(t, dsn, func(c *config.Config) {
			d := config.Duration(0)
			c.Throttle.Identifier = config.ThrottleRule{Limit: 3, Window: config.Duration(time.Hour), Delay: &d}
		}))
		for k := 0; k < 3; k++ {
			tryFrom(t, direct, "192.0.2.1", "owner@example.com", "guess")
		}
		if got := messageOf(t, tryFrom(t, direct, "192.0.2.99", "owner@example.com", sdk.GoodPassword)); got != tooManyAttempts {
			t.Errorf("a spoofed X-Forwarded-For from an untrusted peer escaped the throttle (message %d)", got)
		}
		forwarded := submit(t, direct, "application/json", credentials(t, "owner@example.com", sdk.GoodPassword), "Forwarded", "for=192.0.2.98")
		if got := messageOf(t, forwarded); got != tooManyAttempts {
			t.Errorf("a spoofed Forwarded from an untrusted peer escaped the throttle (message %d)", got)
		}
	})
}

// TestProgressiveDelay: past the free attempts each one must wait, the
// refusal says how long, and after that wait (the clock moved, no sleep)
// the attempt is compared again; a success forgets the failures.
func TestProgressiveDelay(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		free, d := 2, config.Duration(4*time.Second)
		c.Throttle.Identifier = config.ThrottleRule{Free: &free, Limit: 5, Window: config.Duration(15 * time.Minute), Delay: &d}
	})
	s := testkit.StartWith(t, cfg, testkit.Options{Now: clock})
	sdk.Register(t, s, "slow@example.com", sdk.GoodPassword)
	for k := 0; k < 2; k++ {
		if got := messageOf(t, tryFrom(t, s, "", "slow@example.com", "typo")); got != invalidCredentials {
			t.Fatalf("free attempt %d: %d", k+1, got)
		}
	}
	r := tryFrom(t, s, "", "slow@example.com", "typo")
	if messageOf(t, r) != tooManyAttempts {
		t.Fatal("third attempt at once was not delayed")
	}
	if got := r.Header.Get("Retry-After"); got != "4" {
		t.Errorf("delayed attempt: Retry-After %q, want 4", got)
	}
	advance(4 * time.Second)
	r = tryFrom(t, s, "", "slow@example.com", "typo")
	if got := messageOf(t, r); got != invalidCredentials {
		t.Fatalf("after the wait: %d, want the password compared", got)
	}
	if got := r.Header.Get("Retry-After"); got != "" {
		t.Errorf("an attempt that was compared: Retry-After %q, want none", got)
	}
	// The next one waits 8 s more (12 s into the window).
	advance(4 * time.Second)
	if got := messageOf(t, tryFrom(t, s, "", "slow@example.com", sdk.GoodPassword)); got != tooManyAttempts {
		t.Fatal("fourth attempt before its delay was not refused")
	}
	advance(4 * time.Second)
	if r := tryFrom(t, s, "", "slow@example.com", sdk.GoodPassword); r.Status != http.StatusOK {
		t.Fatalf("after the delay the right password: %d %s", r.Status, r.Body)
	}
	for k := 0; k < 2; k++ {
		if got := messageOf(t, tryFrom(t, s, "", "slow@example.com", "typo")); got != invalidCredentials {
			t.Fatalf("after a success, free attempt %d: %d", k+1, got)
		}
	}
}
