-- The procedure's tables. Times are Unix nanoseconds (UTC); JSON columns hold small
-- structured values (decisions, qualifications); booleans are 0 or 1.

CREATE TABLE operators (
	id              INTEGER PRIMARY KEY,
	name            TEXT    NOT NULL,
	kind            TEXT    NOT NULL,
	contact         TEXT    NOT NULL,
	languages       TEXT    NOT NULL,
	domains         TEXT    NOT NULL,
	tco_informed_at INTEGER,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX operators_kind ON operators (kind, id);

CREATE TABLE users (
	id          INTEGER PRIMARY KEY,
	name        TEXT    NOT NULL,
	role        TEXT    NOT NULL,
	operator_id INTEGER REFERENCES operators (id),
	disabled    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	hash       BLOB    NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE cases (
	id            INTEGER PRIMARY KEY,
	state         TEXT    NOT NULL,
	priority      INTEGER NOT NULL,
	offence       TEXT    NOT NULL,
	qualification TEXT,
	hold          TEXT,
	returned      TEXT,
	closure       TEXT,
	reports       INTEGER NOT NULL,
	opened_at     INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX cases_queue ON cases (priority DESC, id);
CREATE INDEX cases_state ON cases (state, priority DESC, id);

-- A canonical URL belongs to at most one open case: reports about it join that case.
CREATE TABLE case_urls (
	case_id  INTEGER NOT NULL REFERENCES cases (id),
	position INTEGER NOT NULL,
	url      TEXT    NOT NULL,
	open     INTEGER NOT NULL,
	PRIMARY KEY (case_id, position)
);
CREATE UNIQUE INDEX case_urls_open ON case_urls (url) WHERE open = 1;
CREATE INDEX case_urls_url ON case_urls (url);

CREATE TABLE reports (
	id          INTEGER PRIMARY KEY,
	receipt     TEXT    NOT NULL UNIQUE,
	channel     TEXT    NOT NULL,
	flagger_id  INTEGER REFERENCES users (id),
	offence     TEXT    NOT NULL,
	description TEXT    NOT NULL,
	contact     BLOB,
	good_faith  INTEGER NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE INDEX reports_flagger ON reports (flagger_id, id);

CREATE TABLE report_urls (
	report_id INTEGER NOT NULL REFERENCES reports (id),
	position  INTEGER NOT NULL,
	url       TEXT    NOT NULL,
	canonical TEXT    NOT NULL,
	case_id   INTEGER NOT NULL REFERENCES cases (id),
	PRIMARY KEY (report_id, position)
);
CREATE INDEX report_urls_case ON report_urls (case_id, report_id);

CREATE TABLE measures (
	id                     INTEGER PRIMARY KEY,
	case_id                INTEGER NOT NULL REFERENCES cases (id),
	kind                   TEXT    NOT NULL,
	state                  TEXT    NOT NULL,
	operator_id            INTEGER REFERENCES operators (id),
	targets                TEXT    NOT NULL,
	subtree                INTEGER NOT NULL,
	offence                TEXT    NOT NULL,
	reasons                TEXT    NOT NULL,
	publisher_unidentified TEXT    NOT NULL,
	emergency              TEXT    NOT NULL,
	proposed_by            INTEGER NOT NULL,
	proposed_at            INTEGER NOT NULL,
	approved_by            INTEGER,
	approved_at            INTEGER,
	issue_at               INTEGER,
	issued_at              INTEGER,
	refusal                TEXT,
	ending                 TEXT,
	ended_at               INTEGER,
	next_recheck           INTEGER,
	last_recheck           INTEGER,
	recheck_notified       INTEGER
);
CREATE INDEX measures_case ON measures (case_id, id);
CREATE INDEX measures_state ON measures (state, id);

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	measure_id      INTEGER NOT NULL REFERENCES measures (id),
	case_id         INTEGER NOT NULL REFERENCES cases (id),
	operator_id     INTEGER NOT NULL REFERENCES operators (id),
	kind            TEXT    NOT NULL,
	purpose         TEXT    NOT NULL,
	state           TEXT    NOT NULL,
	sent_at         INTEGER NOT NULL,
	has_deadline    INTEGER NOT NULL,
	deadline_at     INTEGER,
	acknowledged_at INTEGER,
	complied_at     INTEGER,
	overdue_at      INTEGER,
	answer          TEXT,
	clarification   TEXT
);
CREATE INDEX deliveries_measure ON deliveries (measure_id, id);
CREATE INDEX deliveries_case ON deliveries (case_id);
CREATE INDEX deliveries_operator ON deliveries (operator_id, id);
CREATE INDEX deliveries_deadline ON deliveries (deadline_at) WHERE has_deadline = 1;

-- Recommendations are never deleted, and what the controller wrote never changes.
CREATE TABLE recommendations (
	id         INTEGER PRIMARY KEY,
	measure_id INTEGER NOT NULL REFERENCES measures (id),
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	state      TEXT    NOT NULL,
	reasons    TEXT    NOT NULL,
	by_user    INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	answer     TEXT,
	court      TEXT
);
CREATE INDEX recommendations_measure ON recommendations (measure_id, id);
CREATE TRIGGER recommendations_no_delete BEFORE DELETE ON recommendations
BEGIN SELECT RAISE(ABORT, 'recommendations are never deleted'); END;
CREATE TRIGGER recommendations_fixed BEFORE UPDATE OF measure_id, case_id, reasons, by_user, at ON recommendations
BEGIN SELECT RAISE(ABORT, 'a recommendation''s text and author never change'); END;

-- The record of every change: append-only.
CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	kind        TEXT    NOT NULL,
	actor_id    INTEGER NOT NULL,
	actor_role  TEXT    NOT NULL,
	case_id     INTEGER,
	measure_id  INTEGER,
	operator_id INTEGER,
	data        TEXT    NOT NULL
);
CREATE INDEX events_case ON events (case_id, id);
CREATE INDEX events_measure ON events (measure_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
