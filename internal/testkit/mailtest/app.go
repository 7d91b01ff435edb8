package mailtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// StartApp builds and serves Latchkey from cfg as main does, like
// testkit.Start, with two differences: the log goes to logOut (at the
// configured level), and the public listener's address is returned, so a
// test may configure serve.public.base_url with a host that does not
// resolve and reach the server through Env.DialPublic.
func StartApp(t testing.TB, cfg config.Config, logOut io.Writer) (*testkit.Server, string) {
	t.Helper()
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.Public.BaseURL == "" {
		cfg.Serve.Public.BaseURL = fmt.Sprintf("http://%s/", pub.Addr())
	}
	cfg.Serve.Admin.BaseURL = fmt.Sprintf("http://%s/", adm.Addr())
	loaded, err := config.FromStruct(cfg)
	if err != nil {
		t.Fatalf("test config is invalid: %v", err)
	}
	a, err := app.New(context.Background(), loaded, app.NewLogger(loaded.Log, logOut), app.Options{Migrate: true})
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, app.Listeners{Public: pub, Admin: adm}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &testkit.Server{App: a, PublicURL: loaded.Serve.Public.BaseURL, AdminURL: loaded.Serve.Admin.BaseURL}, pub.Addr().String()
}
