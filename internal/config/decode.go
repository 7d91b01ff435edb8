package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decode copies a generic tree (as read from YAML, JSON or the environment)
// into a typed value, naming the key path in every error. Keys the type does
// not have are collected in unknown instead of failing, so a config written
// for the reference still starts.
func decode(path string, in any, out reflect.Value, unknown *[]keyProblem) error {
	if in == nil {
		return nil
	}
	if out.Kind() == reflect.Pointer {
		if out.IsNil() {
			out.Set(reflect.New(out.Type().Elem()))
		}
		return decode(path, in, out.Elem(), unknown)
	}
	switch out.Type() {
	case reflect.TypeOf(Duration(0)):
		s := fmt.Sprint(in)
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return fmt.Errorf("%s: %q is not a duration such as \"1h\" or \"15m\"", path, s)
		}
		out.SetInt(int64(d))
		return nil
	case reflect.TypeOf(ByteSize(0)):
		n, err := parseByteSize(in)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		out.SetUint(n)
		return nil
	}
	switch out.Kind() {
	case reflect.Struct:
		m, ok := in.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", path, describe(in))
		}
		return decodeStruct(path, m, out, unknown)
	case reflect.String:
		switch v := in.(type) {
		case string:
			out.SetString(v)
		case int, int64, float64, bool:
			out.SetString(fmt.Sprint(v))
		default:
			return fmt.Errorf("%s: expected a string, got %s", path, describe(in))
		}
	case reflect.Bool:
		switch v := in.(type) {
		case bool:
			out.SetBool(v)
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s: %q is not true or false", path, v)
			}
			out.SetBool(b)
		default:
			return fmt.Errorf("%s: expected true or false, got %s", path, describe(in))
		}
	case reflect.Int, reflect.Int64, reflect.Uint8, reflect.Uint32, reflect.Uint64:
		n, err := toInt(in)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if out.CanInt() {
			if out.OverflowInt(n) {
				return fmt.Errorf("%s: %d is out of range", path, n)
			}
			out.SetInt(n)
		} else {
			if n < 0 || out.OverflowUint(uint64(n)) {
				return fmt.Errorf("%s: %d is out of range", path, n)
			}
			out.SetUint(uint64(n))
		}
	case reflect.Float64:
		var f float64
		switch v := in.(type) {
		case float64:
			f = v
		case int:
			f = float64(v)
		case string:
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a number", path, v)
			}
			f = n
		default:
			return fmt.Errorf("%s: expected a number, got %s", path, describe(in))
		}
		out.SetFloat(f)
	case reflect.Slice:
		items, ok := in.([]any)
		if !ok {
			if s, isStr := in.(string); isStr {
				items = splitList(s)
			} else {
				return fmt.Errorf("%s: expected a list, got %s", path, describe(in))
			}
		}
		sl := reflect.MakeSlice(out.Type(), len(items), len(items))
		for i, item := range items {
			if err := decode(fmt.Sprintf("%s[%d]", path, i), item, sl.Index(i), unknown); err != nil {
				return err
			}
		}
		out.Set(sl)
	case reflect.Map:
		m, ok := in.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", path, describe(in))
		}
		mm := reflect.MakeMap(out.Type())
		for k, v := range m {
			ev := reflect.New(out.Type().Elem()).Elem()
			if err := decode(path+"."+k, v, ev, unknown); err != nil {
				return err
			}
			mm.SetMapIndex(reflect.ValueOf(k), ev)
		}
		out.Set(mm)
	case reflect.Interface:
		// Free-form values (requested_claims) are kept as parsed.
		out.Set(reflect.ValueOf(in))
	default:
		return fmt.Errorf("%s: unsupported type %s", path, out.Type())
	}
	return nil
}

func decodeStruct(path string, m map[string]any, out reflect.Value, unknown *[]keyProblem) error {
	known := map[string]bool{}
	if err := decodeFields(path, m, out, unknown, known); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			*unknown = append(*unknown, keyProblem{path: join(path, k), value: m[k]})
		}
	}
	return nil
}

func decodeFields(path string, m map[string]any, out reflect.Value, unknown *[]keyProblem, known map[string]bool) error {
	t := out.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" {
			if err := decodeFields(path, m, out.Field(i), unknown, known); err != nil {
				return err
			}
			continue
		}
		known[name] = true
		if v, ok := m[name]; ok {
			if err := decode(join(path, name), v, out.Field(i), unknown); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func toInt(in any) (int64, error) {
	switch v := in.(type) {
	case int:
		return int64(v), nil
	case int64: // TOML's integers
		return v, nil
	case float64:
		if v != float64(int64(v)) {
			return 0, fmt.Errorf("%v is not a whole number", v)
		}
		return int64(v), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", v)
		}
		return n, nil
	}
	return 0, fmt.Errorf("expected a number, got %s", describe(in))
}

var byteUnits = []struct {
	suffix string
	mult   uint64
}{{"EB", 1 << 60}, {"PB", 1 << 50}, {"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}}

// parseByteSize reads "128MB" (binary multiples, as the reference does) or a
// bare number of bytes.
func parseByteSize(in any) (uint64, error) {
	if n, err := toInt(in); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%d is negative", n)
		}
		return uint64(n), nil
	}
	s := strings.ToUpper(strings.TrimSpace(fmt.Sprint(in)))
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
			if err != nil {
				break
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("%q is not a size such as \"128MB\"", fmt.Sprint(in))
}

// splitList reads a list given as one string (an environment variable): a
// JSON or YAML list, or comma-separated values.
func splitList(s string) []any {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		var items []any
		if json.Unmarshal([]byte(s), &items) == nil || yaml.Unmarshal([]byte(s), &items) == nil {
			return items
		}
	}
	if s == "" {
		return nil
	}
	var items []any
	for _, part := range strings.Split(s, ",") {
		items = append(items, strings.TrimSpace(part))
	}
	return items
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", v)
	}
	return fmt.Sprintf("%v", v)
}
