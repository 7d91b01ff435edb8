package harness

import (
	"sync"
	"time"
)

// Sampler records a process's peak RSS (and peak RssAnon) every 100ms between Start and Stop,
// and the CPU time it used in between. Start and Stop are meant to be
// called when a measured window opens and closes, so that warm-up and
// set-up are not counted.
type Sampler struct {
	pid     int
	mu      sync.Mutex
	started bool
	peak    int64
	anon    int64 // peak RssAnon
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
			s.note(ReadMem(s.pid))
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
	s.note(ReadMem(s.pid))
}

func (s *Sampler) note(m Mem) {
	s.mu.Lock()
	s.peak, s.anon = max(s.peak, m.RSS), max(s.anon, m.Anon)
	s.mu.Unlock()
}

// PeakKiB is the highest RSS seen, in KiB.
func (s *Sampler) PeakKiB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// PeakAnonKiB is the highest RssAnon seen, in KiB: the part of the RSS
// the process allocated itself, without its binary's mapped pages.
func (s *Sampler) PeakAnonKiB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.anon
}

// CPUCores is the process's CPU time between Start and Stop divided by
// that time: 1.0 is one core busy. Read it after Stop.
func (s *Sampler) CPUCores() float64 { return s.cores }
