package sqlstore

import "time"

// normalizeTimes puts times read back from any driver in UTC, so values
// compare and serialise the same whatever the database.
func normalizeTimes(ts ...*time.Time) {
	for _, t := range ts {
		*t = t.UTC()
	}
}
