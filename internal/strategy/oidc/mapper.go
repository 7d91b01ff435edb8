package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-jsonnet"

	"github.com/latchkey/latchkey/internal/urlfile"
)

// Mapper is a provider's Jsonnet program: it gets the claims as the
// external variable "claims" and returns {identity: {traits: {...}}}.
type Mapper struct {
	name string
	src  string
}

// LoadMapper reads and parses a mapper (file://, base64://, http(s)://),
// so a broken one stops the server at start, not a user at sign-up.
func LoadMapper(ctx context.Context, rawURL string) (*Mapper, error) {
	src, err := urlfile.Read(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	if _, err := jsonnet.SnippetToAST(rawURL, string(src)); err != nil {
		return nil, fmt.Errorf("not valid Jsonnet: %v", err)
	}
	return &Mapper{name: rawURL, src: string(src)}, nil
}

// ErrMapper is a mapper that failed at run time (for example it read a
// claim the provider did not send).
var ErrMapper = errors.New("the provider's Jsonnet mapper failed")

// Traits runs the mapper. Imports are refused: a mapper reads claims, not
// the server's files. A result without identity.traits maps to {}.
func (m *Mapper) Traits(claims Claims) (map[string]any, error) {
	cj, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	vm := jsonnet.MakeVM()
	vm.Importer(&jsonnet.MemoryImporter{Data: map[string]jsonnet.Contents{}})
	vm.MaxStack = 200
	vm.ExtCode("claims", string(cj))
	out, err := vm.EvaluateAnonymousSnippet(m.name, m.src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMapper, err)
	}
	var res struct {
		Identity struct {
			Traits map[string]any `json:"traits"`
		} `json:"identity"`
	}
	if json.Unmarshal([]byte(out), &res) != nil || res.Identity.Traits == nil {
		return map[string]any{}, nil
	}
	return res.Identity.Traits, nil
}
