package harness

import (
	"fmt"
	"os"
)

// Secret is the secrets.default of every benchmark config. It is fixed so
// that a benchmark can hash tokens the way the server will (bench/whoami
// writes session rows itself).
const Secret = "latchkey-bench-secret-0123456789"

// WriteConfig writes a production-style config: no dev mode, both ports on
// loopback, the fixed Secret, and otherwise Latchkey's defaults. extra is
// YAML appended as it is (top-level keys), for what one benchmark changes,
// such as the hasher.
func WriteConfig(path, dsn string, publicPort, adminPort int, extra string) error {
	cfg := fmt.Sprintf(`dsn: %q
serve:
  public:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
  admin:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
secrets:
  default:
    - %s
`, dsn, publicPort, publicPort, adminPort, adminPort, Secret)
	return os.WriteFile(path, []byte(cfg+extra), 0o600)
}
