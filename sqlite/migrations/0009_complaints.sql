-- Complaints from the public complaint form: contests of measures and reports of errors.
-- The contact is sealed like reporters' contacts.
CREATE TABLE complaints (
	id          INTEGER PRIMARY KEY,
	receipt     TEXT    NOT NULL UNIQUE,
	state       TEXT    NOT NULL,
	address     TEXT    NOT NULL,
	complainant TEXT    NOT NULL,
	body        TEXT    NOT NULL,
	contact     BLOB    NOT NULL,
	case_id     INTEGER REFERENCES cases (id),
	received_at INTEGER NOT NULL,
	answer      TEXT
);
CREATE INDEX complaints_state ON complaints (state, id);
