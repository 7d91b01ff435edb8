package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// identities is a small client of the admin API, for scripts and operators.
func identities(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"usage: latchkey identities list|get|delete|import [--endpoint URL] ..."}
	}
	verb := args[0]
	fs := newFlags("identities "+verb, stderr)
	endpoint := fs.String("endpoint", getenv("KRATOS_ADMIN_URL"), "admin API base URL (default $KRATOS_ADMIN_URL or http://127.0.0.1:4434/)")
	page := fs.Int("page", 0, "page to list (list)")
	perPage := fs.Int("per-page", 100, "identities per page (list)")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	base := *endpoint
	if base == "" {
		base = "http://127.0.0.1:4434/"
	}
	c := adminClient{base: strings.TrimSuffix(base, "/") + "/", http: &http.Client{Timeout: 30 * time.Second}}
	switch verb {
	case "list":
		return c.call(ctx, http.MethodGet, "identities?page="+strconv.Itoa(*page)+"&per_page="+strconv.Itoa(*perPage), nil, stdout)
	case "get", "delete":
		if len(positional) == 0 {
			return usageError{"identities " + verb + " needs at least one identity id"}
		}
		method := http.MethodGet
		if verb == "delete" {
			method = http.MethodDelete
		}
		for _, id := range positional {
			if err := c.call(ctx, method, "identities/"+url.PathEscape(id), nil, stdout); err != nil {
				return err
			}
			if verb == "delete" {
				fmt.Fprintf(stdout, "deleted %s\n", id)
			}
		}
		return nil
	case "import":
		// Each argument is a JSON file with one identity or a list; "-" or
		// nothing reads standard input.
		if len(positional) == 0 {
			positional = []string{"-"}
		}
		for _, f := range positional {
			raw, err := readInput(f, stdin)
			if err != nil {
				return err
			}
			var many []json.RawMessage
			if json.Unmarshal(raw, &many) != nil {
				many = []json.RawMessage{raw}
			}
			for _, one := range many {
				if err := c.call(ctx, http.MethodPost, "identities", one, stdout); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown identities command %q: use list, get, delete or import", verb)}
}

func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(name)
}

type adminClient struct {
	base string
	http *http.Client
}

func (c adminClient) call(ctx context.Context, method, path string, body []byte, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Reason  string `json:"reason"`
			} `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return fmt.Errorf("%s %s: %s: %s %s", method, path, resp.Status, e.Error.Message, e.Error.Reason)
	}
	if len(raw) == 0 {
		return nil
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, raw, "", "  ") == nil {
		raw = pretty.Bytes()
	}
	_, err = fmt.Fprintf(out, "%s\n", bytes.TrimSpace(raw))
	return err
}
