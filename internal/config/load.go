package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

//go:embed dev.yml
var devDefaults []byte

// Loaded is a validated configuration and what the loader has to say about
// it: keys it ignored and defaults worth knowing about.
type Loaded struct {
	Config   Config
	Warnings []string
	// Notes are worth logging at start but are not problems.
	Notes []string
}

// splitFiles accepts -c a.yml,b.yml as the reference does, besides
// repeated -c flags.
func splitFiles(files []string) []string {
	var out []string
	for _, f := range files {
		for _, part := range strings.Split(f, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// Load reads the files in order (later files override earlier ones), then
// the environment, then fills defaults and validates. dev forces dev mode,
// as the --dev flag does.
func Load(files []string, getenv func(string) string, dev bool) (Loaded, error) {
	files = splitFiles(files)
	tree, fromEnv, err := readTree(files, getenv, dev)
	if err != nil {
		return Loaded{}, err
	}
	var out Loaded
	var unknown []keyProblem
	if err := decode("", tree, reflect.ValueOf(&out.Config).Elem(), &unknown); err != nil {
		return Loaded{}, fmt.Errorf("invalid configuration: %w", err)
	}
	warnings, errs := classify(unknown, fromEnv)
	if len(errs) > 0 {
		return Loaded{}, errors.Join(errs...)
	}
	out.Warnings = warnings
	if len(files) > 0 {
		// The reference reloads a few keys when its file changes; Latchkey
		// reads configuration once, and says so rather than seem to reload.
		out.Notes = append(out.Notes, "configuration is read once at start: restart Latchkey to apply changes to "+strings.Join(files, ", "))
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
	tree, _, err := readTree(splitFiles(files), getenv, false)
	if err != nil {
		return "", err
	}
	dsn, _ := tree["dsn"].(string)
	if dsn == "" {
		return "", fmt.Errorf("no dsn: set dsn in the config file or the DSN environment variable")
	}
	return dsn, nil
}

func readTree(files []string, getenv func(string) string, dev bool) (tree map[string]any, fromEnv map[string]string, err error) {
	tree = map[string]any{}
	if len(files) == 0 && dev {
		var doc map[string]any
		if err := yaml.Unmarshal(devDefaults, &doc); err != nil {
			return nil, nil, fmt.Errorf("built-in dev config: %w", err)
		}
		tree = normalize(doc).(map[string]any)
	}
	for _, f := range files {
		doc, err := readFile(f)
		if err != nil {
			return nil, nil, err
		}
		if doc != nil {
			merge(tree, normalize(doc).(map[string]any))
		}
	}
	return tree, applyEnv(tree, getenv), nil
}

// readFile reads one config file: TOML by its extension, YAML (and so
// JSON) otherwise, as the reference does.
func readFile(name string) (map[string]any, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read the configuration file: %w", err)
	}
	var doc map[string]any
	if strings.EqualFold(filepath.Ext(name), ".toml") {
		if err := toml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("configuration file %s is not valid TOML: %v", name, err)
		}
		return doc, nil
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("configuration file %s is not valid YAML or JSON: %v", name, err)
	}
	return doc, nil
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

// applyEnv looks up every key, Latchkey's and the reference's, under its
// environment name (serve.public.port -> SERVE_PUBLIC_PORT) and sets the
// ones present. It returns which variable set which key, for warnings.
func applyEnv(tree map[string]any, getenv func(string) string) map[string]string {
	fromEnv := map[string]string{}
	for _, path := range envPaths() {
		v := getenv(EnvName(path))
		if v == "" {
			continue
		}
		fromEnv[path] = EnvName(path)
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
	return fromEnv
}

// envPaths is every key that can be set from the environment: Config's
// leaves and the reference's keys outside lists.
func envPaths() []string {
	paths := keyPaths(reflect.TypeOf(Config{}), "")
	seen := map[string]bool{}
	for _, p := range paths {
		seen[p] = true
	}
	for _, k := range referenceKeys {
		if !strings.Contains(k.Path, "[]") && !seen[k.Path] {
			seen[k.Path] = true
			paths = append(paths, k.Path)
		}
	}
	return paths
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
