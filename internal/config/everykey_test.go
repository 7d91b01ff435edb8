package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// baseYAML is the smallest configuration that loads outside dev mode.
const baseYAML = "dsn: memory\nsecrets:\n  default: [a-secret-of-sufficient-length]\n"

// sample is a valid value for a reference key that differs from its
// default; alt is a second one, for booleans whose default is unknown here.
func sample(k referenceKey) (v any, alt any) {
	p := k.Path
	last := p[strings.LastIndexAny(p, ".]")+1:]
	switch p {
	case "dsn":
		return "sqlite://sample.db", nil
	case "version":
		return "v0.6.3", nil
	case "log.level":
		return "debug", nil
	case "log.format":
		return "json", nil
	case "hashers.algorithm":
		return "argon2", nil
	case "session.cookie.same_site":
		return "Strict", nil
	case "tracing.provider":
		return "jaeger", nil
	case "tracing.providers.jaeger.sampling.type":
		return "const", nil
	case "courier.smtp.connection_uri":
		return "smtp://mail.example.test:25", nil
	case "courier.smtp.from_address":
		return "auth@example.test", nil
	case "session.cookie.domain":
		return "example.test", nil
	case "session.cookie.path":
		return "/auth", nil
	case "serve.public.host", "serve.admin.host":
		return "127.0.0.2", nil
	case "selfservice.methods.password.config.haveibeenpwned_host":
		return "hibp.example.test", nil
	case "serve.public.domain_aliases[].scheme":
		return "http", nil
	case "serve.public.domain_aliases[].base_path":
		return "/alias", nil
	}
	if item, ok := itemParents[p]; ok {
		return []any{item}, nil
	}
	switch {
	case k.Type == "boolean":
		return true, false
	case strings.HasSuffix(p, "oidc.config.providers[].provider"):
		return "google", nil
	case k.Type == "integer" && last == "mode":
		return 448, nil
	case k.Type == "integer" || k.Type == "number":
		return 17, nil
	case last == "memory" || last == "dedicated_memory":
		return "64MB", nil
	case strings.Contains(last, "lifespan") || strings.HasSuffix(last, "_age") || strings.HasPrefix(last, "expected_"):
		return "7m", nil
	case k.Type == "array" && strings.HasSuffix(p, "hooks"):
		return []any{map[string]any{"hook": "web_hook", "config": map[string]any{"url": "https://hooks.example.test/x", "method": "POST"}}}, nil
	case k.Type == "array":
		return []any{"https://list.example.test"}, nil
	case k.Type == "object":
		return map[string]any{"sample": "value"}, nil
	case strings.Contains(last, "url") || strings.HasSuffix(last, "_address") && strings.Contains(p, "tracing"):
		return "https://sample.example.test/x", nil
	}
	return "sample-value", nil
}

// itemParents are list keys whose items the reference describes key by
// key: an item key is set as a one-item list with its siblings filled.
var itemParents = map[string]map[string]any{
	"serve.public.domain_aliases":               {"match_domain": "alias.example.test", "base_path": "/", "scheme": "https"},
	"identity.schemas":                          {"id": "other", "url": "file:///etc/other.schema.json"},
	"selfservice.methods.oidc.config.providers": {"id": "github", "provider": "github", "client_id": "c", "client_secret": "s", "mapper_url": "file:///m.jsonnet"},
}

// tree builds the nested map that sets one key to v.
func tree(path string, v any) map[string]any {
	parent, item, isItem := strings.Cut(path, "[].")
	if isItem {
		obj := map[string]any{}
		for k, vv := range itemParents[parent] {
			obj[k] = vv
		}
		obj[item] = v
		v, path = []any{obj}, parent
	}
	parts := strings.Split(path, ".")
	root := map[string]any{}
	node := root
	for _, p := range parts[:len(parts)-1] {
		next := map[string]any{}
		node[p] = next
		node = next
	}
	node[parts[len(parts)-1]] = v
	return root
}

func envString(v any) string {
	switch v.(type) {
	case string:
		return v.(string)
	case []any, map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TestEveryReferenceKeyWorksOrIsNamed walks every leaf key of the
// reference's configuration (the project's own list of them), sets it once
// in a file and once in the environment, and requires that either the
// loaded configuration changes or one warning names the key as without
// effect. Keys inside lists of objects are set in a file, and through the
// environment as the whole list in JSON.
func TestEveryReferenceKeyWorksOrIsNamed(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.yml")
	if err := os.WriteFile(base, []byte(baseYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	baseline, err := Load([]string{base}, noEnv, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range referenceKeys {
		v, alt := sample(k)
		for _, via := range []string{"file", "env"} {
			observed := func(v any) (bool, string) {
				files, getenv := []string{base}, noEnv
				set := tree(k.Path, v)
				if via == "file" {
					raw, err := yaml.Marshal(set)
					if err != nil {
						t.Fatal(err)
					}
					f := filepath.Join(dir, strings.NewReplacer(".", "_", "[]", "").Replace(k.Path)+".yml")
					if err := os.WriteFile(f, raw, 0o600); err != nil {
						t.Fatal(err)
					}
					files = append(files, f)
				} else {
					path, val := k.Path, v
					if parent, _, isItem := strings.Cut(k.Path, "[]."); isItem {
						path, val = parent, set
						for _, p := range strings.Split(parent, ".") {
							val = val.(map[string]any)[p]
						}
					}
					name := EnvName(path)
					getenv = func(n string) string {
						if n == name {
							return envString(val)
						}
						return ""
					}
				}
				loaded, err := Load(files, getenv, false)
				if err != nil {
					return false, "load: " + err.Error()
				}
				ref, _ := referenceLeaf(normalizePath(k.Path))
				warned := 0
				for _, w := range loaded.Warnings {
					if strings.Contains(w, "configuration key "+ref+" ") && strings.Contains(w, "has no effect") {
						warned++
					}
				}
				changed := !reflect.DeepEqual(loaded.Config, baseline.Config)
				switch {
				case warned > 1:
					return false, "more than one warning"
				case warned == 1 && changed:
					return false, "warned about although it changed the configuration"
				}
				return warned == 1 || changed, "neither changed the configuration nor was warned about"
			}
			ok, why := observed(v)
			if !ok && alt != nil {
				ok, why = observed(alt)
			}
			if !ok {
				t.Errorf("%s set by %s: %s", k.Path, via, why)
			}
		}
	}
}
