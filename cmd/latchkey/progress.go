package main

import (
	"fmt"
	"io"
	"os"
)

// progress rewrites one status line on a terminal and stays silent
// otherwise, so logs and pipes get only the final summary.
type progress struct {
	w  io.Writer
	on bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{w: w}
	}
	fi, err := f.Stat()
	return &progress{w: w, on: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

func (p *progress) update(format string, args ...any) {
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K"+format, args...)
	}
}

// done clears the status line before the summary is printed.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
