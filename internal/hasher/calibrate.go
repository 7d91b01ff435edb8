package hasher

import (
	"slices"
	"time"

	"golang.org/x/crypto/argon2"
)

// Calibration is what `hashers argon2 calibrate` is asked to fit: the
// reference's arguments, memory in bytes.
type Calibration struct {
	RequestsPerMinute int
	MinimalDuration   time.Duration // one hash should take at least this
	ExpectedDeviation time.Duration // ... and at most this much longer
	DedicatedMemory   uint64        // all concurrent hashes together
	MaxConcurrent     int
	StartMemory       uint64
	MaxMemory         uint64 // 0: no limit
	AdjustMemoryBy    uint64
	StartIterations   uint32
	Parallelism       uint8
	SaltLength        uint32
	KeyLength         uint32
	Runs              int // per probe; the median counts
}

// Calibrated is the result: parameters, how long one hash took with them,
// and how many run at once at the requested rate.
type Calibrated struct {
	Params     Argon2Params // Memory in KiB, as everywhere in this package
	Took       time.Duration
	Concurrent int
}

// Calibrate probes this machine: starting from StartMemory, it raises the
// iterations until one hash takes MinimalDuration, lowers the memory when a
// single iteration is already too slow, and lowers it again until the hashes
// that run at once at RequestsPerMinute fit in DedicatedMemory. measure is
// told of every probe.
func Calibrate(c Calibration, measure func(p Argon2Params, took time.Duration)) Calibrated {
	mem := c.StartMemory
	if c.MaxMemory > 0 && mem > c.MaxMemory {
		mem = c.MaxMemory
	}
	const minMem = 1 << 20
	p := Argon2Params{Parallelism: max(c.Parallelism, 1), SaltLength: max(c.SaltLength, 16), KeyLength: max(c.KeyLength, 16)}
	var res Calibrated
	for round := 0; round < 64; round++ {
		p.Memory = uint32(max(mem, minMem) / 1024)
		p.Iterations = max(c.StartIterations, 1)
		took := probe(p, c.Runs, measure)
		tooSlow := took > c.MinimalDuration+c.ExpectedDeviation
		if tooSlow && mem > minMem {
			mem = shrink(mem, c.AdjustMemoryBy, minMem)
			continue
		}
		for took < c.MinimalDuration && p.Iterations < 1<<16 {
			next := uint32(float64(p.Iterations) * float64(c.MinimalDuration) / float64(max(took, time.Microsecond)))
			p.Iterations = max(next, p.Iterations+1)
			took = probe(p, c.Runs, measure)
		}
		res = Calibrated{Params: p, Took: took, Concurrent: concurrent(c.RequestsPerMinute, took, c.MaxConcurrent)}
		if c.DedicatedMemory > 0 && mem*uint64(res.Concurrent) > c.DedicatedMemory && mem > minMem {
			mem = max(c.DedicatedMemory/uint64(res.Concurrent), minMem)
			mem = min(mem, shrink(uint64(p.Memory)*1024, c.AdjustMemoryBy, minMem))
			continue
		}
		return res
	}
	return res
}

func shrink(mem, by, floor uint64) uint64 {
	if by == 0 || mem <= by || mem-by < floor {
		return floor
	}
	return mem - by
}

// concurrent is how many hashes overlap at a rate: arrivals per second
// times the seconds each takes, at least one, at most limit.
func concurrent(perMinute int, took time.Duration, limit int) int {
	n := int(float64(perMinute)/60*took.Seconds() + 0.999)
	n = max(n, 1)
	if limit > 0 {
		n = min(n, limit)
	}
	return n
}

func probe(p Argon2Params, runs int, measure func(Argon2Params, time.Duration)) time.Duration {
	salt := make([]byte, p.SaltLength)
	password := []byte("calibration password")
	times := make([]time.Duration, max(runs, 1))
	for i := range times {
		start := time.Now()
		argon2.IDKey(password, salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	took := times[len(times)/2]
	if measure != nil {
		measure(p, took)
	}
	return took
}
