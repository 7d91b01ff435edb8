package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// noEffect is the one place that says which of the reference's keys
// Latchkey reads without acting on them, and what to use instead. A key is
// supported when Config has a field for it; to support one of these, add the
// field and delete its line here (TestEveryReferenceKeyIsSupportedOrNamed
// fails while a key is both). An entry covers the keys below it too.
var noEffect = map[string]string{
	"help":                      "it is a command-line flag: run with --help",
	"config":                    "name configuration files with -c or --config",
	"sqa-opt-out":               "Latchkey never sends usage statistics",
	"log.leak_sensitive_values": "Latchkey never logs tokens, cookies or passwords",
	"tracing.providers.jaeger":  "it has no maintained OpenTelemetry exporter; Jaeger receives OTLP: use tracing.providers.otlp",
	"tracing.providers.zipkin":  "it has no maintained OpenTelemetry exporter; send OTLP through a collector: use tracing.providers.otlp",
}

// Problem kinds of a key found in a file or the environment.
type keyProblem struct {
	path  string // as written, with list indices
	value any
}

// keyIndex knows every valid key path: Config's (Latchkey's) and the
// reference's, with "[]" for list items and "*" below free-form maps.
type keyIndex struct {
	leaves   map[string]bool // supported or reference leaf paths
	prefixes map[string]bool // every proper ancestor of a leaf
	children map[string][]string
}

var keys = buildKeyIndex()

func buildKeyIndex() *keyIndex {
	ix := &keyIndex{leaves: map[string]bool{}, prefixes: map[string]bool{"": true}, children: map[string][]string{}}
	for _, p := range structPaths(reflect.TypeOf(Config{}), "") {
		ix.add(p)
	}
	for _, k := range referenceKeys {
		ix.add(k.Path)
	}
	for _, c := range ix.children {
		sort.Strings(c)
	}
	return ix
}

func (ix *keyIndex) add(path string) {
	if ix.leaves[path] {
		return
	}
	ix.leaves[path] = true
	parts := splitPath(path)
	for i := range parts {
		parent, child := strings.Join(parts[:i], "."), parts[i]
		if !contains(ix.children[parent], child) {
			ix.children[parent] = append(ix.children[parent], child)
		}
		if i > 0 {
			ix.prefixes[parent] = true
		}
	}
}

// structPaths lists every key path of a config type: leaves, lists of
// scalars as leaves, "[]" into lists of objects, "*" below maps.
func structPaths(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		ft := deref(f.Type)
		if opts == "inline" {
			out = append(out, structPaths(ft, prefix)...)
			continue
		}
		path := join(prefix, name)
		out = append(out, typePaths(ft, path)...)
	}
	return out
}

func typePaths(ft reflect.Type, path string) []string {
	switch {
	case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration(0)):
		return structPaths(ft, path)
	case ft.Kind() == reflect.Slice && deref(ft.Elem()).Kind() == reflect.Struct:
		return append([]string{path}, structPaths(deref(ft.Elem()), path+"[]")...)
	case ft.Kind() == reflect.Map:
		return append([]string{path}, typePaths(deref(ft.Elem()), path+".*")...)
	}
	return []string{path}
}

func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// normalizePath turns "a.hooks[2].config" into "a.hooks[].config".
func normalizePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '[' {
			j := strings.IndexByte(p[i:], ']')
			if j > 0 {
				b.WriteString("[]")
				i += j
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// splitPath splits on dots, keeping "[]" with its key.
func splitPath(p string) []string { return strings.Split(p, ".") }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// supported reports whether Config has a field for a (normalized) path.
func supported(path string) bool {
	return matchStruct(reflect.TypeOf(Config{}), splitPath(path))
}

func matchStruct(t reflect.Type, parts []string) bool {
	t = deref(t)
	if len(parts) == 0 {
		return true
	}
	if t.Kind() == reflect.Map {
		return matchStruct(t.Elem(), parts[1:])
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	name, list := strings.CutSuffix(parts[0], "[]")
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" {
			if matchStruct(f.Type, parts) {
				return true
			}
			continue
		}
		if tag != name {
			continue
		}
		ft := deref(f.Type)
		if list {
			return ft.Kind() == reflect.Slice && matchStruct(ft.Elem(), parts[1:])
		}
		return matchStruct(ft, parts[1:])
	}
	return false
}

// noEffectNote finds the noEffect entry covering a path, if any.
func noEffectNote(path string) (key, note string, ok bool) {
	for p := path; p != ""; {
		if n, found := noEffect[p]; found {
			return p, n, true
		}
		i := strings.LastIndexAny(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return "", "", false
}

// referenceLeaf returns the reference key a path is or lies below (a list
// or object the reference takes whole, and Latchkey does not decode), if
// any.
func referenceLeaf(path string) (string, bool) {
	for _, k := range referenceKeys {
		if path == k.Path {
			return k.Path, true
		}
		below := strings.HasPrefix(path, k.Path+".") || strings.HasPrefix(path, k.Path+"[]")
		if below && !supported(k.Path) {
			return k.Path, true
		}
	}
	return "", false
}

// classify sorts the keys decode did not place into warnings (reference
// keys without effect) and errors (keys in neither the reference nor
// Latchkey). fromEnv maps key paths to the variable that set them.
func classify(unknown []keyProblem, fromEnv map[string]string) (warnings []string, errs []error) {
	warned := map[string]bool{}
	for _, u := range unknown {
		for _, leaf := range flatten(u.path, u.value) {
			norm := normalizePath(leaf)
			ref, isRef := referenceLeaf(norm)
			if !isRef {
				errs = append(errs, unknownKeyError(leaf))
				continue
			}
			if warned[ref] {
				continue
			}
			warned[ref] = true
			src := ""
			if v, ok := fromEnv[ref]; ok {
				src = fmt.Sprintf(" (set by %s)", v)
			}
			_, note, _ := noEffectNote(ref)
			if note == "" {
				note = "Latchkey does not support it"
			}
			warnings = append(warnings, fmt.Sprintf("configuration key %s%s has no effect: %s", ref, src, note))
		}
	}
	return warnings, errs
}

// flatten lists the leaf paths of a value found under an unknown key, so
// a typo inside an unsupported section is still caught.
func flatten(path string, v any) []string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return []string{path}
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var out []string
	for _, k := range ks {
		out = append(out, flatten(join(path, k), m[k])...)
	}
	return out
}

// unknownKeyError names the first segment of path that no key has, and
// the closest valid name at that place.
func unknownKeyError(path string) error {
	parts := splitPath(normalizePath(path))
	raw := splitPath(path)
	parent := ""
	for i, p := range parts {
		here := join(parent, p)
		if keys.leaves[here] || keys.prefixes[here] || keys.leaves[join(parent, "*")] || keys.prefixes[join(parent, "*")] {
			if keys.leaves[join(parent, "*")] || keys.prefixes[join(parent, "*")] {
				here = join(parent, "*")
			}
			parent = here
			continue
		}
		full := strings.Join(raw[:i+1], ".")
		msg := fmt.Sprintf("configuration key %s is not a key of Latchkey or of the reference", full)
		if best := closest(strings.TrimSuffix(p, "[]"), keys.children[parent]); best != "" {
			msg += fmt.Sprintf("; did you mean `%s`?", best)
		}
		return fmt.Errorf("%s", msg)
	}
	return fmt.Errorf("configuration key %s is not a key of Latchkey or of the reference", path)
}

// closest returns the candidate nearest to s by edit distance, when it is
// near enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		c = strings.TrimSuffix(c, "[]")
		if c == "*" {
			continue
		}
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
