-- What each operator received of the lists: the latest version, and how (a zone transfer, a
-- resolver's SOA serial, a feed fetch). A list delivery names the version that carries it, so
-- that receiving that version is receiving the delivery.
CREATE TABLE list_receipts (
	operator_id INTEGER NOT NULL REFERENCES operators (id),
	list        TEXT    NOT NULL,
	version     INTEGER NOT NULL,
	via         TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	PRIMARY KEY (list, operator_id)
) WITHOUT ROWID;

ALTER TABLE deliveries ADD COLUMN list_version INTEGER;
CREATE INDEX deliveries_list_version ON deliveries (operator_id, list_version) WHERE list_version IS NOT NULL;

-- The safety gates' objections to a list measure, and the supervisors' overrides (JSON).
ALTER TABLE measures ADD COLUMN objections TEXT;
ALTER TABLE measures ADD COLUMN overrides TEXT;

-- The measure whose coming into force (ended = 0) or ending (ended = 1) made a version, so
-- that a rollback can undo it; NULL for a version 1 made from the measures in force.
ALTER TABLE list_versions ADD COLUMN measure_id INTEGER REFERENCES measures (id);
ALTER TABLE list_versions ADD COLUMN ended INTEGER NOT NULL DEFAULT 0;
