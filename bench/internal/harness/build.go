package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildLatchkey compiles ./cmd/latchkey into dir and returns the binary.
// The benchmarks measure the shipped binary, not an in-process copy, so
// that process start-up, config loading and logging are what an operator
// runs.
func BuildLatchkey(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root (run from inside the repository): %w", err)
	}
	bin := filepath.Join(dir, "latchkey")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/latchkey")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/latchkey: %w", err)
	}
	return bin, nil
}
