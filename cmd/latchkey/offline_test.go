package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/testkit"
)

// The offline tests run `serve --dev` inside a network namespace of their
// own in which every address is local: whatever Latchkey tries to reach,
// a name server or any host, lands on a trap the test listens with, so a
// single attempt to go out is seen rather than merely failing.
const offlineNetns = "LATCHKEY_OFFLINE_NETNS"

// netnsSetup makes every IPv4 and IPv6 address a local one in the new
// namespace, then runs the test binary again inside it.
const netnsSetup = `ip link set lo up &&
ip route add local 0.0.0.0/0 dev lo table local &&
{ ip -6 route add local ::/0 dev lo table local 2>/dev/null || true; } &&
exec "$@"`

// TestServeDevNeverDialsOut: a newcomer without a network signs up,
// receives the verification mail in the dev mailbox and signs in, and
// Latchkey asks no name server and connects to no host on the way.
func TestServeDevNeverDialsOut(t *testing.T) {
	if os.Getenv(offlineNetns) == "" {
		reexecInNetns(t, "TestServeDevNeverDialsOut")
		return
	}
	trap := setTrap(t)
	journey(t, nil)
	if hits := trap.hits(); len(hits) > 0 {
		t.Errorf("serve --dev went out to the network: %v", hits)
	}
}

// TestOfflineTrapSeesABreachCheck shows the trap above can fail: asked
// explicitly for the breached-password service, dev mode looks it up, and
// the trap sees the name server asked.
func TestOfflineTrapSeesABreachCheck(t *testing.T) {
	if os.Getenv(offlineNetns) == "" {
		reexecInNetns(t, "TestOfflineTrapSeesABreachCheck")
		return
	}
	trap := setTrap(t)
	journey(t, map[string]string{"SELFSERVICE_METHODS_PASSWORD_CONFIG_HAVEIBEENPWNED_HOST": "api.pwnedpasswords.com"})
	if len(trap.hits()) == 0 {
		t.Error("the breach check was configured, yet the trap saw nothing go out")
	}
}

// reexecInNetns runs the named test again, alone, in a new network
// namespace, and fails with its output if it fails there.
func reexecInNetns(t *testing.T, name string) {
	t.Parallel()
	for _, tool := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the offline test needs a network namespace", tool)
		}
	}
	if err := exec.Command("unshare", "-n", "true").Run(); err != nil {
		t.Skipf("cannot make a network namespace here (unshare -n: %v); run the tests as root", err)
	}
	cmd := exec.Command("unshare", "-n", "--", "sh", "-c", netnsSetup, "sh",
		os.Args[0], "-test.run=^"+name+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), offlineNetns+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+name)) {
		t.Fatalf("inside the network namespace (%v):\n%s", err, out)
	}
}

// trap records every packet and connection that reaches it.
type trap struct {
	mu  sync.Mutex
	got []string
}

func (tr *trap) record(what string) {
	tr.mu.Lock()
	tr.got = append(tr.got, what)
	tr.mu.Unlock()
}

func (tr *trap) hits() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.got...)
}

// setTrap listens where anything leaving would go first: the name
// server's port, and the ports of the web and of mail.
func setTrap(t *testing.T) *trap {
	tr := &trap{}
	dns, err := net.ListenPacket("udp", ":53")
	if err != nil {
		t.Fatalf("trap for name lookups: %v", err)
	}
	t.Cleanup(func() { dns.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := dns.ReadFrom(buf)
			if err != nil {
				return
			}
			tr.record(fmt.Sprintf("a name lookup from %s (%d bytes)", from, n))
		}
	}()
	for _, port := range []string{"53", "80", "443", "25", "465", "587"} {
		l, err := net.Listen("tcp", ":"+port)
		if err != nil {
			t.Fatalf("trap on port %s: %v", port, err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				tr.record("a connection to " + c.LocalAddr().String())
				c.Close()
			}
		}()
	}
	return tr
}

// journey runs `serve --dev` and goes through what a newcomer does first:
// the home page, sign-up with a password, the verification mail in the
// dev mailbox, sign-in.
func journey(t *testing.T, vars map[string]string) {
	ports := freePorts(t, 2)
	pub, adm := ports[0], ports[1]
	env := map[string]string{"DSN": testkit.NewDatabase(t, "sqlite"), "SERVE_PUBLIC_PORT": pub, "SERVE_ADMIN_PORT": adm}
	for k, v := range vars {
		env[k] = v
	}
	s := startServe(env, "serve", "--dev")
	base := "http://127.0.0.1:" + pub + "/"
	if code := s.waitReady(t, base+"health/ready"); code != -1 {
		t.Fatalf("serve --dev exited with %d: %s", code, s.stderr)
	}
	defer func() {
		s.cancel()
		<-s.done
	}()

	if code, _ := call(t, "GET", base, ""); code != http.StatusOK {
		t.Fatalf("home page: %d", code)
	}
	email := "offline@example.com"
	_, flow := call(t, "GET", base+"self-service/registration/api", "")
	code, body := call(t, "POST", base+"self-service/registration?flow="+flow["id"].(string),
		`{"method":"password","traits":{"email":"`+email+`"},"password":"maple syrup over granite 42"}`)
	if code != http.StatusOK {
		t.Fatalf("sign-up: %d %v", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "ui/dev/mail")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(page), email) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the verification mail never reached the dev mailbox:\n%s", s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, flow = call(t, "GET", base+"self-service/login/api", "")
	code, body = call(t, "POST", base+"self-service/login?flow="+flow["id"].(string),
		`{"method":"password","password_identifier":"`+email+`","password":"maple syrup over granite 42"}`)
	if code != http.StatusOK || body["session_token"] == nil {
		t.Fatalf("sign-in: %d %v", code, body)
	}
}

// call sends a JSON request and decodes the JSON answer.
func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
