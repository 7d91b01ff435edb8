package kratos

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/token"
)

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// copySessions copies the live sessions of copied identities, their
// plain-text tokens stored as keyed hashes like Latchkey's own. A session
// copied before that has since been revoked, has expired or is gone from
// the source is revoked here too; a dead one never copied is skipped.
func (c *Copier) copySessions(ctx context.Context, src *Source, identities map[string]bool, size int, counts *Counts) error {
	known, err := c.imported(ctx, KindSession)
	if err != nil {
		return err
	}
	now := c.Now()
	seen := map[string]bool{}
	after := firstID
	for {
		batch, err := src.sessions(ctx, after, size)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].id
		var records []SessionRecord
		var tallies []*int
		for _, ss := range batch {
			seen[ss.id] = true
			fp := ss.fingerprint()
			old, before := known[ss.id]
			live := ss.active && ss.expiresAt.After(now)
			switch {
			case before && old == fp:
				counts.Sessions.Unchanged++
				continue
			case !identities[ss.identityID]:
				counts.skip("session of an identity that was not copied")
				continue
			case !before && !ss.active:
				counts.skip("session revoked (logged out) in the source")
				continue
			case !before && !live:
				counts.skip("session expired")
				continue
			case ss.token == "" || len(ss.token) > 512:
				counts.skip("session without a usable token")
				continue
			}
			id, err1 := uuid.Parse(ss.id)
			iid, err2 := uuid.Parse(ss.identityID)
			if err1 != nil || err2 != nil {
				counts.skip("session id is not a UUID")
				continue
			}
			records = append(records, SessionRecord{
				ID: id, IdentityID: iid, TokenHash: c.Tokens.Hash(token.Session, ss.token), Active: live,
				IssuedAt: ss.issuedAt, ExpiresAt: ss.expiresAt, AuthenticatedAt: ss.authenticatedAt, Fingerprint: fp,
			})
			if before {
				tallies = append(tallies, &counts.Sessions.Updated)
			} else {
				tallies = append(tallies, &counts.Sessions.Created)
			}
		}
		if len(records) > 0 && !c.DryRun {
			if err := c.Target.ImportSessions(ctx, records); err != nil {
				return err
			}
		}
		for _, t := range tallies {
			*t++
		}
		c.progress("sessions", len(seen))
	}
	var gone []string
	for id := range known {
		if !seen[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 && !c.DryRun {
		if err := c.Target.ForgetImported(ctx, KindSession, gone); err != nil {
			return err
		}
	}
	counts.Sessions.Removed = len(gone)
	return nil
}
