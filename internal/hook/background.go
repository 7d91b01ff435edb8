package hook

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Background runs web hooks whose answer is ignored (response.ignore):
// at most Limit at once, each tried Attempts times with a doubling pause
// from Backoff, a final failure logged with the hook's name. Its work is
// not tied to the request that started it.
type Background struct {
	Limit    int
	Attempts int
	Backoff  time.Duration
	Log      *slog.Logger

	once sync.Once
	sem  chan struct{}
	wg   sync.WaitGroup
	stop chan struct{}
}

func (b *Background) init() {
	b.once.Do(func() {
		b.sem = make(chan struct{}, max(b.Limit, 1))
		b.stop = make(chan struct{})
	})
}

// Go schedules call. When Limit calls are already running it waits in its
// own goroutine, so the flow that scheduled it never does.
func (b *Background) Go(name, safeURL string, call func(ctx context.Context) error) {
	b.init()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		select {
		case b.sem <- struct{}{}:
		case <-b.stop:
			return
		}
		defer func() { <-b.sem }()
		pause := b.Backoff
		for attempt := 1; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := call(ctx)
			cancel()
			if err == nil {
				return
			}
			if attempt >= max(b.Attempts, 1) {
				b.Log.Warn("web hook failed; giving up", "hook", name, "url", safeURL, "attempts", attempt, "error", err.Error())
				return
			}
			b.Log.Info("web hook failed; retrying", "hook", name, "url", safeURL, "attempt", attempt, "error", err.Error())
			select {
			case <-time.After(pause):
			case <-b.stop:
				return
			}
			pause *= 2
		}
	}()
}

// Close stops waiting retries and waits for calls in flight, for shutdown.
func (b *Background) Close() {
	b.init()
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	b.wg.Wait()
}
