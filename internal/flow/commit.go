package flow

import (
	"context"
	"sync"
)

// Transactor runs fn in one store transaction that the store's writes made
// with fn's context join (sqlstore.Store.InTx).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// deferred collects writes a strategy leaves for the submission's closing
// transaction (a sign-in's throttle counters, given back once the password
// matched), so that a successful submission commits once.
type deferred struct {
	mu  sync.Mutex
	fns []func(context.Context) error
}

type deferredKey struct{}

func withDeferred(ctx context.Context) (context.Context, *deferred) {
	d := &deferred{}
	return context.WithValue(ctx, deferredKey{}, d), d
}

func (d *deferred) take() []func(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	fns := d.fns
	d.fns = nil
	return fns
}

// Defer has write run in the transaction that completes the submission ctx
// belongs to (Kit.Commit), or once the submission is answered when none
// completes it. Outside a submission it runs at once.
func Defer(ctx context.Context, write func(context.Context) error) error {
	d, ok := ctx.Value(deferredKey{}).(*deferred)
	if !ok {
		return write(ctx)
	}
	d.mu.Lock()
	d.fns = append(d.fns, write)
	d.mu.Unlock()
	return nil
}

// Commit runs the writes that complete a submission, with those deferred
// to it, in one transaction when the kit has a Transactor.
func (k *Kit) Commit(ctx context.Context, fn func(ctx context.Context) error) error {
	var pending []func(context.Context) error
	if d, ok := ctx.Value(deferredKey{}).(*deferred); ok {
		pending = d.take()
	}
	// The deferred writes go last: a sign-in's throttle counters (the
	// client address's row is shared by every sign-in from it) stay locked
	// from their update to the commit, so that should be one step.
	all := func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		for _, w := range pending {
			if err := w(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	if k.Tx == nil {
		return all(ctx)
	}
	return k.Tx.InTx(ctx, all)
}

// flushDeferred runs the writes no Commit took, after a submission that did
// not complete (an in-line hook refused it): they happen all the same.
func (k *Kit) flushDeferred(ctx context.Context, d *deferred) error {
	for _, w := range d.take() {
		if err := w(ctx); err != nil {
			return err
		}
	}
	return nil
}
