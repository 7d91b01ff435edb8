package courier

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	texttemplate "text/template"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/locale"
)

// TemplateType names a message template; its value is also the template's
// directory, as in the reference's courier.template_override_path layout.
type TemplateType string

const (
	RecoveryValid       TemplateType = "recovery/valid"
	RecoveryInvalid     TemplateType = "recovery/invalid"
	VerificationValid   TemplateType = "verification/valid"
	VerificationInvalid TemplateType = "verification/invalid"
	// Security notices (Latchkey's own, off unless configured).
	PasswordChanged     TemplateType = "notice/password_changed"
	SecondFactorAdded   TemplateType = "notice/second_factor_added"
	SecondFactorRemoved TemplateType = "notice/second_factor_removed"
	NewDevice           TemplateType = "notice/new_device"
)

// Data is what templates see. Field names follow the reference's, so
// override templates written for it keep working.
type Data struct {
	To              string
	RecoveryURL     string
	VerificationURL string
	Identity        any
	// Language is the reader's preference when rendering starts (a
	// locale.Preference) and the chosen language tag once it has.
	Language string
	// The security notices' facts: when, from which device and address,
	// which second factor, and where to secure the account.
	Time, Device, ClientAddress, Method string
	SettingsURL                         string
}

//go:embed templates
var builtin embed.FS

// Templates renders messages from the built-in templates, or from files in
// an override directory where they exist:
// <dir>/recovery/valid/email.subject.gotmpl, email.body.gotmpl (HTML) and
// email.body.plaintext.gotmpl.
type Templates struct {
	OverrideDir string
	// Texts words the built-in templates, which call {{ t "key" }}; every
	// template may. Nil means the built-in catalogs.
	Texts *locale.Catalog
	words func(key string, args ...string) string // in the message's language, while rendering
	// Clock dates the messages rendered.
	Clock clock.Clock
}

// builtinTexts are the catalogs used when Templates.Texts is nil.
var builtinTexts = sync.OnceValues(func() (*locale.Catalog, error) { return locale.Load("") })

const (
	subjectFile   = "email.subject.gotmpl"
	htmlFile      = "email.body.gotmpl"
	plaintextFile = "email.body.plaintext.gotmpl"
)

// Render builds a queued message to an address.
func (t Templates) Render(tt TemplateType, to string, d Data) (*Message, error) {
	d.To = to
	texts := t.Texts
	if texts == nil {
		var err error
		if texts, err = builtinTexts(); err != nil {
			return nil, err
		}
	}
	p := texts.Choose(d.Language)
	d.Language = p.Tag()
	t.words = func(key string, args ...string) string { return p.T(key, args...) }
	subject, err := t.renderText(tt, subjectFile, d)
	if err != nil {
		return nil, err
	}
	plain, err := t.renderText(tt, plaintextFile, d)
	if err != nil {
		return nil, err
	}
	html, err := t.renderHTML(tt, htmlFile, d)
	if err != nil {
		return nil, err
	}
	now := t.Clock.Now()
	return &Message{
		ID: uuid.New(), Status: StatusQueued, Recipient: to, Subject: string(bytes.TrimSpace(subject)), Body: string(plain),
		BodyHTML: string(html), TemplateType: tt, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (t Templates) source(tt TemplateType, file string) (string, []byte, error) {
	if t.OverrideDir != "" {
		p := filepath.Join(t.OverrideDir, filepath.FromSlash(string(tt)), file)
		if b, err := os.ReadFile(p); err == nil {
			return p, b, nil
		} else if !os.IsNotExist(err) {
			return "", nil, fmt.Errorf("read template override: %w", err)
		}
	}
	b, err := fs.ReadFile(builtin, "templates/"+string(tt)+"/"+file)
	return string(tt) + "/" + file, b, err
}

// executor is what text/template and html/template templates share.
type executor interface {
	Execute(w io.Writer, data any) error
}

func (t Templates) renderText(tt TemplateType, file string, d Data) ([]byte, error) {
	return t.render(tt, file, d, func(name, src string) (executor, error) {
		return texttemplate.New(name).Option("missingkey=zero").Funcs(texttemplate.FuncMap{"t": t.words}).Parse(src)
	})
}

// renderHTML escapes what templates insert, as an HTML body needs.
func (t Templates) renderHTML(tt TemplateType, file string, d Data) ([]byte, error) {
	return t.render(tt, file, d, func(name, src string) (executor, error) {
		return htmltemplate.New(name).Option("missingkey=zero").Funcs(htmltemplate.FuncMap{"t": t.words}).Parse(src)
	})
}

func (t Templates) render(tt TemplateType, file string, d Data, parse func(name, src string) (executor, error)) ([]byte, error) {
	name, src, err := t.source(tt, file)
	if err != nil {
		return nil, err
	}
	tpl, err := parse(name, string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return b.Bytes(), nil
}
