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

// Serve runs both servers until ctx is cancelled (SIGTERM, SIGINT), then
// hands over without dropping a request: for serve.shutdown.drain_period
// /health/ready answers 503, so load balancers stop sending new clients,
// while both ports keep accepting and answering, each answer with
// Connection: close, so keep-alive clients reconnect elsewhere. Only then
// do the listeners close and in-flight requests get
// serve.shutdown.timeout to finish. Closing idle keep-alive connections
// at once, as a bare Shutdown does, drops the requests clients were
// writing on them at that moment.
func (a *App) Serve(ctx context.Context, l Listeners) error {
	servers := []*http.Server{
		newServer(a.closeWhenDraining(a.Public)),
		newServer(a.closeWhenDraining(a.Admin)),
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
		err = a.drain(errc)
	case err = <-errc:
	}
	sd := a.Config.Serve.Shutdown
	shutdownCtx, cancel := context.WithTimeout(context.Background(), sd.Timeout.D())
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

// drain marks the app draining and waits out the drain period, or until a
// server fails.
func (a *App) drain(errc <-chan error) error {
	a.draining.Store(true)
	d := time.Duration(0)
	if p := a.Config.Serve.Shutdown.DrainPeriod; p != nil {
		d = p.D()
	}
	if d <= 0 {
		return nil
	}
	a.Log.Info("stopping: draining connections; /health/ready answers 503", "drain_period", d.String())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case err := <-errc:
		return err
	}
}

// Draining reports whether the app is stopping: readiness fails and every
// answer closes its connection.
func (a *App) Draining() bool { return a.draining.Load() }

func (a *App) closeWhenDraining(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
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
