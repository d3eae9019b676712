package casework

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/webhook"
)

// NewWebhookSecret is a webhook secret just made: the secret itself, shown this once, and
// until when the previous ones still sign.
type NewWebhookSecret struct {
	Secret string `json:"secret"`
	*takedown.WebhookSecret
	// PreviousSignUntil is when the secrets made before stop signing; absent for a first one.
	PreviousSignUntil *time.Time `json:"previous_sign_until,omitempty"`
}

// CreateWebhookSecret makes a new signing secret for an operator's webhooks and returns it,
// the only time it is shown. The secrets that signed until now keep signing for the
// configured overlap, so the operator's receiver can switch without losing a delivery. An
// administrator or the operator itself may do it.
func (s *Service) CreateWebhookSecret(ctx context.Context, operatorID int64) (*NewWebhookSecret, error) {
	u, err := require(ctx, takedown.RoleAdmin, takedown.RoleOperator)
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleOperator && u.OperatorID != operatorID {
		return nil, forbidden("you can make webhook secrets for your own operator only")
	}
	secret, err := webhook.NewSecret(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("casework: webhook secret: %w", err)
	}
	sealed, err := s.sealer.Seal([]byte(secret))
	if err != nil {
		return nil, fmt.Errorf("casework: seal webhook secret: %w", err)
	}
	ws := &takedown.WebhookSecret{OperatorID: operatorID, Sealed: sealed}
	out := &NewWebhookSecret{Secret: secret, WebhookSecret: ws}
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
		if len(old) > 0 {
			out.PreviousSignUntil = &expires
		}
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
		return nil, err
	}
	return out, nil
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
		plain, err := s.secrets.unseal(s.sealer, all[i])
		if err != nil {
			return nil, err
		}
		out = append(out, plain)
	}
	return out, nil
}

// secretCache keeps the webhook secrets unsealed once: a secret never changes (only its
// expiry does), and unsealing one for every delivery of a list change to a thousand
// operators would cost more than sending them.
type secretCache struct {
	mu    sync.Mutex
	plain map[int64]string
}

func (c *secretCache) unseal(sealer Sealer, ws *takedown.WebhookSecret) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.plain[ws.ID]; ok {
		return p, nil
	}
	plain, err := sealer.Unseal(ws.Sealed)
	if err != nil {
		return "", fmt.Errorf("casework: unseal webhook secret %d: %w", ws.ID, err)
	}
	if c.plain == nil {
		c.plain = map[int64]string{}
	}
	c.plain[ws.ID] = string(plain)
	return string(plain), nil
}
