package verifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

// treeBuilder recomputes an RFC 6962 tree from its leaves, one at a time, keeping only the
// roots of its complete subtrees (one per bit of the size) and the inner hashes that tiles
// above level 0 hold: a whole tree is recomputed, however large, without a hash store.
type treeBuilder struct {
	stack []treeNode
	size  int64
	// tiers[L], for L ≥ 1, holds the hashes of tree level 8·L in index order: the hashes of
	// the level-L tiles.
	tiers [][]tlog.Hash
}

// treeNode is the root of a complete subtree of 2^level leaves.
type treeNode struct {
	level int
	hash  tlog.Hash
}

// add appends a leaf hash.
func (b *treeBuilder) add(h tlog.Hash) {
	level := 0
	for n := len(b.stack); n > 0 && b.stack[n-1].level == level; n = len(b.stack) {
		h = tlog.NodeHash(b.stack[n-1].hash, h)
		b.stack = b.stack[:n-1]
		level++
		if level%auditlog.TileHeight == 0 {
			tier := level / auditlog.TileHeight
			for len(b.tiers) <= tier {
				b.tiers = append(b.tiers, nil)
			}
			b.tiers[tier] = append(b.tiers[tier], h)
		}
	}
	b.stack = append(b.stack, treeNode{level, h})
	b.size++
}

// root returns the root hash of the tree of the leaves added so far: the complete subtrees
// hashed together from the right, as RFC 6962 splits a tree at its largest power of two.
func (b *treeBuilder) root() tlog.Hash {
	if len(b.stack) == 0 {
		return sha256.Sum256(nil) // the empty tree, as tlog.TreeHash(0) has it
	}
	h := b.stack[len(b.stack)-1].hash
	for i := len(b.stack) - 2; i >= 0; i-- {
		h = tlog.NodeHash(b.stack[i].hash, h)
	}
	return h
}

// rootOf returns the root hash of the tree of the given leaves.
func rootOf(leaves []tlog.Hash) tlog.Hash {
	var b treeBuilder
	for _, h := range leaves {
		b.add(h)
	}
	return b.root()
}

// tileCount returns how many tiles level l (or auditlog.EntriesLevel) has in a tree of the
// given size, counting the partial one at the right edge.
func tileCount(level int, size int64) int64 {
	if level == auditlog.EntriesLevel {
		level = 0
	}
	if level*auditlog.TileHeight >= 63 {
		return 0
	}
	count := size >> (auditlog.TileHeight * level)
	return (count + auditlog.TileWidth - 1) / auditlog.TileWidth
}

// tileAt returns tile n of level l in a tree of the given size, as wide as the size makes it.
func tileAt(level int, n, size int64) tlog.Tile {
	return tlog.Tile{H: auditlog.TileHeight, L: level, N: n, W: auditlog.TileWidthAt(level, n, size)}
}

// hashLevels returns how many levels of hash tiles a tree of the given size has.
func hashLevels(size int64) int {
	l := 0
	for tileCount(l, size) > 0 {
		l++
	}
	return l
}

// bundleTileCount returns how many tiles a bundle of a tree of the given size holds.
func bundleTileCount(size int64) int64 {
	n := 2 * tileCount(0, size)
	for l := 1; l < hashLevels(size); l++ {
		n += tileCount(l, size)
	}
	return n
}

// bundleTile returns tile i, counting from 0, in the order a bundle of a tree of the given
// size holds them: each level-0 tile followed by its entry bundle, then the higher levels.
// i must be less than bundleTileCount(size).
func bundleTile(size, i int64) tlog.Tile {
	n0 := tileCount(0, size)
	switch {
	case i < 2*n0 && i%2 == 0:
		return tileAt(0, i/2, size)
	case i < 2*n0:
		return tileAt(auditlog.EntriesLevel, i/2, size)
	}
	i -= 2 * n0
	l := 1
	for ; i >= tileCount(l, size); l++ {
		i -= tileCount(l, size)
	}
	return tileAt(l, i, size)
}

// tileDataSize returns the size of a tile's data: 32 bytes a hash, or for an entry bundle 2
// bytes of length and 32 of entry.
func tileDataSize(t tlog.Tile) int64 {
	if t.L == auditlog.EntriesLevel {
		return int64(t.W) * (2 + auditlog.EntrySize)
	}
	return int64(t.W) * tlog.HashSize
}

// parseHashTile checks a hash tile's size and returns its hashes.
func parseHashTile(t tlog.Tile, data []byte) ([]tlog.Hash, error) {
	if int64(len(data)) != tileDataSize(t) {
		return nil, fmt.Errorf("%w hash tile: %s is %d bytes, want %d for %d hashes", auditlog.ErrMalformed, auditlog.TilePath(t), len(data), tileDataSize(t), t.W)
	}
	hashes := make([]tlog.Hash, t.W)
	for i := range hashes {
		copy(hashes[i][:], data[i*tlog.HashSize:])
	}
	return hashes, nil
}

// parseTile checks a tile's data against its format: hashes, or an entry bundle.
func parseTile(t tlog.Tile, data []byte) error {
	if t.L == auditlog.EntriesLevel {
		if _, err := auditlog.ParseBundle(data, t.W); err != nil {
			return fmt.Errorf("%s: %w", auditlog.TilePath(t), err)
		}
		return nil
	}
	_, err := parseHashTile(t, data)
	return err
}

// inOrder runs fetch(i) for i from 0 to n-1 on a few workers, at most a window of results
// ahead, and calls use(i, v) in the order of i from the calling goroutine. Checks therefore
// run in the log's order, without locks, and the first problem reported is the first in the
// log. It stops at the first error, and returns once every worker has.
func inOrder[T any](ctx context.Context, workers int, n int64, fetch func(context.Context, int64) (T, error), use func(int64, T) error) error {
	if n <= 0 {
		return nil
	}
	workers = max(workers, 1)
	window := int64(2 * workers)
	type result struct {
		v   T
		err error
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// A job is dispatched only with a free place in the window, and a place is freed only
	// once its result was used: job i+window never writes its slot before job i's result
	// was read from it, and no send on a slot ever blocks.
	slots := make([]chan result, min(window, n))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	free := make(chan struct{}, len(slots))
	jobs := make(chan int64)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		for i := int64(0); i < n; i++ {
			select {
			case free <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				v, err := fetch(ctx, i)
				slots[i%int64(len(slots))] <- result{v, err}
			}
		}()
	}
	for i := int64(0); i < n; i++ {
		var r result
		select {
		case r = <-slots[i%int64(len(slots))]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-free
		if r.err != nil {
			return r.err
		}
		if err := use(i, r.v); err != nil {
			return err
		}
	}
	return nil
}

// noteText returns the text of a signed note, without checking any signature: what precedes
// the blank line before the signatures, as note.Open splits it.
func noteText(msg []byte) (string, error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return "", fmt.Errorf("%w checkpoint: not a signed note (no blank line before the signatures)", auditlog.ErrMalformed)
	}
	return string(msg[:i+1]), nil
}

// parseUnverified reads a signed checkpoint's body without checking its signatures: to know
// which tiles to export or to read, before the keys are at hand.
func parseUnverified(msg []byte) (auditlog.Checkpoint, error) {
	if len(msg) > auditlog.MaxCheckpoint {
		return auditlog.Checkpoint{}, fmt.Errorf("%w checkpoint: longer than %d bytes", auditlog.ErrMalformed, auditlog.MaxCheckpoint)
	}
	text, err := noteText(msg)
	if err != nil {
		return auditlog.Checkpoint{}, err
	}
	return auditlog.ParseCheckpointText(text)
}
