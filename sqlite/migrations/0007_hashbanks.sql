-- Hash banks: sets of hashes per offence and source, with the operators entitled to their
-- feed (JSON array of ids).
CREATE TABLE hash_banks (
	id          INTEGER PRIMARY KEY,
	name        TEXT    NOT NULL UNIQUE,
	offence     TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	description TEXT    NOT NULL,
	negative    INTEGER NOT NULL,
	radius      INTEGER NOT NULL,
	min_quality INTEGER NOT NULL,
	platforms   TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);

-- One hash in one bank. seq numbers every change for the platform feed: the largest seq
-- plus one at each insert or update (writes are serialised). quality is NULL when unknown.
CREATE TABLE hash_entries (
	id           INTEGER PRIMARY KEY,
	bank_id      INTEGER NOT NULL REFERENCES hash_banks (id),
	type         TEXT    NOT NULL,
	value        TEXT    NOT NULL,
	quality      INTEGER,
	labels       TEXT    NOT NULL,
	case_ids     TEXT    NOT NULL,
	state        TEXT    NOT NULL,
	reasons      TEXT    NOT NULL,
	added_at     INTEGER NOT NULL,
	seq          INTEGER NOT NULL UNIQUE,
	updated_at   INTEGER NOT NULL,
	fb_matches   INTEGER NOT NULL DEFAULT 0,
	fb_confirms  INTEGER NOT NULL DEFAULT 0,
	fb_disagrees INTEGER NOT NULL DEFAULT 0,
	UNIQUE (bank_id, type, value)
);
CREATE INDEX hash_entries_bank ON hash_entries (bank_id, id);
CREATE INDEX hash_entries_value ON hash_entries (type, value);

-- The cases each entry is linked to (also in hash_entries.case_ids), to find a case's hashes.
CREATE TABLE hash_entry_cases (
	entry_id INTEGER NOT NULL REFERENCES hash_entries (id),
	case_id  INTEGER NOT NULL REFERENCES cases (id),
	PRIMARY KEY (entry_id, case_id)
);
CREATE INDEX hash_entry_cases_case ON hash_entry_cases (case_id);

-- What platforms reported on entries: matches found, labels confirmed or disputed.
CREATE TABLE hash_feedback (
	id          INTEGER PRIMARY KEY,
	entry_id    INTEGER NOT NULL REFERENCES hash_entries (id),
	operator_id INTEGER NOT NULL REFERENCES operators (id),
	kind        TEXT    NOT NULL,
	count       INTEGER NOT NULL,
	labels      TEXT    NOT NULL,
	note        TEXT    NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX hash_feedback_entry ON hash_feedback (entry_id, id);

-- The hashes a report carried and what they matched; the cases a new case's report matched.
ALTER TABLE reports ADD COLUMN hashes TEXT;
ALTER TABLE reports ADD COLUMN matches TEXT;
ALTER TABLE cases ADD COLUMN related TEXT;
