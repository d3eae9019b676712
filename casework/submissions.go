package casework

import (
	"context"
	"time"

	"github.com/takedown-project/takedown"
)

// FormsRemembered is how long a console form's one-time id is remembered: a form sent again
// within it goes where the first went instead of being done twice.
const FormsRemembered = time.Hour

// ClaimForm claims a console form's one-time id for its first submission. For one already
// claimed, seen is true and redirect is where the first submission led, or "" while it is
// still being done. The ids are random and say nothing: no role is required.
func (s *Service) ClaimForm(ctx context.Context, id string) (redirect string, seen bool, err error) {
	err = s.store.Update(ctx, func(tx takedown.Tx) error {
		redirect, seen, err = tx.ClaimForm(id, tx.Now().Add(-FormsRemembered))
		return err
	})
	return redirect, seen, err
}

// FinishForm records where a claimed form's submission led.
func (s *Service) FinishForm(ctx context.Context, id, redirect string) error {
	return s.store.Update(ctx, func(tx takedown.Tx) error { return tx.FinishForm(id, redirect) })
}

// ReleaseForm forgets a claimed form whose submission failed, so that it can be sent again.
func (s *Service) ReleaseForm(ctx context.Context, id string) error {
	return s.store.Update(ctx, func(tx takedown.Tx) error { return tx.ReleaseForm(id) })
}
