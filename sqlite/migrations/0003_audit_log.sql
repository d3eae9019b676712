-- The audit log: a Merkle tree (RFC 6962, as golang.org/x/mod/sumdb/tlog stores it) whose
-- leaf i commits to event i+1. Written in the same transaction as the event; nothing here is
-- ever updated or deleted. The events that exist when this migration runs are appended to
-- the log by the program right after it, in the same transaction.

-- Leaf idx: the event's salt and the entry, SHA-256(salt || canonical event).
CREATE TABLE log_entries (
	idx   INTEGER PRIMARY KEY,
	salt  BLOB    NOT NULL,
	entry BLOB    NOT NULL
);

-- The tree's stored hashes, by tlog's stored-hash index.
CREATE TABLE log_hashes (
	id   INTEGER PRIMARY KEY,
	hash BLOB    NOT NULL
);

-- Every published checkpoint: the signed note with its cosignatures.
CREATE TABLE log_checkpoints (
	size      INTEGER PRIMARY KEY,
	root      BLOB    NOT NULL,
	note      TEXT    NOT NULL,
	signed_at INTEGER NOT NULL
);

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER log_hashes_no_update BEFORE UPDATE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints never change'); END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints never change'); END;

-- The latest event of a kind (the controller's last verification).
CREATE INDEX events_kind ON events (kind, id);
