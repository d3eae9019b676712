-- The console's one-time form ids, in the database rather than in one process's memory, so
-- that a form sent twice (a double click, a retry that a load balancer sends to another
-- replica) is done once whichever replica receives it.
CREATE TABLE form_submissions (
	id         TEXT    PRIMARY KEY,
	redirect   TEXT,              -- where the first submission led; NULL while it is being done
	claimed_at BIGINT  NOT NULL
);
CREATE INDEX form_submissions_claimed ON form_submissions (claimed_at);
