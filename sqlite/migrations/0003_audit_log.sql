-- The audit log: a Merkle tree (RFC 6962, as golang.org/x/mod/sumdb/tlog stores it) whose
-- leaf i commits to event i+1, written in the event's transaction. The event's row keeps its
-- salt; the tree's hashes are in log_hashes, and the row of a leaf's own hash also keeps the
-- leaf's entry, SHA-256(salt || canonical event). So one statement writes a leaf, and an
-- event row deleted behind the server's back leaves its leaf, which the verifier then names.
-- Nothing here is ever updated or deleted. The events that exist when this migration runs
-- get their salt and their leaf from the program that runs right after it, in the same
-- transaction: an event is frozen once it has its salt.

ALTER TABLE events ADD COLUMN salt BLOB;
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN OLD.salt IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The tree's stored hashes, by tlog's stored-hash index; entry is set on the rows of the
-- leaves' own hashes (level 0), whose hash is the hash of that entry.
CREATE TABLE log_hashes (
	id    INTEGER PRIMARY KEY,
	hash  BLOB    NOT NULL,
	entry BLOB
);
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Every published checkpoint: the signed note with its cosignatures.
CREATE TABLE log_checkpoints (
	size      INTEGER PRIMARY KEY,
	root      BLOB    NOT NULL,
	note      TEXT    NOT NULL,
	signed_at INTEGER NOT NULL
);
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints never change'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints never change'); END;

-- The controller's last verification, found without an index that every event would write.
CREATE INDEX events_verified ON events (id) WHERE kind = 'log.verified';
