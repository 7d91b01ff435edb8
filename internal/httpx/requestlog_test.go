package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/httpx"
)

// TestRequestLogLevels: a server error is one ERROR line carrying its
// cause; a client that hung up is not a server error, whatever the handler
// answered.
func TestRequestLogLevels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		cancel    bool
		err       error
		wantLevel string
		wantMsg   string
	}{
		{"server error", false, errors.New("disk on fire"), "level=ERROR", `msg=request `},
		{"client gone", true, httpx.ErrServiceUnavailable.WithCause(context.Canceled), "level=INFO", `msg="request abandoned by the client"`},
		{"client gone, unknown error", true, errors.New("read: connection reset"), "level=INFO", `msg="request abandoned by the client"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(httpx.RequestAttrs(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
			mux := http.NewServeMux()
			mux.Handle("GET /x/{id}", httpx.Handle(log, func(w http.ResponseWriter, r *http.Request) error { return tc.err }))
			h := (&httpx.RequestLog{Log: log, Server: "public"}).Wrap(httpx.Routes(mux))
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			} else {
				defer cancel()
			}
			req := httptest.NewRequest("GET", "/x/42", nil).WithContext(ctx)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			out := strings.TrimSpace(buf.String())
			if strings.Count(out, "\n") != 0 {
				t.Fatalf("want one line, got:\n%s", out)
			}
			for _, want := range []string{tc.wantLevel, tc.wantMsg, `route="GET /x/{id}"`, "request_id=" + rec.Header().Get("X-Request-Id")} {
				if !strings.Contains(out, want) {
					t.Errorf("line %q lacks %q", out, want)
				}
			}
		})
	}
}
