package webauthn

import (
	"crypto/rand"
	"crypto/sha512"
	_ "embed"
	"encoding/base64"
	"net/http"

	"github.com/latchkey/latchkey/internal/ui"
)

//go:embed webauthn.js
var script []byte

// ScriptPath is where the script is served on the public port, as the
// later versions serve theirs.
const ScriptPath = ".well-known/ory/webauthn.js"

// integrity pins the script in its node (subresource integrity).
var integrity = func() string {
	sum := sha512.Sum512(script)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}()

// RegisterRoutes serves the script.
func (s *Strategy) RegisterRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /"+ScriptPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=UTF-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// Other sites' pages (a custom UI on its own origin) load it
		// with crossorigin=anonymous.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(script)
	})
}

// scriptNode is the script's node, with a fresh nonce for pages that
// allow scripts by nonce.
func (s *Strategy) scriptNode() ui.Node {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return ui.Script(Method, "webauthn_script", s.PublicBase+ScriptPath, integrity, base64.RawURLEncoding.EncodeToString(nonce))
}
