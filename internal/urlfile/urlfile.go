// Package urlfile reads a file named by a URL, as the reference's
// configuration names identity schemas and templates: file://, base64://,
// http(s)://, or a plain path.
package urlfile

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// maxBytes bounds what a URL may return.
const maxBytes = 1 << 20

// Read returns the content a URL names.
func Read(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	switch u.Scheme {
	case "file":
		path := u.Path
		if u.Host != "" && u.Host != "localhost" {
			path = u.Host + u.Path // file://relative/path.json
		}
		return os.ReadFile(path)
	case "base64":
		enc := strings.TrimPrefix(raw, "base64://")
		for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := e.DecodeString(enc); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("base64:// schema is not valid base64")
	case "http", "https":
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s answered %s", raw, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, maxBytes))
	case "":
		return os.ReadFile(raw) // a plain path, as many configs write it
	}
	return nil, fmt.Errorf("schema URL scheme %q is not supported (file://, base64://, http(s)://)", u.Scheme)
}
