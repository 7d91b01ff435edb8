package kratos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// sourceIdentity is one identity of the reference with what it owns.
type sourceIdentity struct {
	id, schemaID, traits string
	createdAt, updatedAt time.Time
	credentials          []sourceCredential
	addresses            []sourceAddress
	recovery             []string // "via:value", for the fingerprint only
}

type sourceCredential struct {
	id, kind, config string
	identifiers      []string
}

type sourceAddress struct {
	id, via, value, status string
	verified               bool
	verifiedAt             *time.Time
}

// fingerprint changes whenever anything copied from the identity does.
func (i *sourceIdentity) fingerprint() string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, p := range parts {
			fmt.Fprintf(h, "%d:%s|", len(p), p)
		}
	}
	w(i.id, i.schemaID, strings.TrimSpace(i.traits), i.createdAt.String(), i.updatedAt.String())
	for _, c := range i.credentials {
		w("c", c.id, c.kind, c.config)
		w(c.identifiers...)
	}
	for _, a := range i.addresses {
		at := ""
		if a.verifiedAt != nil {
			at = a.verifiedAt.String()
		}
		w("a", a.id, a.via, a.value, a.status, fmt.Sprint(a.verified), at)
	}
	w(i.recovery...)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// identities reads the next batch of identities after the id `after`,
// in id order, with their credentials and addresses.
func (s *Source) identities(ctx context.Context, after string, limit int) ([]*sourceIdentity, error) {
	rows, err := s.query(ctx, `SELECT id, schema_id, traits, created_at, updated_at FROM identities WHERE nid = ? AND id > ? ORDER BY id LIMIT ?`, s.nid, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read identities: %w", err)
	}
	defer rows.Close()
	var out []*sourceIdentity
	byID := map[string]*sourceIdentity{}
	for rows.Next() {
		var i sourceIdentity
		var created, updated any
		if err := rows.Scan(&i.id, &i.schemaID, &i.traits, &created, &updated); err != nil {
			return nil, fmt.Errorf("read identities: %w", err)
		}
		i.createdAt, _ = asTime(created)
		i.updatedAt, _ = asTime(updated)
		out = append(out, &i)
		byID[i.id] = &i
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out)+1)
	ids = append(ids, s.nid)
	for _, i := range out {
		ids = append(ids, i.id)
	}
	if err := s.readCredentials(ctx, ids, byID); err != nil {
		return nil, err
	}
	if err := s.readAddresses(ctx, ids, byID); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Source) readCredentials(ctx context.Context, ids []any, byID map[string]*sourceIdentity) error {
	rows, err := s.query(ctx, `SELECT c.id, c.identity_id, t.name, c.config FROM identity_credentials c
JOIN identity_credential_types t ON t.id = c.identity_credential_type_id
WHERE c.nid = ? AND c.identity_id IN (`+in(len(ids)-1)+`) ORDER BY c.id`, ids...)
	if err != nil {
		return fmt.Errorf("read credentials: %w", err)
	}
	byCred := map[string]*sourceCredential{}
	for rows.Next() {
		var c sourceCredential
		var identityID string
		if err := rows.Scan(&c.id, &identityID, &c.kind, &c.config); err != nil {
			rows.Close()
			return fmt.Errorf("read credentials: %w", err)
		}
		if i := byID[identityID]; i != nil {
			i.credentials = append(i.credentials, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range byID {
		for k := range i.credentials {
			byCred[i.credentials[k].id] = &i.credentials[k]
		}
	}
	if len(byCred) == 0 {
		return nil
	}
	args := []any{s.nid}
	for id := range byCred {
		args = append(args, id)
	}
	rows, err = s.query(ctx, `SELECT identity_credential_id, identifier FROM identity_credential_identifiers WHERE nid = ? AND identity_credential_id IN (`+in(len(args)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("read identifiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var credID, ident string
		if err := rows.Scan(&credID, &ident); err != nil {
			return fmt.Errorf("read identifiers: %w", err)
		}
		if c := byCred[credID]; c != nil {
			c.identifiers = append(c.identifiers, ident)
		}
	}
	for _, c := range byCred {
		sort.Strings(c.identifiers)
	}
	return rows.Err()
}

func (s *Source) readAddresses(ctx context.Context, ids []any, byID map[string]*sourceIdentity) error {
	rows, err := s.query(ctx, `SELECT id, identity_id, via, value, status, verified, verified_at FROM identity_verifiable_addresses
WHERE nid = ? AND identity_id IN (`+in(len(ids)-1)+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read verifiable addresses: %w", err)
	}
	for rows.Next() {
		var a sourceAddress
		var identityID string
		var verified, at any
		if err := rows.Scan(&a.id, &identityID, &a.via, &a.value, &a.status, &verified, &at); err != nil {
			rows.Close()
			return fmt.Errorf("read verifiable addresses: %w", err)
		}
		a.verified = asBool(verified)
		if t, ok := asTime(at); ok {
			a.verifiedAt = &t
		}
		if i := byID[identityID]; i != nil {
			i.addresses = append(i.addresses, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.query(ctx, `SELECT identity_id, via, value FROM identity_recovery_addresses WHERE nid = ? AND identity_id IN (`+in(len(ids)-1)+`) ORDER BY id`, ids...)
	if err != nil {
		return fmt.Errorf("read recovery addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var identityID, via, value string
		if err := rows.Scan(&identityID, &via, &value); err != nil {
			return fmt.Errorf("read recovery addresses: %w", err)
		}
		if i := byID[identityID]; i != nil {
			i.recovery = append(i.recovery, via+":"+value)
		}
	}
	return rows.Err()
}

// sourceSession is one row of the reference's sessions table.
type sourceSession struct {
	id, identityID, token                string
	active                               bool
	issuedAt, expiresAt, authenticatedAt time.Time
}

func (s *sourceSession) fingerprint() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%s|%t|%s|%s|%s", s.id, s.identityID, s.token, s.active, s.issuedAt, s.expiresAt, s.authenticatedAt))
	return hex.EncodeToString(sum[:])[:32]
}

func (s *Source) sessions(ctx context.Context, after string, limit int) ([]*sourceSession, error) {
	rows, err := s.query(ctx, `SELECT id, identity_id, token, active, issued_at, expires_at, authenticated_at FROM sessions WHERE nid = ? AND id > ? ORDER BY id LIMIT ?`, s.nid, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	defer rows.Close()
	var out []*sourceSession
	for rows.Next() {
		var ss sourceSession
		var token, active, issued, expires, authenticated any
		if err := rows.Scan(&ss.id, &ss.identityID, &token, &active, &issued, &expires, &authenticated); err != nil {
			return nil, fmt.Errorf("read sessions: %w", err)
		}
		ss.token, ss.active = asString(token), asBool(active)
		ss.issuedAt, _ = asTime(issued)
		ss.expiresAt, _ = asTime(expires)
		ss.authenticatedAt, _ = asTime(authenticated)
		out = append(out, &ss)
	}
	return out, rows.Err()
}
