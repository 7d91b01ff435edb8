package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
)

// -server-cmd measures another server with the reference's command line
// (Kratos v0.6.3, or latchkey itself as a check of this path) set up the
// way its documentation asks: a config file with an identity schema,
// `migrate sql -e --yes -c CFG`, `serve -c CFG`. Its sessions come from
// api registrations (the session hook answers a token), since its tables
// are its own business; argon2 is made cheap so that this takes seconds.

const serverCmdSchema = `{
  "$id": "https://example.com/bench.schema.json",
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Person",
  "type": "object",
  "properties": {
    "traits": {
      "type": "object",
      "properties": {
        "email": {
          "type": "string",
          "format": "email",
          "ory.sh/kratos": {
            "credentials": {"password": {"identifier": true}},
            "verification": {"via": "email"},
            "recovery": {"via": "email"}
          }
        }
      },
      "required": ["email"],
      "additionalProperties": false
    }
  }
}
`

const serverCmdConfig = `identity:
  default_schema_url: file://%s
selfservice:
  default_browser_return_url: http://127.0.0.1/
  methods:
    password:
      enabled: true
      config:
        haveibeenpwned_enabled: false
  flows:
    registration:
      after:
        password:
          hooks:
            - hook: session
hashers:
  argon2:
    memory: 1MB
    iterations: 1
    parallelism: 1
    salt_length: 16
    key_length: 16
courier:
  smtp:
    connection_uri: smtp://127.0.0.1:1/
`

func startServerCmd(ctx context.Context, o options, tmp string) (_ *target, err error) {
	name := "server-cmd-" + o.serverDB
	dir := filepath.Join(tmp, "server-cmd")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	schema := filepath.Join(dir, "identity.schema.json")
	if err := os.WriteFile(schema, []byte(serverCmdSchema), 0o644); err != nil {
		return nil, err
	}
	extra := ""
	if o.serverConfig != "" {
		b, err := os.ReadFile(o.serverConfig)
		if err != nil {
			return nil, err
		}
		extra = string(b)
	}
	inst, err := harness.Prepare(ctx, harness.Setup{
		Prog: "whoami", DB: o.serverDB, Tmp: dir, Bin: o.serverCmd, DBPrefix: "lk_bench_cmd_",
		Config: fmt.Sprintf(serverCmdConfig, schema) + extra,
	})
	if err != nil {
		return nil, err
	}
	t := &target{name: name, cleanup: []func(){inst.Drop}}
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	if t.child, err = inst.Serve(o.serverCmd); err != nil {
		return nil, err
	}
	if err := t.child.WaitReady(ctx, inst.PublicURL+"health/ready"); err != nil {
		return nil, err
	}
	t.startup, t.startCPU = t.child.Ready.Wall, t.child.Ready.CPU
	t1 := time.Now()
	if t.tokens, err = registerSessions(ctx, inst.PublicURL, o.identities); err != nil {
		return nil, err
	}
	t.fill = time.Since(t1)
	t.url = inst.PublicURL + "sessions/whoami"
	if err := t.ready(tmp); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "whoami: %s ready in %s (pid %d, %d sessions registered in %s)\n",
		name, t.startup.Round(time.Millisecond), t.child.PID(), len(t.tokens), t.fill.Round(time.Millisecond))
	return t, nil
}

// registerSessions signs up n users through api registration flows, 8 at
// a time, and returns their session tokens.
func registerSessions(ctx context.Context, publicURL string, n int) ([]string, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	do := func(method, url string, body any) ([]byte, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(ctx, method, url, rd)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(raw))
		}
		return raw, nil
	}
	tokens := make([]string, n)
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				raw, err := do(http.MethodGet, publicURL+"self-service/registration/api", nil)
				var f struct {
					ID string `json:"id"`
				}
				if err == nil {
					err = json.Unmarshal(raw, &f)
				}
				if err == nil {
					raw, err = do(http.MethodPost, publicURL+"self-service/registration?flow="+f.ID, map[string]any{
						"method": "password", "password": "Bench-v7#Qz9!kp",
						"traits": map[string]any{"email": fmt.Sprintf("bench-%06d@example.com", k)},
					})
				}
				var s struct {
					Token string `json:"session_token"`
				}
				if err == nil {
					if err = json.Unmarshal(raw, &s); err == nil && s.Token == "" {
						err = fmt.Errorf("registration answered no session_token: %s", strings.TrimSpace(string(raw)))
					}
				}
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				tokens[k] = s.Token
				mu.Unlock()
			}
		}()
	}
	for k := range n {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return tokens, first
}
