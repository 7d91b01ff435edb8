package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"text/tabwriter"
)

// The identities commands are a client of the admin API, as the
// reference's are: they work against any running server.

// identity is what the commands print of an identity.
type identity struct {
	ID                  string `json:"id"`
	SchemaID            string `json:"schema_id"`
	SchemaURL           string `json:"schema_url"`
	VerifiableAddresses []struct {
		Value    string `json:"value"`
		Verified bool   `json:"verified"`
	} `json:"verifiable_addresses"`
	RecoveryAddresses []struct {
		Value string `json:"value"`
	} `json:"recovery_addresses"`
}

// printIdentities writes raw identity JSON in the chosen format.
func printIdentities(w io.Writer, rf remoteFlags, raws []json.RawMessage, list bool) error {
	if *rf.quiet {
		for _, raw := range raws {
			var i identity
			_ = json.Unmarshal(raw, &i)
			fmt.Fprintln(w, i.ID)
		}
		return nil
	}
	switch *rf.format {
	case "json", "json-pretty":
		var v any = raws
		if !list && len(raws) == 1 {
			v = raws[0]
		}
		enc := json.NewEncoder(w)
		if *rf.format == "json-pretty" {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERIFIED ADDRESS 1\tRECOVERY ADDRESS 1\tSCHEMA ID\tSCHEMA URL")
	for _, raw := range raws {
		var i identity
		if err := json.Unmarshal(raw, &i); err != nil {
			return fmt.Errorf("the server sent an identity that is not JSON: %v", err)
		}
		verified, recovery := "", ""
		for _, a := range i.VerifiableAddresses {
			if a.Verified {
				verified = a.Value
				break
			}
		}
		if len(i.RecoveryAddresses) > 0 {
			recovery = i.RecoveryAddresses[0].Value
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", i.ID, dash(verified), dash(recovery), i.SchemaID, i.SchemaURL)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func identitiesList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, true)
	page := fs.Int("page", 0, "page to list, from 0 (also the first argument)")
	perPage := fs.Int("per-page", 100, "identities per page (also the second argument)")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	switch len(positional) {
	case 0:
	case 2:
		p, err1 := strconv.Atoi(positional[0])
		pp, err2 := strconv.Atoi(positional[1])
		if err1 != nil || err2 != nil || p < 0 || pp < 1 {
			return usageError{fmt.Sprintf("page must be a whole number from 0 and per-page one from 1, got %q and %q", positional[0], positional[1])}
		}
		*page, *perPage = p, pp
	default:
		return usageError{"identities list takes no arguments, or two: <page> <per-page>"}
	}
	raw, err := rf.client().do(ctx, http.MethodGet, "identities?page="+strconv.Itoa(*page)+"&per_page="+strconv.Itoa(*perPage), nil)
	if err != nil {
		return err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("the server's identity list is not JSON: %v", err)
	}
	return printIdentities(c.stdout, rf, list, true)
}

func identitiesGet(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, true)
	ids, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return usageError{"identities get needs at least one identity id"}
	}
	var out []json.RawMessage
	for _, id := range ids {
		raw, err := rf.client().do(ctx, http.MethodGet, "identities/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
		out = append(out, raw)
	}
	return printIdentities(c.stdout, rf, out, len(ids) > 1)
}

func identitiesDelete(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, false)
	ids, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return usageError{"identities delete needs at least one identity id"}
	}
	for _, id := range ids {
		if _, err := rf.client().do(ctx, http.MethodDelete, "identities/"+url.PathEscape(id), nil); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, id)
	}
	return nil
}

// importFiles reads each argument (a JSON file with one identity or a
// list; "-" or nothing is standard input) into one list.
func importFiles(c *cli, names []string) ([]json.RawMessage, []string, error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	var all []json.RawMessage
	var from []string
	for _, f := range names {
		raw, err := readInput(f, c.stdin)
		if err != nil {
			return nil, nil, err
		}
		var many []json.RawMessage
		if json.Unmarshal(raw, &many) != nil {
			var one json.RawMessage
			if err := json.Unmarshal(raw, &one); err != nil {
				return nil, nil, fmt.Errorf("%s is not JSON: %v", displayName(f), err)
			}
			many = []json.RawMessage{one}
		}
		for k := range many {
			from = append(from, fmt.Sprintf("%s, identity %d", displayName(f), k+1))
		}
		all = append(all, many...)
	}
	return all, from, nil
}

func displayName(f string) string {
	if f == "-" {
		return "standard input"
	}
	return f
}

func identitiesImport(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, true)
	names, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	items, from, err := importFiles(c, names)
	if err != nil {
		return err
	}
	// A refused identity is reported and the rest go on: a bulk import of
	// thousands should not stop at the first duplicate. The summary counts
	// both, and any refusal makes the exit code 1.
	var created []json.RawMessage
	p := newProgress(c.stderr)
	failed := 0
	for i, item := range items {
		p.update("importing %d/%d identities, %d failed", i+1, len(items), failed)
		raw, err := rf.client().do(ctx, http.MethodPost, "identities", item)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			p.done()
			fmt.Fprintf(c.stderr, "%s: %v\n", from[i], err)
			continue
		}
		created = append(created, raw)
	}
	p.done()
	if len(items) > 1 || failed > 0 {
		fmt.Fprintf(c.stderr, "imported %d of %d identities, %d failed\n", len(created), len(items), failed)
	}
	if len(created) > 0 {
		if err := printIdentities(c.stdout, rf, created, len(created) != 1); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d identities were not imported", failed, len(items))
	}
	return nil
}
