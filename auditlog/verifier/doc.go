// Package verifier is the controller's side of the audit log: it verifies, from the log's
// public tiles alone or with the record's events, that the log is one append-only history,
// signed by the log's key and cosigned by the witnesses the controller requires, and that
// every event of the record is the one its leaf committed to. The authority writes and
// publishes the log (package publisher); this package only reads it, and shares nothing with
// the writer but the formats of package auditlog.
//
// # What Verify checks
//
// Verify opens the source's checkpoint with the log's keys (one, or two while a key is
// rotated) and the required witnesses' cosignature/v1 keys; fetches every level-0 hash tile
// and entry bundle of the tree at the checkpoint's size; checks that each entry hashes to its
// leaf; recomputes the whole tree from the leaves and compares its root with the signed one
// and its inner hashes with the served higher-level tiles; and, when the source has the
// events (a token with a server, or events.jsonl in a bundle), checks events 1 to size, in
// order and with no gap, against their leaves with auditlog.CheckEvent. Events beyond the
// checkpoint's size are not yet checkpointed and are ignored.
//
// A signed checkpoint by itself cannot show a rewritten history: the authority could rebuild
// the tree from any leaf and sign the new root with its own key. What shows it is a copy of
// what was verified before. With a state file, Verify keeps the controller's own copy of the
// leaf hashes it verified, and pinpoints a rewrite by the first leaf that differs; a
// witness's cosignature gives the same protection to anyone who requires it.
//
// # Errors
//
// When the data does not add up, the error is an *InconsistencyError, which wraps
// auditlog.ErrInconsistent and carries the evidence: what failed, the leaf index and event id
// when one is at fault, the tile, and both checkpoints (the one the state file held and the one
// the source served), as signed notes. A source that cannot be read (an HTTP error, a missing
// tile, a file cut short) gives a plain error, wrapping auditlog.ErrMalformed when the data is
// not in its format: it proves nothing about the log.
//
// # The state file
//
// The state is the last verified checkpoint and the tree's leaf hashes at its size. It is
// written atomically (a temporary file in the same directory, synced, then renamed) with mode
// 0600. Its format, version 1, is a few text lines and the leaf hashes in binary:
//
//	takedown-log-state v1\n
//	verified <time, RFC 3339 in UTC>\n
//	checkpoint <length in bytes>\n
//	<the signed checkpoint note, exactly as served>
//	leaves <count, equal to the checkpoint's size>\n
//	<count × 32 bytes: the leaf hashes, RFC 6962 order>
//	sha256 <64 hex digits: SHA-256 of every byte before this line>\n
//
// Numbers are decimal without leading zeros. A file that does not parse, whose checksum does
// not match, or whose leaves do not hash to its checkpoint's root is refused as corrupt: it is
// never silently replaced, since starting over would trust the log again on first use.
//
// # The bundle file
//
// A bundle is an uncompressed tar (USTAR) of the log at one checkpoint, for verification
// offline or to keep as evidence. Its members, in this order:
//
//	checkpoint                   the signed checkpoint note, as served at /log/checkpoint
//	README.txt                   what the file is and how to verify it
//	tile/0/000, tile/entries/000, tile/0/001, …   every level-0 hash tile and entry bundle,
//	tile/1/000, …                then the tiles of the higher levels, at their C2SP
//	                             tlog-tiles paths, full and partial ("tile/0/x001/234.p/17")
//	events.jsonl                 when exported with a token: the events 1 to size, one
//	                             takedown.Event JSON object a line, with its salt
//
// Directory members are allowed and ignored; any other member is refused, as is a tar cut
// short, a member missing or of the wrong size. A bundle is read through an index of its
// members (name, offset, size) and ReadAt, never loaded whole; events.jsonl is streamed.
// Export copies the events in the order and number the server gave them, so events out of order or missing in
// events.jsonl are what the server served: Verify reports them as inconsistencies, as it
// would from the server, not as a damaged file.
//
// # Memory
//
// Verify keeps 32 bytes of leaf hash per leaf, 32 more of entry when it checks the bodies,
// and, with a state file, the previous leaf hashes (32 bytes each) while it compares them:
// about 64 MB for a million events, 96 MB with a state file. The inner hashes it keeps, for
// the higher-level tiles, are a 255th of that.
package verifier
