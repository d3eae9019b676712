-- The controller's review sessions: a batch of measures dealt to one or two reviewers.
CREATE TABLE review_sessions (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,
	reviewers  TEXT    NOT NULL,
	created_by INTEGER NOT NULL REFERENCES users (id),
	created_at INTEGER NOT NULL
);

CREATE TABLE review_items (
	id                INTEGER PRIMARY KEY,
	session_id        INTEGER NOT NULL REFERENCES review_sessions (id),
	position          INTEGER NOT NULL,
	measure_id        INTEGER NOT NULL REFERENCES measures (id),
	case_id           INTEGER NOT NULL REFERENCES cases (id),
	reviewer          INTEGER NOT NULL REFERENCES users (id),
	verdict           TEXT,
	note              TEXT    NOT NULL DEFAULT '',
	recommendation_id INTEGER REFERENCES recommendations (id),
	reviewed_at       INTEGER,
	answer            TEXT,
	UNIQUE (session_id, position)
);
CREATE INDEX review_items_case ON review_items (case_id) WHERE verdict = 'question';
CREATE INDEX review_items_next ON review_items (session_id, reviewer, position) WHERE verdict IS NULL;
