package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// identitiesValidate checks identity files before an import: each must be
// an identity object whose traits match its schema, fetched from the
// server as the import would use it.
func identitiesValidate(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, false)
	names, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usageError{"identities validate needs at least one file (- for standard input)"}
	}
	items, from, err := importFiles(c, names)
	if err != nil {
		return err
	}
	schemas := map[string]*jsonschema.Schema{}
	bad := 0
	for i, item := range items {
		problem, err := validateIdentity(ctx, rf.client(), schemas, item)
		if err != nil {
			return err
		}
		if problem != "" {
			bad++
			fmt.Fprintf(c.stderr, "%s: %s\n", from[i], problem)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d identities are not valid", bad, len(items))
	}
	fmt.Fprintf(c.stdout, "All %d identities are valid.\n", len(items))
	return nil
}

func validateIdentity(ctx context.Context, client adminClient, schemas map[string]*jsonschema.Schema, item json.RawMessage) (string, error) {
	var body struct {
		SchemaID string          `json:"schema_id"`
		Traits   json.RawMessage `json:"traits"`
	}
	dec := json.NewDecoder(bytes.NewReader(item))
	if err := dec.Decode(&body); err != nil {
		return "it is not an identity object: " + err.Error(), nil
	}
	if len(body.Traits) == 0 || string(body.Traits) == "null" {
		return "it has no traits", nil
	}
	if body.SchemaID == "" {
		body.SchemaID = "default"
	}
	s, ok := schemas[body.SchemaID]
	if !ok {
		raw, err := client.do(ctx, http.MethodGet, "schemas/"+url.PathEscape(body.SchemaID), nil)
		if ae, isAPI := err.(*apiError); isAPI && ae.Status == http.StatusNotFound {
			return fmt.Sprintf("the server has no identity schema %q", body.SchemaID), nil
		} else if err != nil {
			return "", err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return "", fmt.Errorf("the server's schema %q is not JSON: %v", body.SchemaID, err)
		}
		comp := jsonschema.NewCompiler()
		comp.DefaultDraft(jsonschema.Draft7)
		if err := comp.AddResource("schema.json", doc); err != nil {
			return "", err
		}
		if s, err = comp.Compile("schema.json"); err != nil {
			return "", fmt.Errorf("the server's schema %q does not compile: %v", body.SchemaID, err)
		}
		schemas[body.SchemaID] = s
	}
	traits, err := jsonschema.UnmarshalJSON(bytes.NewReader(body.Traits))
	if err != nil {
		return "its traits are not JSON: " + err.Error(), nil
	}
	// The identity schema describes the whole identity; traits sit under
	// properties.traits, as the reference's schemas are written.
	if err := s.Validate(map[string]any{"traits": traits}); err != nil {
		// The first line names the compiler's resource, not the user's data.
		msg := err.Error()
		if _, rest, ok := strings.Cut(msg, "\n"); ok {
			msg = rest
		}
		return "its traits do not match schema " + body.SchemaID + ": " + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(msg, "\n", "; "), "- at ", "at ")), nil
	}
	return "", nil
}
