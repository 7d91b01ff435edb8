package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed dev.yml
var devDefaults []byte

// Loaded is a validated configuration and what the loader has to say about
// it: keys it ignored and defaults worth knowing about.
type Loaded struct {
	Config   Config
	Warnings []string
}

// Load reads the files in order (later files override earlier ones), then
// the environment, then fills defaults and validates. dev forces dev mode,
// as the --dev flag does.
func Load(files []string, getenv func(string) string, dev bool) (Loaded, error) {
	tree, err := readTree(files, getenv, dev)
	if err != nil {
		return Loaded{}, err
	}
	var out Loaded
	var unknown []string
	if err := decode("", tree, reflect.ValueOf(&out.Config).Elem(), &unknown); err != nil {
		return Loaded{}, fmt.Errorf("invalid configuration: %w", err)
	}
	for _, k := range unknown {
		out.Warnings = append(out.Warnings, fmt.Sprintf("configuration key %q is not supported by latchkey and has no effect", k))
	}
	if dev {
		out.Config.Dev = true
	}
	out.Warnings = append(out.Warnings, out.Config.applyDefaults()...)
	if err := out.Config.Validate(); err != nil {
		return Loaded{}, err
	}
	return out, nil
}

// DSN reads only the dsn from the files and environment, for commands such
// as `migrate sql -e` that need nothing else (and so no secrets).
func DSN(files []string, getenv func(string) string) (string, error) {
	tree, err := readTree(files, getenv, false)
	if err != nil {
		return "", err
	}
	dsn, _ := tree["dsn"].(string)
	if dsn == "" {
		return "", fmt.Errorf("no dsn: set dsn in the config file or the DSN environment variable")
	}
	return dsn, nil
}

func readTree(files []string, getenv func(string) string, dev bool) (map[string]any, error) {
	tree := map[string]any{}
	if len(files) == 0 && dev {
		var doc map[string]any
		if err := yaml.Unmarshal(devDefaults, &doc); err != nil {
			return nil, fmt.Errorf("built-in dev config: %w", err)
		}
		tree = normalize(doc).(map[string]any)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("config file %s is not valid YAML or JSON: %v", f, err)
		}
		if doc != nil {
			merge(tree, normalize(doc).(map[string]any))
		}
	}
	applyEnv(tree, getenv)
	return tree, nil
}

// normalize turns yaml.v3's map[string]interface{} trees into plain
// map[string]any with string keys, so later steps see one shape.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, vv := range t {
			t[k] = normalize(vv)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, vv := range t {
			m[fmt.Sprint(k)] = normalize(vv)
		}
		return m
	case []any:
		for i := range t {
			t[i] = normalize(t[i])
		}
		return t
	}
	return v
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// applyEnv looks up every known key under its environment name
// (serve.public.port -> SERVE_PUBLIC_PORT) and sets the ones present.
func applyEnv(tree map[string]any, getenv func(string) string) {
	for _, path := range keyPaths(reflect.TypeOf(Config{}), "") {
		v := getenv(EnvName(path))
		if v == "" {
			continue
		}
		parts := strings.Split(path, ".")
		node := tree
		for _, p := range parts[:len(parts)-1] {
			next, ok := node[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				node[p] = next
			}
			node = next
		}
		node[parts[len(parts)-1]] = envValue(v)
	}
}

// envValue lets structured values (hook lists, schema lists) come from the
// environment as JSON, while plain values stay strings.
func envValue(v string) any {
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
		var parsed any
		if yaml.Unmarshal([]byte(t), &parsed) == nil {
			return normalize(parsed)
		}
	}
	return v
}

// EnvName is the environment variable that overrides a key path.
func EnvName(path string) string {
	return strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(path))
}

// keyPaths lists every settable key path of a config type: leaves and lists.
func keyPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if opts == "inline" {
			out = append(out, keyPaths(ft, prefix)...)
			continue
		}
		path := join(prefix, name)
		if ft.Kind() == reflect.Struct {
			out = append(out, keyPaths(ft, path)...)
			continue
		}
		out = append(out, path)
	}
	return out
}

// ErrNoSecrets is returned outside dev mode when no secrets are configured.
var ErrNoSecrets = errors.New("secrets.default (or secrets.cookie) must be set outside dev mode: every instance must sign and hash with the same secret")

// FromStruct defaults and validates a Config built in code (tests, embedding).
func FromStruct(c Config) (Config, error) {
	c.applyDefaults()
	return c, c.Validate()
}
