package hasher

import (
	"time"

	"golang.org/x/crypto/argon2"
)

// Calibrate finds the number of argon2id iterations that takes about target
// on this machine at the given memory and parallelism, measuring real runs.
func Calibrate(p Argon2Params, target time.Duration, measure func(time.Duration)) Argon2Params {
	salt := make([]byte, max(p.SaltLength, 16))
	password := []byte("calibration password")
	p.Iterations = 1
	for p.Iterations < 1<<16 {
		start := time.Now()
		argon2.IDKey(password, salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
		took := time.Since(start)
		if measure != nil {
			measure(took)
		}
		if took >= target {
			break
		}
		// Time grows linearly with iterations; jump close, then step.
		next := uint32(float64(p.Iterations) * float64(target) / float64(max(took, time.Millisecond)))
		if next <= p.Iterations {
			next = p.Iterations + 1
		}
		p.Iterations = next
	}
	return p
}
