package webui_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// element is one HTML element of a page, with the form it is in.
type element struct {
	Name  string
	Attr  map[string]string
	Text  string // the text inside, whitespace collapsed
	Form  int    // index into page.forms of the enclosing form, or -1
	index int
}

func (e element) has(name string) bool { _, ok := e.Attr[name]; return ok }

// page is a parsed HTML page, enough to read its forms and labels.
type page struct {
	url   *url.URL
	elems []element
	forms []element
}

// parsePage reads the server's HTML with the lenient XML decoder: the
// pages are simple and well formed, but have void elements and bare
// attributes.
func parsePage(t testing.TB, u *url.URL, body string) *page {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	p := &page{url: u}
	var open []int // indexes of the open elements
	form := -1
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse %s: %v\n%s", u, err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{Name: strings.ToLower(tok.Name.Local), Attr: map[string]string{}, Form: form, index: len(p.elems)}
			for _, a := range tok.Attr {
				e.Attr[strings.ToLower(a.Name.Local)] = a.Value
			}
			if e.Name == "form" {
				form = len(p.forms)
				p.forms = append(p.forms, e)
			}
			p.elems = append(p.elems, e)
			open = append(open, e.index)
		case xml.EndElement:
			if len(open) == 0 {
				continue
			}
			if p.elems[open[len(open)-1]].Name == "form" {
				form = -1
			}
			open = open[:len(open)-1]
		case xml.CharData:
			for _, i := range open {
				p.elems[i].Text += string(tok)
			}
		}
	}
	for i := range p.elems {
		p.elems[i].Text = strings.Join(strings.Fields(p.elems[i].Text), " ")
	}
	return p
}

// all lists the elements of a name.
func (p *page) all(name string) []element {
	var out []element
	for _, e := range p.elems {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// labelFor is the text of the label bound to an id, and whether there is one.
func (p *page) labelFor(id string) (string, bool) {
	for _, l := range p.all("label") {
		if l.Attr["for"] == id {
			return l.Text, true
		}
	}
	return "", false
}

// client is a browser without JavaScript: it keeps cookies and follows
// redirects.
func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// noRedirects is a client that shows redirects instead of following them.
func noRedirects() *http.Client {
	c := client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// get loads a page and returns the response and its body.
func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return resp, string(b)
}

// submit posts a page's form the way a browser without JavaScript does:
// every input with its value (hidden ones included), overridden by values,
// and the submit button.
func submit(t testing.TB, c *http.Client, p *page, form int, values map[string]string) (*http.Response, *page) {
	t.Helper()
	f := p.forms[form]
	data := url.Values{}
	for _, e := range p.elems {
		if e.Form != form || e.Attr["name"] == "" {
			continue
		}
		switch {
		case e.Name == "input" && e.Attr["type"] == "checkbox":
			if e.has("checked") {
				data.Set(e.Attr["name"], e.Attr["value"])
			}
		case e.Name == "input":
			data.Set(e.Attr["name"], e.Attr["value"])
		case e.Name == "button":
			data.Set(e.Attr["name"], e.Attr["value"])
		}
	}
	for k, v := range values {
		data.Set(k, v)
	}
	action, err := p.url.Parse(f.Attr["action"])
	if err != nil {
		t.Fatalf("form action %q: %v", f.Attr["action"], err)
	}
	if m := strings.ToUpper(f.Attr["method"]); m != http.MethodPost {
		t.Fatalf("the form posts with %q, want POST", f.Attr["method"])
	}
	resp, err := c.PostForm(action.String(), data)
	if err != nil {
		t.Fatalf("POST %s: %v", action, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, parsePage(t, resp.Request.URL, string(b))
}

func io_copy(b *strings.Builder, resp *http.Response) (int64, error) { return io.Copy(b, resp.Body) }
