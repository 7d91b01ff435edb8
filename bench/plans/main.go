// Command plans asks a filled database for the plan of every statement the
// server's hot store calls run (whoami, sign-in, flows, throttle, courier,
// session and identity lists) and marks those that read a whole table or
// index:
//
//	go run ./bench/plans -dsn 'sqlite:///tmp/filled.db?_fk=true'
//
// Fill the database first (go run ./bench/whoami -fill 1000000 -fill-cache
// DIR -fill-only keeps one); this command writes to it (a flow, a message,
// throttle counters, a revoked session), so give it a copy. It exits 1 when
// a plan scans.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/latchkey/latchkey/bench/internal/fill"
)

func main() {
	dsn := flag.String("dsn", "", "the filled database, as Latchkey's dsn")
	flag.Parse()
	ps, err := fill.Plans(context.Background(), *dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plans:", err)
		os.Exit(2)
	}
	if n := fill.PrintPlans(os.Stdout, ps); n > 0 {
		fmt.Printf("\n%d of %d plans scan\n", n, len(ps))
		os.Exit(1)
	}
	fmt.Printf("\nnone of %d plans scans\n", len(ps))
}
