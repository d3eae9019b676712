-- The files that came with reports, sealed (age) to the vault's key, with their digest, and
-- for a picture its blurred preview, sealed too.
CREATE TABLE evidence (
	id           INTEGER PRIMARY KEY,
	report_id    INTEGER NOT NULL REFERENCES reports (id),
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT    NOT NULL,
	sealed       BLOB    NOT NULL,
	preview      BLOB,
	received_at  INTEGER NOT NULL
);
CREATE INDEX evidence_report ON evidence (report_id);

-- How many pieces of evidence each user opened each day (in the authority's zone).
CREATE TABLE exposures (
	user_id INTEGER NOT NULL REFERENCES users (id),
	day     TEXT    NOT NULL,
	views   INTEGER NOT NULL,
	PRIMARY KEY (user_id, day)
);
