package app

import (
	"io"
	"log/slog"
	"strings"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/httpx"
)

// NewLogger builds the process logger from log.level and log.format. Tokens,
// cookies and passwords are never passed to it, whatever
// log.leak_sensitive_values says.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(c.Level) {
	case "trace", "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error", "fatal", "panic":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(httpx.RequestAttrs(h))
}
