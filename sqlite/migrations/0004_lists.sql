-- The published versions of the blocking and dereferencing lists, and what each changed: the
-- blocking zone's serial is its version, and its IXFR history is these changes. The lists in
-- force when this migration runs become their version 1, from the program that runs after it.
CREATE TABLE list_versions (
	list      TEXT    NOT NULL,
	version   INTEGER NOT NULL,
	published INTEGER NOT NULL,
	added     INTEGER NOT NULL,
	removed   INTEGER NOT NULL,
	PRIMARY KEY (list, version)
) WITHOUT ROWID;

CREATE TABLE list_changes (
	list       TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	added      INTEGER NOT NULL, -- 1 for an entry added, 0 for one removed
	target     TEXT    NOT NULL,
	subtree    INTEGER NOT NULL,
	offence    TEXT    NOT NULL,
	measure_id INTEGER NOT NULL REFERENCES measures (id),
	PRIMARY KEY (list, version, added, target)
) WITHOUT ROWID;

CREATE TRIGGER list_versions_no_update BEFORE UPDATE ON list_versions
BEGIN SELECT RAISE(ABORT, 'list versions never change'); END;
CREATE TRIGGER list_versions_no_delete BEFORE DELETE ON list_versions
BEGIN SELECT RAISE(ABORT, 'list versions never change'); END;
CREATE TRIGGER list_changes_no_update BEFORE UPDATE ON list_changes
BEGIN SELECT RAISE(ABORT, 'list versions never change'); END;
CREATE TRIGGER list_changes_no_delete BEFORE DELETE ON list_changes
BEGIN SELECT RAISE(ABORT, 'list versions never change'); END;
