package verifier

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Options are what Verify checks the log against.
type Options struct {
	// LogKeys are the log's verifier keys: the checkpoint must be signed by one of them.
	LogKeys []note.Verifier
	// Witnesses are the witnesses whose cosignature the checkpoint must carry, each; none
	// when no witness is required.
	Witnesses []note.Verifier
	// State is the path of the state file, "" for none. Without one, nothing shows a
	// history rewritten and re-signed since an earlier verification.
	State string
	// Workers is how many tiles are fetched at once; 0 for DefaultWorkers.
	Workers int
	// Progress, if not nil, is called as the work advances, from the calling goroutine.
	Progress func(stage Stage, done, total int64)
	// Now tells the time of the verification, kept in the state file; nil for time.Now.
	Now func() time.Time
}

// DefaultWorkers is how many tiles Verify fetches at once by default, and Export always: enough to hide a
// server's latency, few enough not to burden it.
const DefaultWorkers = 4

// Stage names what the progress counts.
type Stage string

// The stages of a verification.
const (
	// StageLeaves counts the leaves fetched and checked, of the checkpoint's size.
	StageLeaves Stage = "leaves"
	// StageBodies counts the event bodies checked against their leaves.
	StageBodies Stage = "event bodies"
)

// Result is what a successful verification established.
type Result struct {
	// Checkpoint is the verified checkpoint, with the witnesses that cosigned it.
	Checkpoint *auditlog.Opened
	// Signers are the log keys ("name+1a2b3c4d") that signed it.
	Signers []string
	// Previous is the checkpoint of the state file, which the new one extends leaf for
	// leaf; nil on a first verification.
	Previous *Checkpoint
	// First is true when there was no previous verification to compare with: the log is
	// trusted on first use.
	First bool
	// StateSaved is true when the state file was written.
	StateSaved bool
	// Leaves is the number of leaves checked: the checkpoint's size.
	Leaves int64
	// Tiles is the number of hash tiles and entry bundles fetched and checked.
	Tiles int64
	// Bodies is the number of events checked against their leaves.
	Bodies int64
	// NoBodies, when the events were not checked, says why.
	NoBodies string
}

// Verify verifies the log of a source at its current checkpoint, as the package
// documentation describes, and with a state file compares it with the previous
// verification and saves the new state. The error is an *InconsistencyError when the log
// does not add up, a *StateError when the state file cannot be used, and another error when
// the source cannot be read. When the log verified but its new state could not be saved, it
// returns the Result with the *StateError.
func Verify(ctx context.Context, src Source, opts Options) (*Result, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if len(opts.LogKeys) == 0 {
		return nil, errors.New("verifier: no log key: the log's public key is needed to verify it")
	}
	v := &verification{src: src, opts: opts, workers: opts.Workers}
	if v.workers <= 0 {
		v.workers = DefaultWorkers
	}
	if opts.State != "" {
		unlock, err := lockState(opts.State)
		if err != nil {
			return nil, err
		}
		defer unlock()
		s, err := LoadState(opts.State)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			var se *StateError
			if !errors.As(err, &se) {
				err = &StateError{Path: opts.State, Err: err}
			}
			return nil, err
		default:
			v.prev = s
			v.old = &s.Checkpoint
		}
	}

	msg, err := src.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("verifier: fetch the checkpoint: %w", err)
	}
	v.new = &Checkpoint{Note: msg, At: now()}
	if c, err := parseUnverified(msg); err == nil {
		v.new.Checkpoint = c
	}
	opened, err := auditlog.Open(msg, opts.LogKeys, opts.Witnesses)
	if errors.Is(err, auditlog.ErrInconsistent) {
		e := inconsistency(BadCheckpoint, -1, v.old, v.new, "the checkpoint does not verify: %s",
			strings.TrimPrefix(err.Error(), auditlog.ErrInconsistent.Error()+": "))
		e.Err = err
		return nil, e
	}
	if err != nil {
		return nil, fmt.Errorf("verifier: the checkpoint: %w", err)
	}
	v.new.Checkpoint = opened.Checkpoint
	v.size = opened.Size
	v.res = &Result{Checkpoint: opened, Signers: Signers(msg, opts.LogKeys), First: v.prev == nil, Leaves: opened.Size}
	if v.prev != nil {
		v.res.Previous = v.old
		if v.old.Origin != opened.Origin {
			return nil, &StateError{Path: opts.State, Err: fmt.Errorf("it is the state of the log %q, not of %q", v.old.Origin, opened.Origin)}
		}
		if opened.Size < v.old.Size {
			return nil, inconsistency(Rollback, -1, v.old, v.new,
				"the log went back from size %d, which you verified on %s, to size %d: a signed checkpoint of a smaller tree is a rollback of the record",
				v.old.Size, when(v.old.At), opened.Size)
		}
	}

	events, err := src.Events(ctx)
	switch {
	case errors.Is(err, ErrNoEvents):
		v.res.NoBodies = strings.TrimPrefix(err.Error(), ErrNoEvents.Error()+": ")
	case err != nil:
		return nil, fmt.Errorf("verifier: %w", err)
	}
	if err := v.leaves(ctx, events != nil); err != nil {
		return nil, err
	}
	if err := v.higherTiles(ctx); err != nil {
		return nil, err
	}
	v.prev = nil // the previous leaves are compared: free them before the bodies
	if events != nil {
		if err := v.bodies(ctx, events); err != nil {
			return nil, err
		}
	}
	if opts.State != "" {
		s := &State{Checkpoint: Checkpoint{Checkpoint: opened.Checkpoint, Note: msg, At: v.new.At}, Leaves: v.leafHashes}
		if err := saveState(opts.State, s); err != nil {
			return v.res, err // the log verified; only its state could not be kept
		}
		v.res.StateSaved = true
	}
	return v.res, nil
}

// verification is one run of Verify.
type verification struct {
	src      Source
	opts     Options
	workers  int
	prev     *State
	old, new *Checkpoint
	size     int64
	res      *Result

	leafHashes []tlog.Hash
	entries    [][auditlog.EntrySize]byte // when the bodies are checked
	tree       treeBuilder
}

// progress reports progress, if asked to.
func (v *verification) progress(stage Stage, done int64) {
	if v.opts.Progress != nil {
		v.opts.Progress(stage, done, v.size)
	}
}

// levelZero is a level-0 hash tile with its entry bundle.
type levelZero struct {
	hashes  []tlog.Hash
	entries [][]byte
}

// leaves fetches every level-0 tile and entry bundle, checks each entry against its leaf
// hash and each leaf against the state's, and recomputes the tree's root.
func (v *verification) leaves(ctx context.Context, keepEntries bool) error {
	v.leafHashes = make([]tlog.Hash, 0, min(v.size, 1<<20))
	if keepEntries {
		v.entries = make([][auditlog.EntrySize]byte, 0, min(v.size, 1<<20))
	}
	oldSize := int64(-1)
	if v.prev != nil {
		oldSize = v.old.Size
	}
	err := inOrder(ctx, v.workers, tileCount(0, v.size), func(ctx context.Context, n int64) (levelZero, error) {
		t := tileAt(0, n, v.size)
		data, err := v.src.Tile(ctx, t)
		if err != nil {
			return levelZero{}, fmt.Errorf("verifier: fetch %s: %w", auditlog.TilePath(t), err)
		}
		hashes, err := parseHashTile(t, data)
		if err != nil {
			return levelZero{}, fmt.Errorf("verifier: %w", err)
		}
		et := tileAt(auditlog.EntriesLevel, n, v.size)
		data, err = v.src.Tile(ctx, et)
		if err != nil {
			return levelZero{}, fmt.Errorf("verifier: fetch %s: %w", auditlog.TilePath(et), err)
		}
		entries, err := auditlog.ParseBundle(data, et.W)
		if err != nil {
			return levelZero{}, fmt.Errorf("verifier: %s: %w", auditlog.TilePath(et), err)
		}
		return levelZero{hashes, entries}, nil
	}, func(n int64, z levelZero) error {
		v.res.Tiles += 2
		for i, th := range z.hashes {
			idx := n*auditlog.TileWidth + int64(i)
			lh := tlog.RecordHash(z.entries[i])
			// Tiles that contradict each other are not another history, only bad data;
			// one that holds together but differs from the state's is a rewritten one.
			if lh != th {
				e := inconsistency(TreeMismatch, idx, v.old, v.new,
					"%s: its entry in %s hashes to %s, but %s holds %s: the log's tiles contradict each other",
					leafName(idx), auditlog.TilePath(tileAt(auditlog.EntriesLevel, n, v.size)), hashText(lh), auditlog.TilePath(tileAt(0, n, v.size)), hashText(th))
				e.Tile = auditlog.TilePath(tileAt(0, n, v.size))
				return e
			}
			if idx < oldSize && th != v.prev.Leaves[idx] {
				return v.fork(idx)
			}
			v.leafHashes = append(v.leafHashes, th)
			if keepEntries {
				v.entries = append(v.entries, [auditlog.EntrySize]byte(z.entries[i]))
			}
			v.tree.add(th)
			if idx+1 == oldSize && v.tree.root() != v.old.Root {
				return inconsistency(Fork, -1, v.old, v.new,
					"the tree of the first %d leaves does not have the root of the checkpoint of size %d that you verified on %s: the log was rewritten",
					oldSize, oldSize, when(v.old.At))
			}
		}
		v.progress(StageLeaves, int64(len(v.leafHashes)))
		return nil
	})
	if err != nil {
		return err
	}
	if root := v.tree.root(); root != v.new.Root {
		return inconsistency(TreeMismatch, -1, v.old, v.new,
			"the tree recomputed from the %d leaves has the root %s, but the checkpoint of size %d says %s: the tiles are not the tree the log signed",
			v.size, hashText(root), v.size, hashText(v.new.Root))
	}
	return nil
}

// fork is the evidence that leaf idx, verified before, has changed.
func (v *verification) fork(idx int64) error {
	return inconsistency(Fork, idx, v.old, v.new,
		"%s changed since the checkpoint of size %d that you verified on %s: the log was rewritten",
		leafName(idx), v.old.Size, when(v.old.At))
}

// higherTiles fetches the tiles above level 0 and checks each of their hashes against the
// recomputed tree.
func (v *verification) higherTiles(ctx context.Context) error {
	var list []tlog.Tile
	for l := 1; l < hashLevels(v.size); l++ {
		for n := int64(0); n < tileCount(l, v.size); n++ {
			list = append(list, tileAt(l, n, v.size))
		}
	}
	return inOrder(ctx, v.workers, int64(len(list)), func(ctx context.Context, i int64) ([]tlog.Hash, error) {
		t := list[i]
		data, err := v.src.Tile(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("verifier: fetch %s: %w", auditlog.TilePath(t), err)
		}
		hashes, err := parseHashTile(t, data)
		if err != nil {
			return nil, fmt.Errorf("verifier: %w", err)
		}
		return hashes, nil
	}, func(i int64, hashes []tlog.Hash) error {
		t := list[i]
		v.res.Tiles++
		for j, h := range hashes {
			k := t.N*auditlog.TileWidth + int64(j)
			if want := v.tree.tiers[t.L][k]; h != want {
				e := inconsistency(TreeMismatch, -1, v.old, v.new,
					"%s holds %s as its hash %d, but the tree recomputed from the leaves has %s there: the log's tiles contradict its leaves",
					auditlog.TilePath(t), hashText(h), j, hashText(want))
				e.Tile = auditlog.TilePath(t)
				return e
			}
		}
		return nil
	})
}

// bodies checks the events 1 to size, in order, against their leaves.
func (v *verification) bodies(ctx context.Context, events iter.Seq2[*takedown.Event, error]) error {
	next := int64(1) // the id the next event must have
	missing, after := int64(0), int64(0)
	for e, err := range events {
		if err != nil {
			return fmt.Errorf("verifier: read the events: %w", err)
		}
		if missing != 0 {
			// Event missing was not where it should be: is it later (reordered), or
			// nowhere (deleted)?
			if e.ID == missing {
				return inconsistency(BodyOutOfOrder, auditlog.LeafIndex(missing), v.old, v.new,
					"%s is out of place: it comes after event %d: the record was reordered", eventName(missing), after)
			}
			continue
		}
		switch {
		case e.ID == next && next <= v.size:
			if len(e.Salt) != auditlog.SaltSize {
				return inconsistency(BodyChanged, auditlog.LeafIndex(e.ID), v.old, v.new,
					"%s comes with a salt of %d bytes, not %d: it cannot be checked against its leaf", eventName(e.ID), len(e.Salt), auditlog.SaltSize)
			}
			if err := auditlog.CheckEvent(e, v.entries[auditlog.LeafIndex(e.ID)][:]); err != nil {
				ie := inconsistency(BodyChanged, auditlog.LeafIndex(e.ID), v.old, v.new,
					"%s does not match its leaf in the checkpoint of size %d: its body or its salt was changed after it was logged", eventName(e.ID), v.size)
				ie.Err = err
				return ie
			}
			next++
			v.res.Bodies++
			if v.res.Bodies%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				v.progress(StageBodies, v.res.Bodies)
			}
		case e.ID > v.size && next > v.size:
			v.progress(StageBodies, v.res.Bodies)
			return nil // the rest is not yet checkpointed
		case e.ID > next:
			missing, after = next, e.ID
		default:
			return inconsistency(BodyOutOfOrder, auditlog.LeafIndex(e.ID), v.old, v.new,
				"%s comes again, or out of place, after event %d: the record was reordered", eventName(e.ID), next-1)
		}
	}
	if missing != 0 {
		return inconsistency(BodyMissing, auditlog.LeafIndex(missing), v.old, v.new,
			"%s is missing from the record, where event %d comes in its place: it was deleted", eventName(missing), after)
	}
	if next <= v.size {
		return inconsistency(BodyMissing, auditlog.LeafIndex(next), v.old, v.new,
			"%s is missing from the record, which ends at event %d though the checkpoint covers %d: it was deleted", eventName(next), next-1, v.size)
	}
	v.progress(StageBodies, v.res.Bodies)
	return nil
}

// NewVerification returns what to record of a verification's outcome
// (POST /api/v1/log/verifications): its checkpoint and result, or the inconsistency it
// found. It returns false when there is nothing to record: the source could not be read, so
// nothing was verified.
func NewVerification(res *Result, err error) (*takedown.Verification, bool) {
	if res != nil { // verified, even if its state could not be saved
		return &takedown.Verification{Checkpoint: string(res.Checkpoint.Note), Size: res.Checkpoint.Size, OK: true, Bodies: res.Bodies}, true
	}
	var ie *InconsistencyError
	if !errors.As(err, &ie) || ie.New == nil || len(ie.New.Note) == 0 {
		return nil, false
	}
	problem := ie.Error()
	if len(problem) > takedown.MaxReasonsLength {
		problem = problem[:takedown.MaxReasonsLength]
	}
	return &takedown.Verification{Checkpoint: string(ie.New.Note), Size: ie.New.Size, OK: false, Problem: problem}, true
}
