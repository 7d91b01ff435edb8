package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/privatedb"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestDatabaseOutage stops the database under a small load of whoami,
// logins and registrations (each registration retried with its flow id
// while it answers 503, as a careful client does) and starts it again:
// every error answer is 503 with Retry-After in the reference's error
// shape, every identity and session answered 2xx exists afterwards, no
// retry meets "exists already" for its own identity, and whoami recovers
// without restarting Latchkey. The databases are private servers the test
// starts on their own ports; it runs where the shared server of the same
// dialect is configured (CI).
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		if os.Getenv(testkit.EnvPostgres) == "" {
			t.Skipf("PostgreSQL outage skipped: set %s", testkit.EnvPostgres)
		}
		outage(t, privatedb.Postgres(t))
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		if os.Getenv(testkit.EnvMySQL) == "" {
			t.Skipf("MariaDB outage skipped: set %s", testkit.EnvMySQL)
		}
		outage(t, privatedb.MariaDB(t))
	})
}

// load is what the clients saw.
type load struct {
	s      *testkit.Server
	client *http.Client
	stop   chan struct{}
	seq    atomic.Int64

	mu         sync.Mutex
	answered   *sync.Cond // on mu: broadcast after every answer is sorted
	ok         int
	unavail    int
	failures   map[string]int // what went wrong, with how often
	identities []string       // ids of identities whose registration answered 2xx
	tokens     []string       // session tokens answered 2xx
	retried    int            // registrations answered 2xx after a 503
}

func outage(t *testing.T, db *privatedb.Server) {
	logs := &logBuffer{}
	s := testkit.StartWith(t, testkit.Config(t, db.DSN, func(c *config.Config) {
		c.Log.Format = "json"
		// The load sends thousands of attempts from one address in a few
		// seconds, more the faster the flows are; the outage is measured,
		// not the throttle.
		free := 1 << 30
		c.Throttle.Address = config.ThrottleRule{Free: &free, Limit: 1 << 30}
	}), testkit.Options{Log: logs})
	const email = "outage.ada@example.org"
	token := sdk.Register(t, s, email, sdk.GoodPassword).GetSessionToken()
	l := &load{s: s, client: &http.Client{Timeout: time.Minute}, stop: make(chan struct{}), failures: map[string]int{}}
	l.answered = sync.NewCond(&l.mu)
	var wg sync.WaitGroup
	for _, work := range []func(){
		func() { l.whoami(token) }, func() { l.whoami(token) },
		func() { l.login(email) },
		l.register, l.register,
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				work()
			}
		}()
	}
	l.waitFor(t, func() bool { return l.ok >= 20 }, "20 answers before the outage")

	db.Stop()
	before := l.count()
	l.waitFor(t, func() bool { return l.unavail >= 20 }, "20 answers while the database is down")
	db.Start()
	// Recovery without restarting Latchkey: whoami with the token of
	// before the outage answers 200 again, within the pool's retry.
	deadline := time.Now().Add(30 * time.Second)
	for sdk.WhoamiStatus(t, s, token) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("whoami did not recover within 30s of the database starting")
		}
		time.Sleep(20 * time.Millisecond)
	}
	after := l.count()
	l.waitFor(t, func() bool { return l.ok >= after+20 }, "20 answers after the restart")
	close(l.stop)
	wg.Wait()

	l.mu.Lock()
	defer l.mu.Unlock()
	t.Logf("%d answers 2xx, %d answers 503 (%d 2xx before the stop), %d registrations (%d after a 503)", l.ok, l.unavail, before, len(l.identities), l.retried)
	for f, n := range l.failures {
		t.Errorf("%d× %s", n, f)
	}
	if len(l.failures) > 0 {
		causes := map[string]int{}
		for _, m := range logs.lines(t) {
			if e, ok := m["error"].(string); ok {
				causes[e]++
			}
		}
		for e, n := range causes {
			t.Logf("logged %d×: %s", n, e)
		}
	}
	for _, id := range l.identities {
		if r := sdk.Do(t, http.MethodGet, s.AdminURL+"identities/"+id, "", nil); r.Status != http.StatusOK {
			t.Errorf("identity %s, answered 2xx at registration, is gone: %d %s", id, r.Status, r.Body)
		}
	}
	for _, tok := range l.tokens {
		if code := sdk.WhoamiStatus(t, s, tok); code != http.StatusOK {
			t.Errorf("a session answered 2xx is gone: whoami %d", code)
		}
	}
}

// fail records a failure; l.mu is held.
func (l *load) fail(what string) { l.failures[what]++ }

func (l *load) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ok
}

// waitFor waits, for a minute at most, until cond (called under l.mu)
// holds: it is checked again each time the load sorts an answer.
func (l *load) waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	timedOut := false
	timer := time.AfterFunc(time.Minute, func() {
		l.mu.Lock()
		timedOut = true
		l.answered.Broadcast()
		l.mu.Unlock()
	})
	defer timer.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for !cond() {
		if timedOut {
			close(l.stop)
			t.Fatalf("no %s; failures: %v", what, l.failures)
		}
		l.answered.Wait()
	}
}

// do sends a request and sorts its answer: 2xx, 503 in the error shape
// with Retry-After, or a failure. It returns the status (0 when there was
// no answer) and the body.
func (l *load) do(what, method, path string, body any, headers ...string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, l.s.PublicURL+path, rd)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := l.client.Do(req)
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.answered.Broadcast()
	if err != nil {
		l.fail(fmt.Sprintf("%s: no answer: %v", what, err))
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	switch {
	case res.StatusCode/100 == 2:
		l.ok++
	case res.StatusCode == http.StatusServiceUnavailable:
		l.unavail++
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error.Code != 503 || e.Error.Status == "" || e.Error.Message == "" {
			l.fail(fmt.Sprintf("%s: 503 not in the error shape: %s", what, b))
		}
		if res.Header.Get("Retry-After") == "" {
			l.fail(fmt.Sprintf("%s: 503 without Retry-After", what))
		}
	default:
		l.fail(fmt.Sprintf("%s: %d %s", what, res.StatusCode, b))
	}
	return res.StatusCode, b
}

func (l *load) whoami(token string) {
	l.do("whoami", http.MethodGet, "sessions/whoami", nil, "X-Session-Token", token)
}

func (l *load) login(email string) {
	code, b := l.do("init login", http.MethodGet, "self-service/login/api", nil)
	if code != http.StatusOK {
		return
	}
	var f struct{ ID string }
	_ = json.Unmarshal(b, &f)
	code, b = l.do("login", http.MethodPost, "self-service/login?flow="+f.ID,
		map[string]string{"method": "password", "password_identifier": email, "password": sdk.GoodPassword})
	l.keep(code, b, "")
}

// register signs a new person up and, while the submission answers 503,
// sends it again with the same flow, as the answer invites.
func (l *load) register() {
	code, b := l.do("init registration", http.MethodGet, "self-service/registration/api", nil)
	if code != http.StatusOK {
		return
	}
	var f struct{ ID string }
	_ = json.Unmarshal(b, &f)
	email := fmt.Sprintf("outage-%d@example.org", l.seq.Add(1))
	body := map[string]any{"method": "password", "password": sdk.GoodPassword, "traits": map[string]any{"email": email}}
	try := 0
	for ; try < 1000; try++ {
		code, b = l.do("registration", http.MethodPost, "self-service/registration?flow="+f.ID, body)
		if code != http.StatusServiceUnavailable {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if try > 0 && code/100 == 2 {
		l.mu.Lock()
		l.retried++
		l.mu.Unlock()
	}
	l.keep(code, b, email)
}

// keep records the identity and session a 2xx answer gave.
func (l *load) keep(code int, b []byte, email string) {
	if code/100 != 2 {
		return
	}
	var out struct {
		SessionToken string `json:"session_token"`
		Identity     struct {
			ID     string
			Traits struct{ Email string }
		}
		Session struct {
			Identity struct{ ID string }
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := json.Unmarshal(b, &out); err != nil || out.SessionToken == "" {
		l.fail(fmt.Sprintf("2xx without a session: %s", b))
		return
	}
	l.tokens = append(l.tokens, out.SessionToken)
	if email != "" {
		if out.Identity.Traits.Email != email {
			l.fail(fmt.Sprintf("registration of %s answered another identity: %s", email, b))
		}
		l.identities = append(l.identities, out.Identity.ID)
	}
}
