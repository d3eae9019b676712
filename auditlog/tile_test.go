package auditlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

func tile(level int, n int64, w int) tlog.Tile {
	return tlog.Tile{H: auditlog.TileHeight, L: level, N: n, W: w}
}

// TestTilePathC2SP checks the paths of C2SP tlog-tiles' own examples.
func TestTilePathC2SP(t *testing.T) {
	tests := []struct {
		tile tlog.Tile
		path string
	}{
		{tile(0, 1234067, 256), "tile/0/x001/x234/067"},
		{tile(0, 1234067, 8), "tile/0/x001/x234/067.p/8"},
		{tile(1, 1234067, 256), "tile/1/x001/x234/067"},
		{tile(auditlog.EntriesLevel, 1234067, 256), "tile/entries/x001/x234/067"},
		{tile(auditlog.EntriesLevel, 1234067, 8), "tile/entries/x001/x234/067.p/8"},
		{tile(0, 0, 256), "tile/0/000"},
		{tile(2, 0, 1), "tile/2/000.p/1"},
		{tile(63, 999, 255), "tile/63/999.p/255"},
		{tile(0, 1000, 256), "tile/0/x001/000"},
		{tile(0, math.MaxInt64, 256), "tile/0/x009/x223/x372/x036/x854/x775/807"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got, want := auditlog.TilePath(tt.tile), tt.path; got != want {
				t.Errorf("TilePath(%+v) = %q, want %q", tt.tile, got, want)
			}
			got, err := auditlog.ParseTilePath(tt.path)
			if err != nil || got != tt.tile {
				t.Errorf("ParseTilePath(%q) = %+v, %v, want %+v", tt.path, got, err, tt.tile)
			}
		})
	}
}

// TestTilePathRoundTrip checks that ParseTilePath reads back every path TilePath writes.
func TestTilePathRoundTrip(t *testing.T) {
	levels := []int{auditlog.EntriesLevel, 0, 1, 2, 7, 10, 63}
	indexes := []int64{0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 123456, 999999, 1000000, 1234067,
		math.MaxInt64 / auditlog.TileWidth, 1e18 - 1, 1e18, math.MaxInt64 - 1, math.MaxInt64}
	widths := []int{1, 2, 17, 112, 255, 256}
	for _, l := range levels {
		for _, n := range indexes {
			for _, w := range widths {
				want := tile(l, n, w)
				path := auditlog.TilePath(want)
				got, err := auditlog.ParseTilePath(path)
				if err != nil || got != want {
					t.Errorf("ParseTilePath(%q) = %+v, %v, want %+v", path, got, err, want)
				}
			}
		}
	}
}

// TestParseTilePathRejects checks that one tile has one path: no other spelling is read, and
// no path a server would join to its directory escapes it.
func TestParseTilePathRejects(t *testing.T) {
	tests := []string{
		"",
		"tile",
		"tile/",
		"tile/0",
		"tile/0/",
		"tile/entries",
		"tile/entries/",
		"/tile/0/000",
		"TILE/0/000",
		"tiles/0/000",
		"tile/00/000",
		"tile/01/000",
		"tile/-1/000",
		"tile/+1/000",
		"tile/64/000",
		"tile/100/000",
		"tile/99999999999999999999/000",
		"tile/data/000",
		"tile/Entries/000",
		"tile/8/0/000",
		"tile/0/00",
		"tile/0/0000",
		"tile/0/-01",
		"tile/0/+01",
		"tile/0/ 01",
		"tile/0/0x1",
		"tile/0/x000/005",
		"tile/0/x000/000",
		"tile/0/x000/x001/005",
		"tile/0/001/234",
		"tile/0/x001",
		"tile/0/x001/234/567",
		"tile/0/x001/x234/067/",
		"tile/0/000/",
		"tile/0/000/extra",
		"tile/0/000//",
		"tile/0//000",
		"tile/0/X001/234",
		"tile/0/x001/x001/x001/x001/x001/x001/x001/001",
		"tile/0/x009/x223/x372/x036/x854/x775/808",
		"tile/0/x999/x999/x999/x999/x999/x999/999",
		"tile/0/000.p",
		"tile/0/000.p/",
		"tile/0/000.p/0",
		"tile/0/000.p/00",
		"tile/0/000.p/01",
		"tile/0/000.p/256",
		"tile/0/000.p/1000",
		"tile/0/000.p/-1",
		"tile/0/000.p/5.p/5",
		"tile/0/000.p/5/",
		"tile/0/000.P/5",
		"tile/0/000p/5",
		"tile/entries/000.p/256",
		"tile/0/../000",
		"tile/../0/000",
		"../tile/0/000",
		"tile/0/x001/../000",
		"tile/0/./000",
		"tile/0/000\x00",
		"tile/0/x001/x234/067" + strings.Repeat("/x000", 10),
		"tile/entries/" + strings.Repeat("x", 100),
	}
	for _, path := range tests {
		t.Run(path, func(t *testing.T) {
			got, err := auditlog.ParseTilePath(path)
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseTilePath(%q) = %+v, %v, want an error wrapping ErrMalformed", path, got, err)
			}
		})
	}
}

// TestTileWidthAt checks the tiles of the C2SP tlog-tiles example, and that a server that asks
// for a tile the tree does not have is told so.
func TestTileWidthAt(t *testing.T) {
	tests := []struct {
		level int
		n     int64
		size  int64
		want  int
	}{
		// A tree of 70,000 leaves: 273 full level-0 tiles and one of 112, a full level-1 tile
		// and one of 17, a level-2 tile of 1.
		{0, 0, 70000, 256},
		{0, 272, 70000, 256},
		{0, 273, 70000, 112},
		{0, 274, 70000, 0},
		{auditlog.EntriesLevel, 272, 70000, 256},
		{auditlog.EntriesLevel, 273, 70000, 112},
		{auditlog.EntriesLevel, 274, 70000, 0},
		{1, 0, 70000, 256},
		{1, 1, 70000, 17},
		{1, 2, 70000, 0},
		{2, 0, 70000, 1},
		{2, 1, 70000, 0},
		{3, 0, 70000, 0},
		// 256 leaves: a full level-0 tile, and a level-1 tile of one hash.
		{0, 0, 256, 256},
		{0, 1, 256, 0},
		{1, 0, 256, 1},
		{2, 0, 256, 0},
		{0, 0, 255, 255},
		{1, 0, 255, 0},
		{0, 0, 1, 1},
		{auditlog.EntriesLevel, 0, 1, 1},
		{0, 0, 0, 0},
		{auditlog.EntriesLevel, 0, 0, 0},
		{7, 0, math.MaxInt64, 127},
		{8, 0, math.MaxInt64, 0},
		{63, 0, math.MaxInt64, 0},
		// Indexes a request can name but no tree has: they must not wrap around.
		{0, math.MaxInt64/auditlog.TileWidth - 1, math.MaxInt64, 256},
		{0, math.MaxInt64 / auditlog.TileWidth, math.MaxInt64, 255},
		{0, math.MaxInt64/auditlog.TileWidth + 1, math.MaxInt64, 0},
		{0, 1 << 55, math.MaxInt64, 0},
		{0, 1 << 56, 70000, 0},
		{0, 1 << 56, math.MaxInt64, 0},
		{1, 1 << 62, math.MaxInt64, 0},
		{0, math.MaxInt64, math.MaxInt64, 0},
		{0, -1, 70000, 0},
		{0, math.MinInt64, 70000, 0},
		{-2, 0, 70000, 0},
		{math.MinInt, 0, 70000, 0},
		{math.MaxInt, 0, 70000, 0},
		{0, 0, -1, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("level %d tile %d of %d", tt.level, tt.n, tt.size), func(t *testing.T) {
			if got := auditlog.TileWidthAt(tt.level, tt.n, tt.size); got != tt.want {
				t.Errorf("TileWidthAt(%d, %d, %d) = %d, want %d", tt.level, tt.n, tt.size, got, tt.want)
			}
		})
	}
}

// TestTileWidthAtNewTiles checks TileWidthAt against the tiles tlog publishes for a tree:
// tlog.NewTiles lists exactly the tiles of non-zero width, each as wide as TileWidthAt says.
func TestTileWidthAtNewTiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := []int64{1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000, 1 << 20, 1<<20 + 1}
	for range 100 {
		sizes = append(sizes, r.Int64N(1<<18)+1)
	}
	for _, size := range sizes {
		want := map[tlog.Tile]bool{}
		for _, tl := range tlog.NewTiles(auditlog.TileHeight, 0, size) {
			want[tl] = true
		}
		got := map[tlog.Tile]bool{}
		for level := 0; level < 8; level++ {
			for n := int64(0); ; n++ {
				w := auditlog.TileWidthAt(level, n, size)
				if w == 0 {
					break
				}
				got[tile(level, n, w)] = true
				if len(got) > len(want) {
					break
				}
			}
		}
		if len(got) != len(want) {
			t.Errorf("size %d: TileWidthAt gives %d tiles, tlog.NewTiles %d", size, len(got), len(want))
			continue
		}
		for tl := range want {
			if !got[tl] {
				t.Errorf("size %d: tlog.NewTiles has %+v, TileWidthAt does not", size, tl)
			}
		}
	}
}

// entries returns n distinct entries.
func entries(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		e := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
		out[i] = e[:]
	}
	return out
}

func TestBundleRoundTrip(t *testing.T) {
	for _, width := range []int{1, 2, 17, 255, 256} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			want := entries(width)
			data := auditlog.MarshalBundle(want)
			if got, want := len(data), width*(2+auditlog.EntrySize); got != want {
				t.Fatalf("len(MarshalBundle) = %d, want %d", got, want)
			}
			for i := range width {
				if got := data[i*34 : i*34+2]; !bytes.Equal(got, []byte{0, 32}) {
					t.Errorf("entry %d has the length prefix %x, want 0020", i, got)
				}
			}
			got, err := auditlog.ParseBundle(data, width)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != width {
				t.Fatalf("ParseBundle gives %d entries, want %d", len(got), width)
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					t.Errorf("entry %d = %x, want %x", i, got[i], want[i])
				}
			}
			// An entry is its own slice: appending to one does not overwrite the next.
			if width > 1 {
				_ = append(got[0], 0xff)
				if !bytes.Equal(got[1], want[1]) {
					t.Errorf("appending to entry 0 changed entry 1")
				}
			}
		})
	}
}

func TestParseBundleRejects(t *testing.T) {
	valid := auditlog.MarshalBundle(entries(3))
	longer := bytes.Clone(valid)
	binary.BigEndian.PutUint16(longer, auditlog.EntrySize+1)                          // the first entry is one byte longer...
	binary.BigEndian.PutUint16(longer[2+auditlog.EntrySize+1:], auditlog.EntrySize-1) // ...the second one shorter
	tests := []struct {
		name  string
		data  []byte
		width int
	}{
		{"truncated", valid[:len(valid)-1], 3},
		{"truncated by an entry", valid[:len(valid)-34], 3},
		{"padded", append(bytes.Clone(valid), 0), 3},
		{"an entry too many", append(bytes.Clone(valid), valid[:34]...), 3},
		{"entry lengths shifted", longer, 3},
		{"entry of 31 bytes", auditlog.MarshalBundle([][]byte{make([]byte, 31), make([]byte, 33), make([]byte, 32)}), 3},
		{"entry of 0 bytes", auditlog.MarshalBundle([][]byte{{}, make([]byte, 64), make([]byte, 32)}), 3},
		{"width too small", valid, 2},
		{"width too big", valid, 4},
		{"width 0", nil, 0},
		{"width 257", auditlog.MarshalBundle(entries(257)), 257},
		{"width -1", nil, -1},
		// width*34 wraps around to 0 or 34.
		{"width wrapping to 0", nil, math.MinInt},
		{"width wrapping to 34", valid[:34], math.MinInt + 1},
		{"empty", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auditlog.ParseBundle(tt.data, tt.width)
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseBundle = %d entries, %v, want an error wrapping ErrMalformed", len(got), err)
			}
		})
	}
}

// FuzzParseTilePath checks that ParseTilePath never panics and that a path it reads is the
// one path of its tile.
func FuzzParseTilePath(f *testing.F) {
	for _, p := range []string{
		"tile/0/000", "tile/0/x001/x234/067", "tile/0/x001/x234/067.p/8", "tile/entries/x001/x234/067.p/255",
		"tile/63/999", "tile/0/x009/x223/x372/x036/x854/x775/807", "tile/0/x000/005", "tile/00/000.p/01",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		tl, err := auditlog.ParseTilePath(path)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("ParseTilePath(%q): %v, want an error wrapping ErrMalformed", path, err)
			}
			return
		}
		if tl.H != auditlog.TileHeight || tl.L < auditlog.EntriesLevel || tl.L > 63 || tl.N < 0 || tl.W < 1 || tl.W > auditlog.TileWidth {
			t.Fatalf("ParseTilePath(%q) = %+v, not a tile", path, tl)
		}
		if got := auditlog.TilePath(tl); got != path {
			t.Fatalf("TilePath(ParseTilePath(%q)) = %q", path, got)
		}
		// A server asks TileWidthAt whether the tree has the tile a request names: a tile of
		// width w > 0 has its w-th hash in the tree, (N·256 + w)·256^L ≤ size.
		for _, size := range []int64{0, 1, 70000, math.MaxInt64} {
			w := auditlog.TileWidthAt(tl.L, tl.N, size)
			if w < 0 || w > auditlog.TileWidth {
				t.Fatalf("TileWidthAt(%d, %d, %d) = %d", tl.L, tl.N, size, w)
			}
			level := max(tl.L, 0)
			end := new(big.Int).Mul(big.NewInt(tl.N), big.NewInt(auditlog.TileWidth))
			end.Add(end, big.NewInt(int64(max(w, 1))))
			end.Lsh(end, uint(auditlog.TileHeight*level))
			if fits := end.Cmp(big.NewInt(size)) <= 0; fits != (w > 0) {
				t.Fatalf("TileWidthAt(%d, %d, %d) = %d, but the tree has leaves up to %d", tl.L, tl.N, size, w, end)
			}
		}
	})
}

// FuzzParseBundle checks that ParseBundle never panics and that a bundle it reads is the
// encoding of its entries.
func FuzzParseBundle(f *testing.F) {
	f.Add(auditlog.MarshalBundle(entries(1)), 1)
	f.Add(auditlog.MarshalBundle(entries(3)), 3)
	f.Add(auditlog.MarshalBundle(entries(3)), 2)
	f.Add([]byte{}, 0)
	f.Add([]byte{0, 33}, math.MinInt+1)
	f.Fuzz(func(t *testing.T, data []byte, width int) {
		got, err := auditlog.ParseBundle(data, width)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("ParseBundle: %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		if len(got) != width {
			t.Fatalf("ParseBundle(%d) gives %d entries", width, len(got))
		}
		if again := auditlog.MarshalBundle(got); !bytes.Equal(again, data) {
			t.Fatalf("MarshalBundle(ParseBundle(%x)) = %x", data, again)
		}
	})
}
