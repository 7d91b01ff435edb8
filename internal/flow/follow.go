package flow

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store"
)

// Follow serves a request that names a flow from outside its submit
// endpoint, a mailed link with ?flow= and a token: the flow is looked up
// before anything else is used, an unknown one is an error, an expired one
// is replaced as a submission to it would be (a new flow of its type
// saying so, an api flow's JSON or a browser flow's page), and only a live
// one runs follow.
func (k *Kit) Follow(w http.ResponseWriter, r *http.Request, s Submit, follow func() error) error {
	_, err := k.Find(r, s.Kind)
	var expired *ExpiredError
	switch {
	case errors.As(err, &expired):
		return k.replace(w, r, s, expired.Flow)
	case err != nil:
		return err
	}
	return follow()
}

// PassChallenge records that the challenge of flow id was answered out of
// band (its mailed link was followed) and returns the flow, or nil when
// the flow is gone: the link did its work all the same.
func (k *Kit) PassChallenge(ctx context.Context, kind Kind, id uuid.UUID) (*Flow, error) {
	f, err := k.Flows.Flow(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f.State = "passed_challenge"
	return f, k.Flows.UpdateFlow(ctx, f)
}
