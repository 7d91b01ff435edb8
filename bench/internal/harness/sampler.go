package harness

import (
	"sync"
	"time"
)

// Sampler records a process's peak RSS every 100ms between Start and Stop,
// and the CPU time it used in between. Start and Stop are meant to be
// called when a measured window opens and closes, so that warm-up and
// set-up are not counted.
type Sampler struct {
	pid     int
	mu      sync.Mutex
	started bool
	peak    int64
	cpu0    int64
	t0      time.Time
	stopc   chan struct{}
	stopped chan struct{}
	cores   float64
}

// NewSampler returns a sampler of process pid that has not started.
func NewSampler(pid int) *Sampler {
	return &Sampler{pid: pid, stopc: make(chan struct{}), stopped: make(chan struct{})}
}

// Start begins sampling; only the first call does anything.
func (s *Sampler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	s.started = true
	s.cpu0, s.t0 = CPUTicks(s.pid), time.Now()
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			rss := ReadRSS(s.pid)
			s.mu.Lock()
			s.peak = max(s.peak, rss)
			s.mu.Unlock()
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends sampling; call it once, after Start or instead of it.
func (s *Sampler) Stop() {
	s.mu.Lock()
	started := s.started
	s.started = true // a late Start does nothing
	s.mu.Unlock()
	close(s.stopc)
	if !started {
		return
	}
	<-s.stopped
	if el := time.Since(s.t0).Seconds(); el > 0 {
		s.cores = float64(CPUTicks(s.pid)-s.cpu0) / TicksPerSecond / el
	}
	rss := ReadRSS(s.pid)
	s.mu.Lock()
	s.peak = max(s.peak, rss)
	s.mu.Unlock()
}

// PeakKiB is the highest RSS seen, in KiB.
func (s *Sampler) PeakKiB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// CPUCores is the process's CPU time between Start and Stop divided by
// that time: 1.0 is one core busy. Read it after Stop.
func (s *Sampler) CPUCores() float64 { return s.cores }
