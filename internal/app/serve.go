package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Listeners are the two sockets Serve uses; tests pass their own.
type Listeners struct {
	Public, Admin net.Listener
}

// Listen opens the configured public and admin addresses.
func (a *App) Listen() (Listeners, error) {
	pub, err := listen(a.Config.Serve.Public.Endpoint, "serve.public")
	if err != nil {
		return Listeners{}, err
	}
	adm, err := listen(a.Config.Serve.Admin, "serve.admin")
	if err != nil {
		pub.Close()
		return Listeners{}, err
	}
	return Listeners{Public: pub, Admin: adm}, nil
}

// shutdownGrace is how long in-flight requests may finish after a signal.
const shutdownGrace = 15 * time.Second

// Serve runs both servers until ctx is cancelled, then stops accepting,
// lets in-flight requests finish and returns nil.
func (a *App) Serve(ctx context.Context, l Listeners) error {
	servers := []*http.Server{
		newServer(a.Public),
		newServer(a.Admin),
	}
	if a.Config.WatchesCourier() && a.Courier.Sender != nil {
		courierCtx, stopCourier := context.WithCancel(ctx)
		courierDone := make(chan struct{})
		go func() { a.Courier.Run(courierCtx); close(courierDone) }()
		defer func() { stopCourier(); <-courierDone }()
	}
	errc := make(chan error, 2)
	go func() { errc <- servers[0].Serve(l.Public) }()
	go func() { errc <- servers[1].Serve(l.Admin) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		if e := s.Shutdown(shutdownCtx); e != nil && err == nil {
			err = e
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
