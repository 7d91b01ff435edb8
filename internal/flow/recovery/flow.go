package recovery

import "github.com/latchkey/latchkey/internal/flow"

// Flow is the recovery flow as clients see it.
type Flow = flow.Stated

func wire(f *flow.Flow) Flow { return f.Stated() }
