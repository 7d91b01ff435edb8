package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// remoteFlags are the flags of every command that talks to a running
// server: --endpoint, and the output format.
type remoteFlags struct {
	endpoint *string
	format   *string
	quiet    *bool
}

func (c *cli) remoteFlags(fs *flag.FlagSet, withOutput bool) remoteFlags {
	def := c.getenv("KRATOS_ADMIN_ENDPOINT")
	if def == "" {
		def = c.getenv("KRATOS_ADMIN_URL")
	}
	if def == "" {
		def = "http://127.0.0.1:4434/"
	}
	rf := remoteFlags{endpoint: fs.String("endpoint", def, "the admin API's base URL ($KRATOS_ADMIN_ENDPOINT or $KRATOS_ADMIN_URL)")}
	fs.StringVar(rf.endpoint, "e", def, "same as --endpoint")
	if withOutput {
		rf.format = fs.String("format", "table", "output format: table, json or json-pretty")
		fs.StringVar(rf.format, "f", "table", "same as --format")
		rf.quiet = fs.Bool("quiet", false, "print only ids, one per line")
		fs.BoolVar(rf.quiet, "q", false, "same as --quiet")
	}
	return rf
}

func (rf remoteFlags) check() error {
	if rf.format != nil {
		switch *rf.format {
		case "table", "default", "json", "json-pretty":
		default:
			return usageError{fmt.Sprintf("--format %q is not one of table, json or json-pretty", *rf.format)}
		}
	}
	return nil
}

func (rf remoteFlags) client() adminClient {
	return adminClient{base: strings.TrimSuffix(*rf.endpoint, "/") + "/", http: &http.Client{Timeout: 30 * time.Second}}
}

type adminClient struct {
	base string
	http *http.Client
}

// apiError is an error answer of the server, with its status.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return e.Message }

// do sends one request and returns the body of a 2xx answer. A server that
// is not there is named as such, not as a transport error.
func (c adminClient) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s is not a usable endpoint: %v", c.base, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.unreachable(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("the server at %s broke off its answer: %v", c.base, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Reason  string `json:"reason"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		msg := strings.TrimSpace(strings.TrimSuffix(e.Error.Message, ".") + ". " + e.Error.Reason)
		if e.Error.Message == "" {
			msg = strings.TrimSpace(string(raw))
		}
		return nil, &apiError{Status: resp.StatusCode, Message: fmt.Sprintf("the server answered %s to %s %s: %s", resp.Status, method, "/"+path, msg)}
	}
	return raw, nil
}

func (c adminClient) unreachable(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("the server at %s is down: nothing is listening there (is Latchkey running, and is --endpoint right?)", c.base)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("the server at %s did not answer in time", c.base)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("the server at %s cannot be found: %s is not a known host", c.base, dnsErr.Name)
	}
	return fmt.Errorf("the server at %s cannot be reached: %v", c.base, err)
}

func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", name, errors.Unwrap(err))
	}
	return b, nil
}
