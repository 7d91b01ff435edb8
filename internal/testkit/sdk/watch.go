package sdk

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/testkit"
)

// secretFields are the body fields and query parameters that carry
// secrets in either direction.
var secretFields = []string{"password", "csrf_token", "token", "session_token", "code", "totp_code", "lookup_secret"}

// watching is a transport that reports to testkit every secret a test
// client sends or receives, so that the server's log is checked for them.
type watching struct{ next http.RoundTripper }

// watch wraps a transport (nil: http.DefaultTransport).
func watch(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return watching{next}
}

func (w watching) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Host
	for _, c := range req.Cookies() {
		testkit.Secret(host, c.Value)
	}
	testkit.Secret(host, req.Header.Get("X-Session-Token"))
	testkit.Secret(host, strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "))
	for _, k := range secretFields {
		testkit.Secret(host, req.URL.Query().Get(k))
	}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		reportBody(host, req.Header.Get("Content-Type"), b)
	}
	res, err := w.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	for _, c := range res.Cookies() {
		testkit.Secret(host, c.Value)
	}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return res, nil // the reader sees the short body and fails as it would have
		}
		reportBody(host, "application/json", b)
	}
	return res, nil
}

// reportBody reports the secret fields of a JSON or form body.
func reportBody(host, contentType string, b []byte) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasSuffix(mt, "json"):
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			return
		}
		for _, k := range secretFields {
			if v, ok := m[k].(string); ok {
				testkit.Secret(host, v)
			}
		}
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return
		}
		for _, k := range secretFields {
			for _, s := range v[k] {
				testkit.Secret(host, s)
			}
		}
	}
}
