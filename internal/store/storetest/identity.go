package storetest

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
)

func identityCases() []testCase {
	return []testCase{
		{"identity/create_then_read_returns_what_was_written", createThenRead},
		{"identity/times_in_another_zone_read_back_as_the_same_instant_in_UTC", otherZone},
		{"identity/unknown_ids_are_ErrNotFound", identityNotFound},
		{"identity/taken_identifier_address_or_id_is_ErrConflict_and_writes_nothing", createConflict},
		{"identity/update_keeps_unchanged_addresses_and_replaces_the_rest", updateKeepsAddresses},
		{"identity/update_into_a_taken_address_is_ErrConflict_and_changes_nothing", updateConflict},
		{"identity/list_pages_in_creation_order_with_total", listPages},
		{"identity/delete_removes_everything_the_identity_owns", deleteCascades},
	}
}

func createThenRead(h *h) {
	i := newIdentity(at(1), "alice@example.com", "alice@work.example")
	// One address is verified, so verified, status and verified_at must all
	// survive the round trip.
	verifiedAt := at(2)
	i.VerifiableAddresses[0].Verified = true
	i.VerifiableAddresses[0].Status = identity.StatusCompleted
	i.VerifiableAddresses[0].VerifiedAt = &verifiedAt
	i.UpdatedAt = at(3)
	h.create(i)

	got := h.load(i.ID)
	sameIdentity(h.t, got, i)

	// The credential and its identifiers are stored, though Identity does
	// not load them.
	ids := h.strings(`SELECT identifier FROM identity_credential_identifiers WHERE identity_id = ? ORDER BY identifier`, i.ID.String())
	if want := []string{"alice@example.com", "alice@work.example"}; !equalStrings(ids, want) {
		h.t.Errorf("stored identifiers = %q, want %q", ids, want)
	}
	cfg := h.strings(`SELECT config FROM identity_credentials WHERE identity_id = ?`, i.ID.String())
	if len(cfg) != 1 {
		h.t.Fatalf("%d password credentials stored, want 1", len(cfg))
	}
	sameJSON(h.t, "credential config", []byte(cfg[0]), i.Credentials[identity.CredentialPassword].Config)
}

func otherZone(h *h) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	i := newIdentity(at(1).In(zone), "zone@example.com")
	h.create(i)
	got := h.load(i.ID)
	sameTime(h.t, "created_at", got.CreatedAt, at(1))
	sameTime(h.t, "verifiable created_at", got.VerifiableAddresses[0].CreatedAt, at(1))
}

func identityNotFound(h *h) {
	missing := newIdentity(at(1), "nobody@example.com")
	got, err := h.s.Identity(h.ctx, missing.ID)
	wantErr(h.t, "Identity of an unknown id", err, store.ErrNotFound)
	if got != nil {
		h.t.Errorf("Identity of an unknown id returned %+v", got)
	}
	wantErr(h.t, "UpdateIdentity of an unknown id", h.s.UpdateIdentity(h.ctx, missing), store.ErrNotFound)
	wantErr(h.t, "DeleteIdentity of an unknown id", h.s.DeleteIdentity(h.ctx, missing.ID), store.ErrNotFound)
	// A failed update must not have left address rows behind.
	for _, table := range ownedTables {
		if n := h.count(table, missing.ID); n != 0 {
			h.t.Errorf("%s has %d rows for an identity that does not exist", table, n)
		}
	}
}

func createConflict(h *h) {
	first := newIdentity(at(1), "taken@example.com")
	h.create(first)

	sameID := newIdentity(at(2), "other@example.com")
	sameID.ID = first.ID

	sameVerifiable := newIdentity(at(2), "free1@example.com")
	sameVerifiable.VerifiableAddresses[0].Value = "taken@example.com"

	sameRecovery := newIdentity(at(2), "free2@example.com")
	sameRecovery.RecoveryAddresses[0].Value = "taken@example.com"

	sameIdentifier := newIdentity(at(2), "free3@example.com")
	sameIdentifier.Credentials[identity.CredentialPassword].Identifiers = []string{"taken@example.com"}

	for name, i := range map[string]*identity.Identity{
		"same id": sameID, "same verifiable address": sameVerifiable,
		"same recovery address": sameRecovery, "same password identifier": sameIdentifier,
	} {
		err := h.s.CreateIdentity(h.ctx, i)
		wantErr(h.t, "CreateIdentity with the "+name, err, store.ErrConflict)
		if i.ID == first.ID {
			continue
		}
		// The transaction rolled back: not one row of the refused identity.
		for _, table := range ownedTables {
			if n := h.count(table, i.ID); n != 0 {
				h.t.Errorf("%s: %s kept %d rows of the refused identity", name, table, n)
			}
		}
	}
	// The first identity is untouched.
	sameIdentity(h.t, h.load(first.ID), first)
}

func updateKeepsAddresses(h *h) {
	i := newIdentity(at(1), "keep@example.com", "drop@example.com")
	verifiedAt := at(2)
	i.VerifiableAddresses[0].Verified = true
	i.VerifiableAddresses[0].Status = identity.StatusCompleted
	i.VerifiableAddresses[0].VerifiedAt = &verifiedAt
	h.create(i)

	next := *i
	next.Traits = json.RawMessage(`{"email":"keep@example.com","name":"Renamed"}`)
	next.UpdatedAt = at(10)
	added := at(10)
	// keep@ stays as it is (same rows), drop@ goes, new@ arrives.
	next.VerifiableAddresses = []identity.VerifiableAddress{i.VerifiableAddresses[0],
		{ID: uuid.New(), Value: "new@example.com", Via: "email", Status: identity.StatusPending, CreatedAt: added, UpdatedAt: added}}
	next.RecoveryAddresses = []identity.RecoveryAddress{i.RecoveryAddresses[0],
		{ID: uuid.New(), Value: "new@example.com", Via: "email", CreatedAt: added, UpdatedAt: added}}
	// A nil Config means "keep the stored hash"; the identifiers follow.
	next.Credentials = map[identity.CredentialType]*identity.Credential{identity.CredentialPassword: {
		ID: uuid.New(), Type: identity.CredentialPassword, Identifiers: []string{"keep@example.com", "new@example.com"}, CreatedAt: added, UpdatedAt: added,
	}}
	if err := h.s.UpdateIdentity(h.ctx, &next); err != nil {
		h.t.Fatalf("UpdateIdentity: %v", err)
	}

	got := h.load(i.ID)
	want := next
	want.CreatedAt = i.CreatedAt
	sameIdentity(h.t, got, &want)

	ids := h.strings(`SELECT identifier FROM identity_credential_identifiers WHERE identity_id = ? ORDER BY identifier`, i.ID.String())
	if w := []string{"keep@example.com", "new@example.com"}; !equalStrings(ids, w) {
		h.t.Errorf("identifiers after update = %q, want %q", ids, w)
	}
	cfg := h.strings(`SELECT config FROM identity_credentials WHERE identity_id = ?`, i.ID.String())
	if len(cfg) != 1 {
		h.t.Fatalf("%d password credentials after update, want 1", len(cfg))
	}
	sameJSON(h.t, "credential config after update", []byte(cfg[0]), i.Credentials[identity.CredentialPassword].Config)

	// drop@ is really gone: another identity can take it now.
	other := newIdentity(at(20), "drop@example.com")
	if err := h.s.CreateIdentity(h.ctx, other); err != nil {
		h.t.Errorf("an address the update removed is still taken: %v", err)
	}
}

func updateConflict(h *h) {
	x := newIdentity(at(1), "x@example.com")
	y := newIdentity(at(2), "y@example.com")
	h.create(x)
	h.create(y)

	next := *x
	next.Traits = json.RawMessage(`{"email":"y@example.com"}`)
	next.UpdatedAt = at(5)
	next.VerifiableAddresses = []identity.VerifiableAddress{{ID: uuid.New(), Value: "y@example.com", Via: "email", Status: identity.StatusPending, CreatedAt: at(5), UpdatedAt: at(5)}}
	next.RecoveryAddresses = []identity.RecoveryAddress{}
	next.Credentials = map[identity.CredentialType]*identity.Credential{}
	wantErr(h.t, "UpdateIdentity into another identity's address", h.s.UpdateIdentity(h.ctx, &next), store.ErrConflict)

	sameIdentity(h.t, h.load(x.ID), x)
	sameIdentity(h.t, h.load(y.ID), y)
}

func listPages(h *h) {
	// Inserted out of order: the list follows created_at, not insertion.
	var all []*identity.Identity
	for _, n := range []int{3, 1, 5, 2, 4} {
		i := newIdentity(at(n), uuid.NewString()+"@example.com")
		h.create(i)
		all = append(all, i)
	}
	sort.Slice(all, func(a, b int) bool { return all[a].CreatedAt.Before(all[b].CreatedAt) })

	for _, tc := range []struct {
		offset, limit int
		want          []*identity.Identity
	}{
		{0, 2, all[0:2]}, {2, 2, all[2:4]}, {4, 2, all[4:5]}, {0, 10, all},
		{5, 2, nil}, {1000, 10, nil},
	} {
		list, total, err := h.s.ListIdentities(h.ctx, tc.offset, tc.limit)
		if err != nil {
			h.t.Fatalf("ListIdentities(%d, %d): %v", tc.offset, tc.limit, err)
		}
		if total != len(all) {
			h.t.Errorf("ListIdentities(%d, %d) total = %d, want %d", tc.offset, tc.limit, total, len(all))
		}
		if len(list) != len(tc.want) {
			h.t.Fatalf("ListIdentities(%d, %d) returned %d identities, want %d", tc.offset, tc.limit, len(list), len(tc.want))
		}
		for k := range list {
			sameIdentity(h.t, list[k], tc.want[k])
		}
	}
}

func deleteCascades(h *h) {
	gone := newIdentity(at(1), "gone@example.com")
	kept := newIdentity(at(2), "kept@example.com")
	h.create(gone)
	h.create(kept)
	for _, i := range []*identity.Identity{gone, kept} {
		h.issue(i, at(3), time.Hour)
	}
	if err := h.s.DeleteIdentity(h.ctx, gone.ID); err != nil {
		h.t.Fatalf("DeleteIdentity: %v", err)
	}
	_, err := h.s.Identity(h.ctx, gone.ID)
	wantErr(h.t, "Identity after delete", err, store.ErrNotFound)
	for _, table := range ownedTables {
		if n := h.count(table, gone.ID); n != 0 {
			h.t.Errorf("%s keeps %d rows of the deleted identity", table, n)
		}
		if n := h.count(table, kept.ID); n == 0 {
			h.t.Errorf("%s lost the rows of the identity that was not deleted", table)
		}
	}
	// Its address is free again.
	if err := h.s.CreateIdentity(h.ctx, newIdentity(at(4), "gone@example.com")); err != nil {
		h.t.Errorf("the deleted identity's address is still taken: %v", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
