package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/takedown-project/takedown"
)

const transmissionColumns = `id, delivery_id, operator_id, transport, message_id, state, attempts, created_at, next_attempt_at,
	last_attempt_at, last_status, last_error, accepted_at, failed_at, clarification`

func scanTransmission(s scanner) (*takedown.Transmission, error) {
	var m takedown.Transmission
	var created, next int64
	var last, accepted, failed sql.NullInt64
	var clarification int
	if err := s.Scan(&m.ID, &m.DeliveryID, &m.OperatorID, &m.Transport, &m.MessageID, &m.State, &m.Attempts, &created, &next,
		&last, &m.LastStatus, &m.LastError, &accepted, &failed, &clarification); err != nil {
		return nil, err
	}
	m.Clarification = clarification == 1
	m.CreatedAt, m.NextAttemptAt = fromTS(created), fromTS(next)
	m.LastAttemptAt, m.AcceptedAt, m.FailedAt = fromTSPtr(last), fromTSPtr(accepted), fromTSPtr(failed)
	return &m, nil
}

// CreateTransmission inserts a transmission into the outbox and sets its id.
func (t *Tx) CreateTransmission(m *takedown.Transmission) (err error) {
	m.ID, err = t.insert(`INSERT INTO transmissions (delivery_id, operator_id, transport, message_id, state, attempts, created_at,
		next_attempt_at, last_attempt_at, last_status, last_error, accepted_at, failed_at, clarification)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.DeliveryID, m.OperatorID, m.Transport, m.MessageID, m.State, m.Attempts, ts(m.CreatedAt), ts(m.NextAttemptAt),
		tsPtr(m.LastAttemptAt), m.LastStatus, m.LastError, tsPtr(m.AcceptedAt), tsPtr(m.FailedAt), boolInt(m.Clarification))
	return err
}

// UpdateTransmission writes a transmission's mutable fields.
func (t *Tx) UpdateTransmission(m *takedown.Transmission) error {
	_, err := t.exec(`UPDATE transmissions SET state = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?, last_status = ?,
		last_error = ?, accepted_at = ?, failed_at = ? WHERE id = ?`,
		m.State, m.Attempts, ts(m.NextAttemptAt), tsPtr(m.LastAttemptAt), m.LastStatus, m.LastError, tsPtr(m.AcceptedAt),
		tsPtr(m.FailedAt), m.ID)
	return err
}

// Transmission returns a transmission by id.
func (t *Tx) Transmission(id int64) (*takedown.Transmission, error) {
	m, err := scanTransmission(t.queryRow(`SELECT `+transmissionColumns+` FROM transmissions WHERE id = ?`, id))
	return m, notFound(err, "transmission", id)
}

// Transmissions lists transmissions by id.
func (t *Tx) Transmissions(f takedown.TransmissionFilter) ([]*takedown.Transmission, string, error) {
	var w where
	if f.DeliveryID != 0 {
		w.add("delivery_id = ?", f.DeliveryID)
	}
	if f.OperatorID != 0 {
		w.add("operator_id = ?", f.OperatorID)
	}
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	if f.Due {
		w.add("state = 'pending' AND next_attempt_at <= ?", t.now.UnixNano())
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+transmissionColumns+` FROM transmissions`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Transmission, error) { return scanTransmission(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(m *takedown.Transmission) string { return strconv.FormatInt(m.ID, 10) })
	return list, next, nil
}

// CreateWebhookSecret inserts a sealed webhook secret and sets its id.
func (t *Tx) CreateWebhookSecret(s *takedown.WebhookSecret) (err error) {
	s.ID, err = t.insert(`INSERT INTO webhook_secrets (operator_id, sealed, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.OperatorID, s.Sealed, ts(s.CreatedAt), tsPtr(s.ExpiresAt))
	return err
}

// UpdateWebhookSecret writes a secret's expiry.
func (t *Tx) UpdateWebhookSecret(s *takedown.WebhookSecret) error {
	_, err := t.exec(`UPDATE webhook_secrets SET expires_at = ? WHERE id = ?`, tsPtr(s.ExpiresAt), s.ID)
	return err
}

// WebhookSecrets returns an operator's secrets, oldest first.
func (t *Tx) WebhookSecrets(operatorID int64) ([]*takedown.WebhookSecret, error) {
	rows, err := t.query(`SELECT id, operator_id, sealed, created_at, expires_at FROM webhook_secrets WHERE operator_id = ? ORDER BY id`,
		operatorID)
	return collect(rows, err, func(r *sql.Rows) (*takedown.WebhookSecret, error) {
		var s takedown.WebhookSecret
		var created int64
		var expires sql.NullInt64
		if err := r.Scan(&s.ID, &s.OperatorID, &s.Sealed, &created, &expires); err != nil {
			return nil, err
		}
		s.CreatedAt, s.ExpiresAt = fromTS(created), fromTSPtr(expires)
		return &s, nil
	})
}

// CreateComplianceCheck inserts a compliance check and sets its id.
func (t *Tx) CreateComplianceCheck(c *takedown.ComplianceCheck) (err error) {
	c.ID, err = t.insert(`INSERT INTO compliance_checks (delivery_id, target, checked_at, status, digest, size, outcome, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.DeliveryID, c.Target, ts(c.CheckedAt), c.Status, c.Digest, c.Size, c.Outcome, c.Reason)
	return err
}

// ComplianceChecks returns a delivery's checks, oldest first.
func (t *Tx) ComplianceChecks(deliveryID int64) ([]*takedown.ComplianceCheck, error) {
	rows, err := t.query(`SELECT id, delivery_id, target, checked_at, status, digest, size, outcome, reason
		FROM compliance_checks WHERE delivery_id = ? ORDER BY id`, deliveryID)
	return collect(rows, err, func(r *sql.Rows) (*takedown.ComplianceCheck, error) {
		var c takedown.ComplianceCheck
		var at int64
		if err := r.Scan(&c.ID, &c.DeliveryID, &c.Target, &at, &c.Status, &c.Digest, &c.Size, &c.Outcome, &c.Reason); err != nil {
			return nil, err
		}
		c.CheckedAt = fromTS(at)
		return &c, nil
	})
}
