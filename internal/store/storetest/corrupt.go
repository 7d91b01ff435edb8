package storetest

import (
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

func corruptCases() []testCase {
	return []testCase{
		{"corrupt/address_id_is_an_error_not_the_zero_id", corruptAddressID},
		{"corrupt/session_id_is_an_error_not_the_zero_id", corruptSessionID},
	}
}

// corrupt overwrites one id column with text that is no UUID, as a bad
// import or a hand edit would. It says false when the database refuses
// (PostgreSQL's uuid type does), which is as good: nothing to misread.
func (h *h) corrupt(table, column, where string, arg any) bool {
	h.t.Helper()
	_, err := h.db.SQL.ExecContext(h.ctx, h.db.Q(`UPDATE `+table+` SET `+column+` = ? WHERE `+where+` = ?`), "not-a-uuid", arg)
	if err != nil {
		h.t.Logf("the database refuses a corrupt %s.%s: %v", table, column, err)
		return false
	}
	return true
}

// wantCorrupt checks a read of corrupt data fails, and not as "not found",
// which a caller would answer as if the row did not exist.
func wantCorrupt(h *h, what string, err error) {
	h.t.Helper()
	if err == nil {
		h.t.Fatalf("%s read a corrupt id without an error", what)
	}
	if errors.Is(err, store.ErrNotFound) {
		h.t.Fatalf("%s of a corrupt id = %v, want an error other than ErrNotFound", what, err)
	}
}

func corruptAddressID(h *h) {
	i := newIdentity(at(1), "corrupt@example.com")
	h.create(i)
	if !h.corrupt("identity_verifiable_addresses", "id", "identity_id", i.ID.String()) {
		return
	}
	got, err := h.s.Identity(h.ctx, i.ID)
	if err == nil {
		h.t.Fatalf("Identity read a corrupt address id as %v", got.VerifiableAddresses[0].ID)
	}
	wantCorrupt(h, "Identity", err)
	_, _, err = h.s.ListIdentities(h.ctx, 0, 10)
	wantCorrupt(h, "ListIdentities", err)
}

func corruptSessionID(h *h) {
	i := newIdentity(at(1), "corrupt-session@example.com")
	h.create(i)
	s, hash := h.issue(i, at(2), time.Hour)
	if !h.corrupt("sessions", "id", "id", s.ID.String()) {
		return
	}
	got, err := h.s.SessionByTokenHash(h.ctx, []string{hash})
	if err == nil {
		h.t.Fatalf("SessionByTokenHash read a corrupt session id as %v", got.ID)
	}
	wantCorrupt(h, "SessionByTokenHash", err)
}
