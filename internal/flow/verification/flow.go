package verification

import "github.com/latchkey/latchkey/internal/flow"

// Flow is the verification flow as clients see it.
type Flow = flow.Stated

func wire(f *flow.Flow) Flow { return f.Stated() }
