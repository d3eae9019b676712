package auditlog_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

// memTree is a log in memory, written as the publisher writes it: the leaves' entries, and
// the hashes tlog.StoredHashes gives for each, in the order of their stored-hash indexes.
type memTree struct {
	entries [][]byte
	hashes  []tlog.Hash
}

// ReadHashes implements tlog.HashReader.
func (m *memTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("memTree: no stored hash %d in a tree of %d leaves", x, len(m.entries))
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) append(tb testing.TB, entry []byte) {
	tb.Helper()
	hs, err := tlog.StoredHashes(int64(len(m.entries)), entry, m)
	if err != nil {
		tb.Fatal(err)
	}
	m.hashes = append(m.hashes, hs...)
	m.entries = append(m.entries, entry)
}

// checkpoint returns the checkpoint of the tree at a size.
func (m *memTree) checkpoint(tb testing.TB, size int64) auditlog.Checkpoint {
	tb.Helper()
	root, err := tlog.TreeHash(size, m)
	if err != nil {
		tb.Fatal(err)
	}
	return auditlog.Checkpoint{Origin: testOrigin, Size: size, Root: root}
}

// randomTree returns a tree of n random entries.
func randomTree(tb testing.TB, r *rand.Rand, n int) *memTree {
	m := &memTree{}
	for range n {
		var e [auditlog.EntrySize]byte
		for i := range e {
			e[i] = byte(r.Uint32())
		}
		m.append(tb, e[:])
	}
	return m
}

// rfc6962 is a Merkle tree computed from RFC 6962 §2.1 as written, independently of tlog: the
// recursive definitions of MTH, PATH and PROOF, and the verification algorithms of RFC 9162
// §2.1.3.2 and §2.1.4.2.
type rfc6962 struct {
	leaves []tlog.Hash // SHA-256(0x00 ‖ entry)
	memo   map[[2]int]tlog.Hash
}

func newRFC6962(entries [][]byte) *rfc6962 {
	t := &rfc6962{memo: map[[2]int]tlog.Hash{}}
	for _, e := range entries {
		t.leaves = append(t.leaves, sha256.Sum256(append([]byte{0x00}, e...)))
	}
	return t
}

func node(left, right tlog.Hash) tlog.Hash {
	return sha256.Sum256(append(append([]byte{0x01}, left[:]...), right[:]...))
}

// split is k of RFC 6962: the largest power of two smaller than n, for n > 1.
func split(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// mth is MTH(D[lo:hi]).
func (t *rfc6962) mth(lo, hi int) tlog.Hash {
	switch n := hi - lo; n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return t.leaves[lo]
	}
	if h, ok := t.memo[[2]int{lo, hi}]; ok {
		return h
	}
	k := split(hi - lo)
	h := node(t.mth(lo, lo+k), t.mth(lo+k, hi))
	t.memo[[2]int{lo, hi}] = h
	return h
}

// path is PATH(m, D[lo:hi]), the audit path of leaf lo+m.
func (t *rfc6962) path(m, lo, hi int) []tlog.Hash {
	if hi-lo == 1 {
		return nil
	}
	k := split(hi - lo)
	if m < k {
		return append(t.path(m, lo, lo+k), t.mth(lo+k, hi))
	}
	return append(t.path(m-k, lo+k, hi), t.mth(lo, lo+k))
}

// subproof is SUBPROOF(m, D[lo:hi], b); PROOF(m, D[n]) is subproof(m, 0, n, true).
func (t *rfc6962) subproof(m, lo, hi int, b bool) []tlog.Hash {
	if m == hi-lo {
		if b {
			return nil
		}
		return []tlog.Hash{t.mth(lo, hi)}
	}
	k := split(hi - lo)
	if m <= k {
		return append(t.subproof(m, lo, lo+k, b), t.mth(lo+k, hi))
	}
	return append(t.subproof(m-k, lo+k, hi, false), t.mth(lo, lo+k))
}

// verifyInclusion is the algorithm of RFC 9162 §2.1.3.2.
func verifyInclusion(index, size int64, leaf tlog.Hash, proof []tlog.Hash, root tlog.Hash) bool {
	if index >= size {
		return false
	}
	fn, sn, r := index, size-1, leaf
	for _, p := range proof {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = node(p, r)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			r = node(r, p)
		}
		fn, sn = fn>>1, sn>>1
	}
	return sn == 0 && r == root
}

// verifyConsistency is the algorithm of RFC 9162 §2.1.4.2, for 0 < first < second.
func verifyConsistency(first, second int64, firstHash, secondHash tlog.Hash, proof []tlog.Hash) bool {
	if len(proof) == 0 {
		return false
	}
	if first&(first-1) == 0 {
		proof = append([]tlog.Hash{firstHash}, proof...)
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn, sn = fn>>1, sn>>1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			fr, sr = node(c, fr), node(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			sr = node(sr, c)
		}
		fn, sn = fn>>1, sn>>1
	}
	return fr == firstHash && sr == secondHash && sn == 0
}

// edgeSizes are the sizes where the shape of a tree changes: around powers of two and
// multiples of the tile width.
func edgeSizes(max int64) []int64 {
	var sizes []int64
	add := func(s int64) {
		if s >= 1 && s <= max && !slices.Contains(sizes, s) {
			sizes = append(sizes, s)
		}
	}
	for p := int64(1); p <= max; p *= 2 {
		add(p - 1)
		add(p)
		add(p + 1)
	}
	for m := int64(auditlog.TileWidth); m <= max; m += auditlog.TileWidth {
		add(m - 1)
		add(m)
		add(m + 1)
	}
	add(max)
	return sizes
}

func flipBit(r *rand.Rand, h tlog.Hash) tlog.Hash {
	i := r.IntN(8 * tlog.HashSize)
	h[i/8] ^= 1 << (i % 8)
	return h
}

// TestProofsProperty checks, on trees of random entries, that every inclusion and
// consistency proof tlog makes verifies with CheckInclusion and CheckConsistency, is the
// proof RFC 6962 defines (so in the order C2SP tlog-proof and tlog-witness require: the
// leaf's sibling first), verifies with the algorithms of RFC 9162, and fails when any one
// thing in it is changed. A failure prints the seed; the same seed gives the same trees.
func TestProofsProperty(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 20261202))
			n := 2100 // past 2048, and past eight tiles
			if seed > 1 {
				n = 1 + r.IntN(3000)
			}
			tree := randomTree(t, r, n)
			ref := newRFC6962(tree.entries)
			max := int64(n)
			if got, want := int64(len(tree.hashes)), tlog.StoredHashCount(max); got != want {
				t.Fatalf("%d stored hashes for %d leaves, want %d", got, n, want)
			}

			// The roots of every size, as tlog and RFC 6962 compute them.
			cps := make([]auditlog.Checkpoint, max+1)
			for size := range max + 1 {
				cps[size] = tree.checkpoint(t, size)
				if got, want := cps[size].Root, ref.mth(0, int(size)); got != want {
					t.Fatalf("tlog.TreeHash(%d) = %v, RFC 6962 MTH = %v", size, got, want)
				}
			}

			// A size: half of the time one at an edge.
			edges := edgeSizes(max)
			randomSize := func(min int64) int64 {
				if r.IntN(2) == 0 {
					if s := edges[r.IntN(len(edges))]; s >= min {
						return s
					}
				}
				return min + r.Int64N(max-min+1)
			}
			otherThan := func(x, min int64) (int64, bool) {
				if max-min < 1 {
					return 0, false
				}
				for {
					if y := min + r.Int64N(max-min+1); y != x {
						return y, true
					}
				}
			}

			for range 200 {
				size := randomSize(1)
				index := r.Int64N(size)
				checkInclusionProof(t, r, tree, ref, cps, index, size, otherThan)
			}
			for range 200 {
				newSize := randomSize(1)
				oldSize := 1 + r.Int64N(newSize)
				if r.IntN(4) == 0 {
					oldSize = randomSize(1)
					if oldSize > newSize {
						oldSize, newSize = newSize, oldSize
					}
				}
				checkConsistencyProof(t, r, tree, ref, cps, oldSize, newSize, otherThan)
			}
		})
	}
}

func checkInclusionProof(t *testing.T, r *rand.Rand, tree *memTree, ref *rfc6962, cps []auditlog.Checkpoint, index, size int64, otherThan func(x, min int64) (int64, bool)) {
	t.Helper()
	cp, entry := cps[size], tree.entries[index]
	proof, err := tlog.ProveRecord(size, index, tree)
	if err != nil {
		t.Fatalf("ProveRecord(%d, %d): %v", size, index, err)
	}
	if want := ref.path(int(index), 0, int(size)); !slices.Equal(proof, want) {
		t.Fatalf("ProveRecord(%d, %d) = %v, RFC 6962 PATH = %v", size, index, proof, want)
	}
	if err := auditlog.CheckInclusion(proof, cp, index, entry); err != nil {
		t.Fatalf("CheckInclusion(leaf %d, size %d): %v", index, size, err)
	}
	if !verifyInclusion(index, size, ref.leaves[index], proof, cp.Root) {
		t.Fatalf("leaf %d, size %d: the RFC 9162 algorithm refuses tlog's proof", index, size)
	}

	fails := func(what string, proof []tlog.Hash, cp auditlog.Checkpoint, index int64, entry []byte) {
		t.Helper()
		if err := auditlog.CheckInclusion(proof, cp, index, entry); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("leaf %d, size %d, %s: CheckInclusion = %v, want an error wrapping ErrInconsistent", index, size, what, err)
		}
	}
	for i := range proof {
		bad := slices.Clone(proof)
		bad[i] = flipBit(r, bad[i])
		fails(fmt.Sprintf("a bit of hash %d flipped", i), bad, cp, index, entry)
		if verifyInclusion(index, size, ref.leaves[index], bad, cp.Root) {
			t.Errorf("leaf %d, size %d: the RFC 9162 algorithm accepts a changed hash %d", index, size, i)
		}
	}
	if len(proof) > 0 {
		fails("the last hash dropped", proof[:len(proof)-1], cp, index, entry)
		fails("the first hash dropped", proof[1:], cp, index, entry)
	}
	fails("a hash added", append(slices.Clone(proof), ref.leaves[index]), cp, index, entry)
	fails("a hash added first", append([]tlog.Hash{ref.leaves[index]}, proof...), cp, index, entry)
	badEntry := slices.Clone(entry)
	badEntry[r.IntN(len(badEntry))] ^= 1 << r.IntN(8)
	fails("a bit of the entry flipped", proof, cp, index, badEntry)
	fails("the leaf hash as the entry", proof, cp, index, ref.leaves[index][:])
	badRoot := cp
	badRoot.Root = flipBit(r, cp.Root)
	fails("a bit of the root flipped", proof, badRoot, index, entry)
	if other, ok := otherThan(index, 0); ok && other < size {
		fails(fmt.Sprintf("index %d", other), proof, cp, other, entry)
	}
	fails("index = size", proof, cp, size, entry)
	fails("index -1", proof, cp, -1, entry)
	// The checkpoint of another size. (Only the size changed, with the root kept, may still
	// verify: RFC 6962's root does not commit to the size, the log's signature over both
	// does. So CheckInclusion is only ever given an opened checkpoint.)
	if other, ok := otherThan(size, index+1); ok {
		fails(fmt.Sprintf("the checkpoint of size %d", other), proof, cps[other], index, entry)
	}
}

func checkConsistencyProof(t *testing.T, r *rand.Rand, tree *memTree, ref *rfc6962, cps []auditlog.Checkpoint, oldSize, newSize int64, otherThan func(x, min int64) (int64, bool)) {
	t.Helper()
	old, new := cps[oldSize], cps[newSize]
	proof, err := tlog.ProveTree(newSize, oldSize, tree)
	if err != nil {
		t.Fatalf("ProveTree(%d, %d): %v", newSize, oldSize, err)
	}
	if want := ref.subproof(int(oldSize), 0, int(newSize), true); !slices.Equal(proof, want) {
		t.Fatalf("ProveTree(%d, %d) = %v, RFC 6962 PROOF = %v", newSize, oldSize, proof, want)
	}
	if err := auditlog.CheckConsistency(proof, old, new); err != nil {
		t.Fatalf("CheckConsistency(%d, %d): %v", oldSize, newSize, err)
	}
	if oldSize < newSize && !verifyConsistency(oldSize, newSize, old.Root, new.Root, proof) {
		t.Fatalf("sizes %d and %d: the RFC 9162 algorithm refuses tlog's proof", oldSize, newSize)
	}

	fails := func(what string, proof []tlog.Hash, old, new auditlog.Checkpoint) {
		t.Helper()
		if err := auditlog.CheckConsistency(proof, old, new); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("sizes %d and %d, %s: CheckConsistency = %v, want an error wrapping ErrInconsistent", oldSize, newSize, what, err)
		}
	}
	for i := range proof {
		bad := slices.Clone(proof)
		bad[i] = flipBit(r, bad[i])
		fails(fmt.Sprintf("a bit of hash %d flipped", i), bad, old, new)
		if verifyConsistency(oldSize, newSize, old.Root, new.Root, bad) {
			t.Errorf("sizes %d and %d: the RFC 9162 algorithm accepts a changed hash %d", oldSize, newSize, i)
		}
	}
	badOld, badNew := old, new
	badOld.Root, badNew.Root = flipBit(r, old.Root), flipBit(r, new.Root)
	fails("a bit of the old root flipped", proof, badOld, new)
	fails("a bit of the new root flipped", proof, old, badNew)
	if oldSize == newSize {
		return
	}
	fails("the checkpoints swapped", proof, new, old)
	fails("the last hash dropped", proof[:len(proof)-1], old, new)
	fails("a hash added", append(slices.Clone(proof), proof[0]), old, new)
	if other, ok := otherThan(oldSize, 1); ok && other < newSize {
		fails(fmt.Sprintf("the old checkpoint of size %d", other), proof, cps[other], new)
	}
	if other, ok := otherThan(newSize, oldSize+1); ok {
		fails(fmt.Sprintf("the new checkpoint of size %d", other), proof, old, cps[other])
	}
}

func TestCheckConsistencyEdges(t *testing.T) {
	tree := randomTree(t, rand.New(rand.NewPCG(4, 4)), 10)
	c0, c5, c10 := tree.checkpoint(t, 0), tree.checkpoint(t, 5), tree.checkpoint(t, 10)
	forked := c5
	forked.Root[0] ^= 1
	proof, err := tlog.ProveTree(10, 5, tree)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		proof    []tlog.Hash
		old, new auditlog.Checkpoint
		ok       bool
	}{
		{"a proof", proof, c5, c10, true},
		{"from the empty tree", nil, c0, c10, true},
		{"the same checkpoint", nil, c5, c5, true},
		{"the log went back", proof, c10, c5, false},
		{"two roots for one size", nil, c5, forked, false},
		{"no proof", nil, c5, c10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auditlog.CheckConsistency(tt.proof, tt.old, tt.new)
			switch {
			case tt.ok && err != nil:
				t.Errorf("CheckConsistency: %v", err)
			case !tt.ok && !errors.Is(err, auditlog.ErrInconsistent):
				t.Errorf("CheckConsistency = %v, want an error wrapping ErrInconsistent", err)
			}
		})
	}
}

// TestTileData checks the tiles tlog makes from the stored hashes against C2SP tlog-tiles,
// computed from the leaves: hash k of a level-L tile N is the MTH of the 256^L leaves from
// (N·256 + k)·256^L, and a partial tile of width W holds the first W of them. The tree of 70,000
// leaves is the specification's example, with full and partial tiles at levels 0 and 1, and a
// level-2 tile.
func TestTileData(t *testing.T) {
	for _, n := range []int{1, 255, 256, 257, 2100, 70000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			tree := randomTree(t, rand.New(rand.NewPCG(uint64(n), 5)), n)
			ref := newRFC6962(tree.entries)
			for _, tl := range tlog.NewTiles(auditlog.TileHeight, 0, int64(n)) {
				if got, want := tl.W, auditlog.TileWidthAt(tl.L, tl.N, int64(n)); got != want {
					t.Errorf("tile %s: width %d, TileWidthAt = %d", auditlog.TilePath(tl), got, want)
				}
				data, err := tlog.ReadTileData(tl, tree)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := len(data), tl.W*tlog.HashSize; got != want {
					t.Fatalf("tile %s: %d bytes, want %d", auditlog.TilePath(tl), got, want)
				}
				span := 1 << (auditlog.TileHeight * tl.L) // leaves under one hash of the tile
				for k := range tl.W {
					lo := (int(tl.N)*auditlog.TileWidth + k) * span
					want := ref.mth(lo, lo+span)
					if got := tlog.Hash(data[k*tlog.HashSize:]); got != want {
						t.Errorf("tile %s: hash %d = %v, want MTH(D[%d:%d]) = %v", auditlog.TilePath(tl), k, got, lo, lo+span, want)
					}
				}
			}
		})
	}
}
