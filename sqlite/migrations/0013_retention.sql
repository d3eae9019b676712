-- Evidence belongs to a case: a report's files (report_id, and the case they came in with),
-- or a file an officer attached or a page the server captured (no report). The table is
-- rebuilt because report_id becomes optional. A purged piece keeps its row (digest, size,
-- name) with its sealed content and preview emptied and purged_at set.
CREATE TABLE evidence_new (
	id           INTEGER PRIMARY KEY,
	report_id    INTEGER REFERENCES reports (id),
	case_id      INTEGER REFERENCES cases (id),
	source       TEXT    NOT NULL DEFAULT 'report',
	source_url   TEXT    NOT NULL DEFAULT '',
	added_by     INTEGER REFERENCES users (id),
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT    NOT NULL,
	sealed       BLOB    NOT NULL,
	preview      BLOB,
	received_at  INTEGER NOT NULL,
	purged_at    INTEGER
);
INSERT INTO evidence_new (id, report_id, case_id, name, content_type, size, sha256, sealed, preview, received_at)
	SELECT e.id, e.report_id, (SELECT min(case_id) FROM report_urls u WHERE u.report_id = e.report_id),
		e.name, e.content_type, e.size, e.sha256, e.sealed, e.preview, e.received_at FROM evidence e;
DROP TABLE evidence;
ALTER TABLE evidence_new RENAME TO evidence;
CREATE INDEX evidence_report ON evidence (report_id);
CREATE INDEX evidence_case ON evidence (case_id);
CREATE INDEX evidence_unpurged ON evidence (id) WHERE purged_at IS NULL;

-- When a reporter's contact was purged (the contact itself set to NULL).
ALTER TABLE reports ADD COLUMN contact_purged_at INTEGER;

-- Legal holds: a review by the controller or a court case suspends every purge of a case's
-- records until released. Distinct from the investigation (deconfliction) hold on cases.
CREATE TABLE legal_holds (
	id              INTEGER PRIMARY KEY,
	case_id         INTEGER NOT NULL REFERENCES cases (id),
	reference       TEXT    NOT NULL,
	reasons         TEXT    NOT NULL,
	placed_by       INTEGER NOT NULL,
	placed_at       INTEGER NOT NULL,
	released_by     INTEGER,
	released_at     INTEGER,
	release_reasons TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_case ON legal_holds (case_id);
