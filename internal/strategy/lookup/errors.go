package lookup

import "github.com/latchkey/latchkey/internal/httpx"

var (
	errNothingToConfirm = httpx.ErrBadRequest.WithReason("There are no new recovery codes to confirm: make new ones first.")
	errNothingToReveal  = httpx.ErrBadRequest.WithReason("There are no recovery codes to show: make new ones first.")
)
