package webui

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/text"
)

// shown is a message as the page shows it: in the reader's language and in
// Latchkey's own words, keeping the reference's id for scripts and tests.
type shown struct {
	ID   int64
	Type string
	Text string
}

// pattern turns a known English reason, from the schema validator or the
// password policy, into a catalog key with its numbers.
type pattern struct {
	re   *regexp.Regexp
	key  string
	args []string // names for the submatches
}

var (
	formatReasons = []pattern{
		{regexp.MustCompile(`is not valid "email"`), "human.email", nil},
		{regexp.MustCompile(`length must be >= (\d+)`), "human.min_length", []string{"min"}},
		{regexp.MustCompile(`length must be <= (\d+)`), "human.max_length", []string{"max"}},
	}
	passwordReasons = []pattern{
		{regexp.MustCompile(`at least (\d+) are required`), "human.password.short", []string{"min"}},
		{regexp.MustCompile(`longer than (\d+) bytes`), "human.password.long", []string{"max"}},
		{regexp.MustCompile(`too similar to the user identifier`), "human.password.similar", nil},
		{regexp.MustCompile(`most common passwords`), "human.password.common", nil},
		{regexp.MustCompile(`data breaches`), "human.password.breached", nil},
		{regexp.MustCompile(`could not be reached`), "human.password.unreachable", nil},
	}
)

func matchReason(p *locale.Printer, patterns []pattern, reason string) (string, bool) {
	for _, pt := range patterns {
		m := pt.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []string
		for i, name := range pt.args {
			args = append(args, name, m[i+1])
		}
		return p.T(pt.key, args...), true
	}
	return "", false
}

func reasonOf(m text.Message) string {
	if r, ok := m.Context["reason"].(string); ok && r != "" {
		return r
	}
	return m.Text
}

// say words a message for the page. inputType is the type of the input the
// message is about ("" for a form-level message): an email field's format
// error reads as such whatever the validator said.
func say(p *locale.Printer, m text.Message, inputType string) shown {
	s := shown{ID: m.ID, Type: m.Type}
	key := "msg." + strconv.FormatInt(m.ID, 10)
	switch m.ID {
	case 4000001, 4000003, 4000004:
		if inputType == "email" {
			s.Text = p.T("human.email")
			return s
		}
		if t, ok := matchReason(p, formatReasons, reasonOf(m)); ok {
			s.Text = t
			return s
		}
		s.Text = p.T("msg.4000001", "reason", reasonOf(m))
		return s
	case 4000005:
		reason := reasonOf(m)
		if t, ok := matchReason(p, passwordReasons, reason); ok {
			s.Text = t
			return s
		}
		s.Text = p.T(key, "reason", reason)
		return s
	}
	if !p.Has(key) {
		s.Text = m.Text // an id this catalog does not know: the server's words
		return s
	}
	var args []string
	for k, v := range m.Context {
		args = append(args, k, fmt.Sprint(v))
	}
	s.Text = p.T(key, args...)
	return s
}

func sayAll(p *locale.Printer, ms []text.Message, inputType string) []shown {
	if len(ms) == 0 {
		return nil
	}
	out := make([]shown, len(ms))
	for i, m := range ms {
		out[i] = say(p, m, inputType)
	}
	return out
}
