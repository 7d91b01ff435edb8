package kratos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/token"
)

// Kinds of imported records.
const (
	KindIdentity = "identity"
	KindSession  = "session"
)

// IdentityRecord is an identity to write, with its source fingerprint.
type IdentityRecord struct {
	Identity    *identity.Identity
	Fingerprint string
}

// SessionRecord is a session to write: created, or updated in place (a
// session revoked in the source since the last run goes inactive).
type SessionRecord struct {
	ID, IdentityID                       uuid.UUID
	TokenHash                            string
	Active                               bool
	IssuedAt, ExpiresAt, AuthenticatedAt time.Time
	Fingerprint                          string
}

// Target is where the copy goes. Each method that writes does so in one
// transaction, records included.
type Target interface {
	// Imported returns the fingerprints recorded by earlier runs, by
	// source id.
	Imported(ctx context.Context, kind string) (map[string]string, error)
	// ImportIdentities creates or replaces identities (credentials and
	// addresses; sessions stay) and records their fingerprints.
	ImportIdentities(ctx context.Context, batch []IdentityRecord) error
	// ImportSessions creates or updates sessions and records them.
	ImportSessions(ctx context.Context, batch []SessionRecord) error
	// ForgetImported removes what earlier runs copied of records the
	// source no longer has: identities are deleted, sessions revoked.
	ForgetImported(ctx context.Context, kind string, ids []string) error
}

// Copier copies a Source into a Target.
type Copier struct {
	Target     Target
	DryRun     bool // read and count, write nothing
	Identities *identity.Manager
	Tokens     *token.Hasher
	Now        func() time.Time
	BatchSize  int
	// Progress, when set, is told how far the copy is after each batch.
	Progress func(what string, done int)
}

// Counts is what a run did.
type Counts struct {
	Identities, Sessions Tally
	Credentials          int            // credentials in the identities written
	Skipped              map[string]int // why records were not copied
}

// Tally counts one kind of record.
type Tally struct {
	Created, Updated, Unchanged, Removed int
}

func (c *Counts) skip(why string) { c.Skipped[why]++ }

// Run copies everything. It stops on the first database error; a record
// that cannot be copied is skipped and counted with its reason.
func (c *Copier) Run(ctx context.Context, src *Source) (*Counts, error) {
	counts := &Counts{Skipped: map[string]int{}}
	size := c.BatchSize
	if size <= 0 {
		size = 200
	}
	known, err := c.imported(ctx, KindIdentity)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	copied := map[string]bool{} // identities present in the target after this run
	after := firstID
	for {
		batch, err := src.identities(ctx, after, size)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].id
		var records []IdentityRecord
		var tallies []*int
		for _, si := range batch {
			seen[si.id] = true
			fp := si.fingerprint()
			if old, ok := known[si.id]; ok && old == fp {
				counts.Identities.Unchanged++
				copied[si.id] = true
				continue
			}
			i, why := c.convert(si)
			if why != "" {
				counts.skip(why)
				continue
			}
			records = append(records, IdentityRecord{Identity: i, Fingerprint: fp})
			if _, ok := known[si.id]; ok {
				tallies = append(tallies, &counts.Identities.Updated)
			} else {
				tallies = append(tallies, &counts.Identities.Created)
			}
		}
		written, err := c.writeIdentities(ctx, records, counts)
		if err != nil {
			return nil, err
		}
		for k, r := range records {
			if written[k] {
				*tallies[k]++
				counts.Credentials += len(r.Identity.Credentials)
				copied[r.Identity.ID.String()] = true
			}
		}
		c.progress("identities", len(seen))
	}
	var gone []string
	for id := range known {
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 && !c.DryRun {
		if err := c.Target.ForgetImported(ctx, KindIdentity, gone); err != nil {
			return nil, err
		}
	}
	counts.Identities.Removed = len(gone)
	if err := c.copySessions(ctx, src, copied, size, counts); err != nil {
		return nil, err
	}
	return counts, nil
}

func (c *Copier) progress(what string, n int) {
	if c.Progress != nil {
		c.Progress(what, n)
	}
}

func (c *Copier) imported(ctx context.Context, kind string) (map[string]string, error) {
	if c.Target == nil {
		return map[string]string{}, nil
	}
	return c.Target.Imported(ctx, kind)
}

// writeIdentities writes a batch in one transaction. Should the batch
// fail (an identifier that a Latchkey identity already has, say), each
// identity is tried alone so that one conflict skips only itself.
func (c *Copier) writeIdentities(ctx context.Context, records []IdentityRecord, counts *Counts) ([]bool, error) {
	written := make([]bool, len(records))
	if len(records) == 0 || c.DryRun {
		for k := range written {
			written[k] = true
		}
		return written, nil
	}
	if err := c.Target.ImportIdentities(ctx, records); err == nil {
		for k := range written {
			written[k] = true
		}
		return written, nil
	}
	for k, r := range records {
		err := c.Target.ImportIdentities(ctx, records[k:k+1])
		switch {
		case err == nil:
			written[k] = true
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case isConflict(err):
			counts.skip("identifier or address already used by another Latchkey identity")
		default:
			return nil, fmt.Errorf("write identity %s: %w", r.Identity.ID, err)
		}
	}
	return written, nil
}

// convert turns a source identity into a Latchkey one through the
// Manager, so that traits are validated and identifiers and addresses are
// derived exactly as for an identity created here; ids, times, hashes and
// verification states are the source's. The reason is set when it cannot.
func (c *Copier) convert(si *sourceIdentity) (*identity.Identity, string) {
	d := identity.Draft{SchemaID: si.schemaID, Traits: json.RawMessage(strings.TrimSpace(si.traits)), AddressStatus: identity.StatusPending}
	var oidc, password *sourceCredential
	for k, cr := range si.credentials {
		switch cr.kind {
		case "password":
			password = &si.credentials[k]
			var cfg identity.PasswordConfig
			if err := json.Unmarshal([]byte(cr.config), &cfg); err != nil {
				return nil, "password credential config is not JSON"
			}
			d.PasswordHash = cfg.HashedPassword
		case "oidc":
			oidc = &si.credentials[k]
		default:
			return nil, fmt.Sprintf("credential type %q is not supported", cr.kind)
		}
	}
	for _, a := range si.addresses {
		status := a.status
		if status != identity.StatusPending && status != identity.StatusSent && status != identity.StatusCompleted {
			status = identity.StatusPending
		}
		d.Addresses = append(d.Addresses, identity.VerifiableAddress{Value: a.value, Via: a.via, Verified: a.verified, Status: status, VerifiedAt: a.verifiedAt})
	}
	i, err := c.Identities.Prepare(d)
	var ve *schema.ValidationError
	switch {
	case errors.Is(err, identity.ErrUnknownSchema):
		return nil, fmt.Sprintf("schema id %q is not configured (add it to identity.schemas)", si.schemaID)
	case errors.As(err, &ve):
		return nil, "traits do not validate against the configured schema"
	case err != nil:
		return nil, "traits cannot be read: " + err.Error()
	}
	id, err := uuid.Parse(si.id)
	if err != nil {
		return nil, "identity id is not a UUID"
	}
	i.ID, i.CreatedAt, i.UpdatedAt = id, si.createdAt, si.updatedAt
	for _, a := range si.addresses {
		for k, va := range i.VerifiableAddresses {
			if aid, err := uuid.Parse(a.id); err == nil && va.Via == a.via && strings.EqualFold(va.Value, strings.TrimSpace(a.value)) {
				i.VerifiableAddresses[k].ID = aid
			}
		}
	}
	for _, cr := range i.Credentials {
		cr.CreatedAt, cr.UpdatedAt = si.createdAt, si.updatedAt
	}
	if pw := i.Credentials[identity.CredentialPassword]; pw != nil && password != nil {
		// The reference lower-cased every identifier, usernames too, and
		// its users may sign in that way: keep its forms beside ours.
		for _, ident := range password.identifiers {
			if !slices.Contains(pw.Identifiers, ident) {
				pw.Identifiers = append(pw.Identifiers, ident)
			}
		}
	}
	if oidc != nil {
		if i.Credentials == nil {
			i.Credentials = map[identity.CredentialType]*identity.Credential{}
		}
		cid, err := uuid.Parse(oidc.id)
		if err != nil {
			cid = uuid.New()
		}
		ids := append([]string(nil), oidc.identifiers...)
		sort.Strings(ids)
		i.Credentials["oidc"] = &identity.Credential{ID: cid, Type: "oidc", Identifiers: ids, Config: json.RawMessage(oidc.config), CreatedAt: si.createdAt, UpdatedAt: si.updatedAt}
	}
	return i, ""
}
