package verifier

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// storedTree is a tree built the way the writer builds it, with tlog.StoredHashes.
type storedTree []tlog.Hash

func (s storedTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = s[x]
	}
	return out, nil
}

// TestTreeBuilderMatchesTlog: the streaming recomputation gives tlog's root at every size,
// and the inner hashes tlog puts in level-1 tiles. (TestVerifyClean compares level 2 too,
// against a server's tiles.)
func TestTreeBuilderMatchesTlog(t *testing.T) {
	var stored storedTree
	var b treeBuilder
	var leaves []tlog.Hash
	for n := int64(0); n <= 3000; n++ {
		if n%97 == 0 || n <= 600 {
			want, err := tlog.TreeHash(n, stored)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.root(); got != want {
				t.Fatalf("size %d: root %v, want %v", n, got, want)
			}
			if got := rootOf(leaves); got != want {
				t.Fatalf("rootOf(%d leaves) = %v, want %v", n, got, want)
			}
		}
		entry := sha256.Sum256(fmt.Appendf(nil, "entry %d", n))
		h := tlog.RecordHash(entry[:])
		hashes, err := tlog.StoredHashes(n, entry[:], stored)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hashes...)
		b.add(h)
		leaves = append(leaves, h)
	}
	size := b.size
	for l := 1; l < hashLevels(size); l++ {
		for n := int64(0); n < tileCount(l, size); n++ {
			tile := tileAt(l, n, size)
			data, err := tlog.ReadTileData(tile, stored)
			if err != nil {
				t.Fatal(err)
			}
			hashes, err := parseHashTile(tile, data)
			if err != nil {
				t.Fatal(err)
			}
			for j, h := range hashes {
				if got := b.tiers[l][n*auditlog.TileWidth+int64(j)]; got != h {
					t.Fatalf("%s hash %d: recomputed %v, tlog %v", auditlog.TilePath(tile), j, got, h)
				}
			}
		}
	}
	if got, want := hashLevels(size), 2; got != want {
		t.Errorf("hashLevels(%d) = %d, want %d", size, got, want)
	}
}

// TestBundleTilesMatchNewTiles: the tiles a bundle holds are the hash tiles tlog says a
// tree of that size publishes, and an entry bundle for each level-0 tile.
func TestBundleTilesMatchNewTiles(t *testing.T) {
	for _, size := range []int64{0, 1, 255, 256, 257, 65535, 65536, 65537, 1 << 20} {
		var got []tlog.Tile
		for i := range bundleTileCount(size) {
			tile := bundleTile(size, i)
			if tile.L != auditlog.EntriesLevel {
				got = append(got, tile)
			} else if last := got[len(got)-1]; tile.N != last.N || tile.W != last.W {
				t.Errorf("size %d: entry bundle %s does not follow its level-0 tile", size, auditlog.TilePath(tile))
			}
		}
		want := tlog.NewTiles(auditlog.TileHeight, 0, size)
		if len(got) != len(want) {
			t.Fatalf("size %d: %d hash tiles, want %d", size, len(got), len(want))
		}
		seen := map[tlog.Tile]bool{}
		for _, tile := range got {
			seen[tile] = true
		}
		for _, tile := range want {
			if !seen[tile] {
				t.Errorf("size %d: %s missing", size, auditlog.TilePath(tile))
			}
		}
	}
}

// TestInOrder: results are used in order whatever the order the workers finish in, and the
// first error in that order is the one returned, after which nothing more is used.
func TestInOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int64
		failAt  int64 // -1: none
		workers int
	}{
		{"none", 0, -1, 4},
		{"all", 100, -1, 4},
		{"one worker", 10, -1, 1},
		{"fails", 100, 37, 4},
		{"fails first", 100, 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var used []int64
			var fetched atomic.Int64
			err := inOrder(context.Background(), tc.workers, tc.n, func(ctx context.Context, i int64) (int64, error) {
				fetched.Add(1)
				if i == tc.failAt {
					return 0, fmt.Errorf("job %d failed", i)
				}
				return i * i, nil
			}, func(i, v int64) error {
				if v != i*i {
					t.Errorf("job %d used with %d", i, v)
				}
				used = append(used, i)
				return nil
			})
			want := tc.n
			if tc.failAt >= 0 {
				want = tc.failAt
				if err == nil || err.Error() != fmt.Sprintf("job %d failed", tc.failAt) {
					t.Errorf("error %v, want job %d's", err, tc.failAt)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if int64(len(used)) != want {
				t.Fatalf("used %d results, want %d", len(used), want)
			}
			for i, u := range used {
				if u != int64(i) {
					t.Fatalf("result %d used at position %d", u, i)
				}
			}
			if tc.failAt >= 0 && fetched.Load() > tc.failAt+1+int64(2*tc.workers) {
				t.Errorf("%d jobs fetched after a failure at %d: the window is not kept", fetched.Load(), tc.failAt)
			}
		})
	}
	// A use error stops it too.
	stop := errors.New("stop")
	err := inOrder(context.Background(), 2, 50, func(context.Context, int64) (int, error) { return 0, nil },
		func(i int64, _ int) error {
			if i == 3 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) {
		t.Errorf("error %v, want the use's", err)
	}
	// A cancelled context stops it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := inOrder(ctx, 2, 50, func(ctx context.Context, _ int64) (int, error) { return 0, ctx.Err() },
		func(int64, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// claimingSource serves a checkpoint and no tile.
type claimingSource struct {
	checkpoint []byte
	tiles      atomic.Int64
}

func (s *claimingSource) Checkpoint(context.Context) ([]byte, error) { return s.checkpoint, nil }

func (s *claimingSource) Tile(context.Context, tlog.Tile) ([]byte, error) {
	s.tiles.Add(1)
	return nil, errors.New("no such tile")
}

func (s *claimingSource) Events(context.Context) (iter.Seq2[*takedown.Event, error], error) {
	return nil, fmt.Errorf("%w: none", ErrNoEvents)
}

// TestExportOfAnImpossibleTree: a checkpoint, signed or not, claiming a tree of 2⁶² leaves
// fails the export at the first tiles the source lacks, without listing the tree's tiles
// first.
func TestExportOfAnImpossibleTree(t *testing.T) {
	skey, _, err := auditlog.GenerateKey("takedown.example/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := auditlog.Sign(auditlog.Checkpoint{Origin: "takedown.example/log", Size: 1 << 62, Root: sha256.Sum256(nil)}, signer)
	if err != nil {
		t.Fatal(err)
	}
	src := &claimingSource{checkpoint: cp}
	if err := Export(t.Context(), src, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "no such tile") {
		t.Errorf("Export = %v, want the source's missing tile", err)
	}
	// The fetches in flight when the first fails (a window of 2*DefaultWorkers, give or
	// take the one being dispatched) are all that is asked of the source, not the tree.
	if n := src.tiles.Load(); n > 4*DefaultWorkers {
		t.Errorf("%d tiles asked for after the first failed, want the window's few", n)
	}
}
