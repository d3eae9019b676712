package casework

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/webhook"
)

// CreateWebhookSecret makes a new signing secret for an operator's webhooks and returns it,
// the only time it is shown. The secrets that signed until now keep signing for the
// configured overlap, so the operator's receiver can switch without losing a delivery. An
// administrator or the operator itself may do it.
func (s *Service) CreateWebhookSecret(ctx context.Context, operatorID int64) (string, *takedown.WebhookSecret, error) {
	u, err := require(ctx, takedown.RoleAdmin, takedown.RoleOperator)
	if err != nil {
		return "", nil, err
	}
	if u.Role == takedown.RoleOperator && u.OperatorID != operatorID {
		return "", nil, forbidden("you can make webhook secrets for your own operator only")
	}
	secret, err := webhook.NewSecret(rand.Reader)
	if err != nil {
		return "", nil, fmt.Errorf("casework: webhook secret: %w", err)
	}
	sealed, err := s.sealer.Seal([]byte(secret))
	if err != nil {
		return "", nil, fmt.Errorf("casework: seal webhook secret: %w", err)
	}
	ws := &takedown.WebhookSecret{OperatorID: operatorID, Sealed: sealed}
	err = s.update(ctx, func(tx takedown.Tx) error {
		o, err := tx.Operator(operatorID)
		if err != nil {
			return err
		}
		now := tx.Now()
		old, err := tx.WebhookSecrets(o.ID)
		if err != nil {
			return err
		}
		expires := now.Add(s.outbox.SecretOverlap)
		for _, w := range old {
			if w.ExpiresAt == nil || w.ExpiresAt.After(expires) {
				w.ExpiresAt = &expires
				if err := tx.UpdateWebhookSecret(w); err != nil {
					return err
				}
			}
		}
		ws.CreatedAt = now
		if err := tx.CreateWebhookSecret(ws); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventWebhookSecretCreated, operator: o.ID,
			data: map[string]any{"secret_id": ws.ID, "previous_expire_at": expires, "previous": len(old)}})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, ws, nil
}

// signingSecrets returns an operator's secrets that sign now, newest first.
func (s *Service) signingSecrets(tx takedown.Tx, operatorID int64) ([]string, error) {
	all, err := tx.WebhookSecrets(operatorID)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := len(all) - 1; i >= 0; i-- {
		if !all[i].Active(tx.Now()) {
			continue
		}
		plain, err := s.sealer.Unseal(all[i].Sealed)
		if err != nil {
			return nil, fmt.Errorf("casework: unseal webhook secret %d: %w", all[i].ID, err)
		}
		out = append(out, string(plain))
	}
	return out, nil
}
