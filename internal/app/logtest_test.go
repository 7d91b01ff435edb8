package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// logBuffer collects what a server logs; the server writes from many
// goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines decodes the JSON log (log.format: json) line by line.
func (l *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// requests are the request log's lines.
func (l *logBuffer) requests(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range l.lines(t) {
		if _, ok := m["route"]; ok {
			out = append(out, m)
		}
	}
	return out
}

// find is the request line with a request id, or nil.
func (l *logBuffer) find(t *testing.T, requestID string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, m := range l.requests(t) {
		if m["request_id"] == requestID {
			if found != nil {
				t.Fatalf("two request lines for request %s", requestID)
			}
			found = m
		}
	}
	return found
}
