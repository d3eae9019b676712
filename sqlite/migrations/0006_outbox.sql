-- How each operator is sent its deliveries (JSON: webhook endpoint, e-mail, search API);
-- operators registered before had e-mail only.
ALTER TABLE operators ADD COLUMN channels TEXT NOT NULL DEFAULT '{"email":true}';

-- An operator's webhook signing secrets, sealed with the vault; during a rotation the old
-- one carries its expiry and both sign.
CREATE TABLE webhook_secrets (
	id          INTEGER PRIMARY KEY,
	operator_id INTEGER NOT NULL REFERENCES operators (id),
	sealed      BLOB    NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER
);
CREATE INDEX webhook_secrets_operator ON webhook_secrets (operator_id, id);

-- The outbox: one row per delivery and transport, written in the delivery's transaction.
-- message_id is the receiver's idempotency key, the same on every attempt.
CREATE TABLE transmissions (
	id              INTEGER PRIMARY KEY,
	delivery_id     INTEGER NOT NULL REFERENCES deliveries (id),
	operator_id     INTEGER NOT NULL REFERENCES operators (id),
	transport       TEXT    NOT NULL,
	message_id      TEXT    NOT NULL UNIQUE,
	state           TEXT    NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	next_attempt_at INTEGER NOT NULL,
	last_attempt_at INTEGER,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT    NOT NULL DEFAULT '',
	accepted_at     INTEGER,
	failed_at       INTEGER
);
CREATE INDEX transmissions_due ON transmissions (next_attempt_at) WHERE state = 'pending';
CREATE INDEX transmissions_delivery ON transmissions (delivery_id, id);
CREATE INDEX transmissions_operator ON transmissions (operator_id, id);

-- How a delivery was received (api, webhook, transfer, serial, feed), and its compliance
-- checks: when the content was found gone, when the next check is due, how many were made.
ALTER TABLE deliveries ADD COLUMN received_via TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN verified_at INTEGER;
ALTER TABLE deliveries ADD COLUMN next_check_at INTEGER;
ALTER TABLE deliveries ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_check ON deliveries (next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE compliance_checks (
	id          INTEGER PRIMARY KEY,
	delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
	target      TEXT    NOT NULL,
	checked_at  INTEGER NOT NULL,
	status      INTEGER NOT NULL,
	digest      TEXT    NOT NULL,
	size        INTEGER NOT NULL,
	outcome     TEXT    NOT NULL,
	reason      TEXT    NOT NULL
);
CREATE INDEX compliance_checks_delivery ON compliance_checks (delivery_id, id);

-- The per-operator records read an operator's events (list updates it received).
CREATE INDEX events_operator ON events (operator_id, id) WHERE operator_id IS NOT NULL;

-- The end of a non-disclosure decision (TCO art. 11(3)) on a removal request or order.
ALTER TABLE measures ADD COLUMN non_disclosure_until INTEGER;

-- A transmission of the authority's clarification of a delivery (its receipt restarts a
-- stopped deadline), and when the scheduler recorded a delivery still not received.
ALTER TABLE transmissions ADD COLUMN clarification INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN unreceived_at INTEGER;
