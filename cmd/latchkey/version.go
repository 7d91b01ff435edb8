package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/latchkey/latchkey/internal/app"
)

func version(stdout io.Writer) error {
	_, err := fmt.Fprintf(stdout, "latchkey %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
