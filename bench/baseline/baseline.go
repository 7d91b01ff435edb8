// Package baseline is the yardstick for the whoami benchmark: a bare net/http
// handler that answers /sessions/whoami from an in-memory map of session
// token to a pre-rendered session JSON. It does no hashing, no database
// access and no JSON encoding per request, so its rate is the most this
// machine's HTTP stack can do for a response of whoami's size and shape.
package baseline

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
)

// SessionJSON renders the n-th fixed session exactly as Latchkey's whoami
// renders a session whose identity has one email address (one verifiable
// and one recovery address): Latchkey's own types are marshalled, so the
// size and shape match. publicBase is used for schema_url.
func SessionJSON(n int, publicBase string) []byte {
	now := time.Now().UTC().Truncate(time.Microsecond)
	email := fmt.Sprintf("bench-%06d@example.com", n)
	i := &identity.Identity{
		ID: uuid.New(), SchemaID: "default", SchemaURL: identity.SchemaURL(publicBase, "default"),
		Traits:              json.RawMessage(fmt.Sprintf(`{"email":%q}`, email)),
		VerifiableAddresses: []identity.VerifiableAddress{{ID: uuid.New(), Value: email, Via: "email", Status: identity.StatusPending, CreatedAt: now, UpdatedAt: now}},
		RecoveryAddresses:   []identity.RecoveryAddress{{ID: uuid.New(), Value: email, Via: "email", CreatedAt: now, UpdatedAt: now}},
		CreatedAt:           now, UpdatedAt: now,
	}
	s := &session.Session{ID: uuid.New(), Active: true, ExpiresAt: now.Add(24 * time.Hour), AuthenticatedAt: now, IssuedAt: now, Identity: i,
		Devices: []session.Device{{ID: uuid.New(), IPAddress: "127.0.0.1", FirstSeen: now, LastSeen: now}},
		AAL:     session.AAL1, AMR: []session.AuthenticationMethod{session.FirstFactor("password", now)}}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // fixed types: cannot fail
	}
	return append(b, '\n')
}

type entry struct {
	body       []byte
	identityID string
}

// Handler answers whoami by the X-Session-Token header from a fixed map.
type Handler struct {
	sessions map[string]entry
}

var unauthorized = []byte(`{"error":{"code":401,"status":"Unauthorized","message":"The request could not be authorized"}}` + "\n")

// New returns a handler that knows one session per token, each rendered by
// SessionJSON.
func New(tokens []string, publicBase string) *Handler {
	h := &Handler{sessions: make(map[string]entry, len(tokens))}
	for n, t := range tokens {
		body := SessionJSON(n, publicBase)
		var s struct {
			Identity struct {
				ID string `json:"id"`
			} `json:"identity"`
		}
		_ = json.Unmarshal(body, &s)
		h.sessions[t] = entry{body: body, identityID: s.Identity.ID}
	}
	return h
}

// ServeHTTP answers /sessions/whoami with the same headers Latchkey sends,
// and 404 for every other path.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health/alive" {
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.URL.Path != "/sessions/whoami" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	e, ok := h.sessions[r.Header.Get("X-Session-Token")]
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(unauthorized)
		return
	}
	hd.Set("X-Kratos-Authenticated-Identity-Id", e.identityID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.body)
}
