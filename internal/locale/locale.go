package locale

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var builtin embed.FS

// CookieName remembers a language chosen on a page.
const CookieName = "latchkey_lang"

// Catalog holds the texts of every language Latchkey speaks.
type Catalog struct {
	tags    []language.Tag // English first: the matcher's fallback
	texts   map[language.Tag]map[string]string
	names   map[language.Tag]string
	matcher language.Matcher
}

// Language is one entry of a page's language switch.
type Language struct {
	Tag  string // "de"
	Name string // in its own language: "Deutsch"
}

// Load reads the built-in catalogs and then dir's, if dir is set: a file
// there overrides the built-in texts it names and may add a language.
func Load(dir string) (*Catalog, error) {
	c := &Catalog{texts: map[language.Tag]map[string]string{}, names: map[language.Tag]string{}}
	if err := c.merge(builtin, "catalog"); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("ui.translations_path: %w", err)
		}
		if err := c.merge(os.DirFS(dir), "."); err != nil {
			return nil, fmt.Errorf("ui.translations_path: %w", err)
		}
	}
	en := language.English
	if _, ok := c.texts[en]; !ok {
		return nil, errors.New("locale: the English catalog is missing")
	}
	c.tags = []language.Tag{en}
	for t := range c.texts {
		if t != en {
			c.tags = append(c.tags, t)
		}
	}
	sort.Slice(c.tags[1:], func(i, j int) bool { return c.tags[i+1].String() < c.tags[j+1].String() })
	c.matcher = language.NewMatcher(c.tags)
	return c, nil
}

func (c *Catalog) merge(fsys fs.FS, dir string) error {
	files, err := fs.Glob(fsys, dir+"/*.json")
	if err != nil {
		return err
	}
	for _, name := range files {
		base := strings.TrimSuffix(filepath.Base(name), ".json")
		tag, err := language.Parse(base)
		if err != nil {
			return fmt.Errorf("%s: %q is not a language tag", name, base)
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		var texts map[string]string
		if err := json.Unmarshal(raw, &texts); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if c.texts[tag] == nil {
			c.texts[tag] = map[string]string{}
		}
		for k, v := range texts {
			c.texts[tag][k] = v
		}
		if n := texts["language.name"]; n != "" {
			c.names[tag] = n
		}
	}
	return nil
}

// Languages lists what a page can switch to.
func (c *Catalog) Languages() []Language {
	out := make([]Language, 0, len(c.tags))
	for _, t := range c.tags {
		name := c.names[t]
		if name == "" {
			name = t.String()
		}
		out = append(out, Language{Tag: t.String(), Name: name})
	}
	return out
}

// Lookup returns the printer for a language tag, or nil if the catalog
// does not have it.
func (c *Catalog) Lookup(tag string) *Printer {
	t, err := language.Parse(tag)
	if err != nil {
		return nil
	}
	if _, ok := c.texts[t]; !ok {
		return nil
	}
	return c.printer(t)
}

// Preference is what a request says about its reader's language: a
// language chosen on a page (the cookie), else the Accept-Language header.
// Choose turns it into one of the catalog's languages.
func Preference(r *http.Request) string {
	if ck, err := r.Cookie(CookieName); err == nil && ck.Value != "" {
		return ck.Value
	}
	return r.Header.Get("Accept-Language")
}

// Choose picks the printer for a Preference: a language tag the catalog
// has, or the best match of an Accept-Language list, or English.
func (c *Catalog) Choose(preference string) *Printer {
	if p := c.Lookup(preference); p != nil {
		return p
	}
	return c.Match(preference)
}

// Pick chooses a language for a request: one chosen on a page (the
// cookie) first, then the browser's Accept-Language, then English.
func (c *Catalog) Pick(r *http.Request) *Printer {
	if ck, err := r.Cookie(CookieName); err == nil {
		if p := c.Lookup(ck.Value); p != nil {
			return p
		}
	}
	return c.Match(r.Header.Get("Accept-Language"))
}

// Match chooses a language for an Accept-Language header.
func (c *Catalog) Match(acceptLanguage string) *Printer {
	prefs, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		i = 0
	}
	return c.printer(c.tags[i])
}

func (c *Catalog) printer(t language.Tag) *Printer {
	return &Printer{tag: t, texts: c.texts[t], english: c.texts[language.English]}
}

// Printer speaks one language.
type Printer struct {
	tag            language.Tag
	texts, english map[string]string
}

// Tag is the language's BCP 47 tag, for <html lang>.
func (p *Printer) Tag() string { return p.tag.String() }

// Has reports whether any catalog has key.
func (p *Printer) Has(key string) bool {
	_, ok := p.texts[key]
	_, en := p.english[key]
	return ok || en
}

// English is key's English text, "" if there is none.
func (p *Printer) English(key string) string { return p.english[key] }

// T returns key's text with each {name} replaced by the value that follows
// name in args. A key no catalog has comes back as itself, so a missing
// text shows up on the page instead of an empty string.
func (p *Printer) T(key string, args ...string) string {
	s, ok := p.texts[key]
	if !ok {
		if s, ok = p.english[key]; !ok {
			return key
		}
	}
	if len(args) < 2 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
