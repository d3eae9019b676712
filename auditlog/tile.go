package auditlog

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// EntriesLevel is the level of entry bundles in a tlog.Tile (as in x/mod/sumdb/tlog, where
// level -1 holds record data).
const EntriesLevel = -1

// TilePath returns the C2SP tlog-tiles path of a tile of height TileHeight, relative to the
// log's prefix: tile/<L>/<N>[.p/<W>], or tile/entries/<N>[.p/<W>] for an entry bundle.
func TilePath(t tlog.Tile) string {
	level := strconv.Itoa(t.L)
	if t.L == EntriesLevel {
		level = "entries"
	}
	p := "tile/" + level + "/" + encodeTileIndex(t.N)
	if t.W < TileWidth {
		p += ".p/" + strconv.Itoa(t.W)
	}
	return p
}

// encodeTileIndex writes n as 3-digit path elements, all but the last prefixed with x.
func encodeTileIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		s = fmt.Sprintf("x%03d/", n%1000) + s
	}
	return s
}

// maxPathLength bounds a tile path: "tile/entries/" and seven index elements with ".p/255".
const maxPathLength = 64

// ParseTilePath parses a C2SP tlog-tiles path relative to the log's prefix (such as
// "tile/0/x001/234.p/17") into a tile of height TileHeight. Only the canonical encoding is
// accepted: one path names one tile.
func ParseTilePath(path string) (tlog.Tile, error) {
	const what = "tile path"
	if len(path) > maxPathLength {
		return tlog.Tile{}, malformed(what, "longer than %d bytes", maxPathLength)
	}
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return tlog.Tile{}, malformed(what, "%q does not start with tile/", truncate(path))
	}
	levelText, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return tlog.Tile{}, malformed(what, "%q has no tile index", truncate(path))
	}
	t := tlog.Tile{H: TileHeight, W: TileWidth}
	if levelText == "entries" {
		t.L = EntriesLevel
	} else {
		level, err := parseDecimal("tile level", levelText)
		if err != nil || level > 63 {
			return tlog.Tile{}, malformed(what, "level %q is not a number from 0 to 63", truncate(levelText))
		}
		t.L = int(level)
	}
	if index, width, partial := strings.Cut(rest, ".p/"); partial {
		w, err := parseDecimal("tile width", width)
		if err != nil || w < 1 || w >= TileWidth {
			return tlog.Tile{}, malformed(what, "partial width %q is not a number from 1 to 255", truncate(width))
		}
		t.W, rest = int(w), index
	}
	elems := strings.Split(rest, "/")
	if len(elems) > 7 {
		return tlog.Tile{}, malformed(what, "index %q has too many elements", truncate(rest))
	}
	for i, e := range elems {
		digits, x := strings.CutPrefix(e, "x")
		if x != (i < len(elems)-1) || len(digits) != 3 || strings.TrimLeft(digits, "0123456789") != "" {
			return tlog.Tile{}, malformed(what, "index %q is not in x000/…/000 form", truncate(rest))
		}
		d, _ := strconv.ParseInt(digits, 10, 64)
		if t.N > (1<<63-1-d)/1000 {
			return tlog.Tile{}, malformed(what, "index %q is out of range", truncate(rest))
		}
		t.N = t.N*1000 + d
	}
	if encodeTileIndex(t.N) != rest {
		return tlog.Tile{}, malformed(what, "index %q is not canonical (no leading x000/ elements)", truncate(rest))
	}
	return t, nil
}

// TileWidthAt returns the width of tile n at level l (or EntriesLevel, like level 0) in a
// tree of the given size: TileWidth for a full tile, less for the partial tile at the right
// edge, 0 when the tree has no such tile.
func TileWidthAt(level int, n, size int64) int {
	switch {
	case level == EntriesLevel:
		level = 0
	case level < 0 || level > 63:
		return 0 // no such level, and no shift by a negative amount, which would panic
	}
	count := size >> (TileHeight * level) // hashes at this level
	// n comes from a request's path: n*TileWidth could wrap around, so compare tile numbers.
	switch full := count / TileWidth; {
	case n < 0 || count < 0 || n > full:
		return 0
	case n < full:
		return TileWidth
	default:
		return int(count % TileWidth) // 0 if the tree ends at the tile's start
	}
}

// MarshalBundle encodes entries as a C2SP entry bundle: each entry prefixed with its length
// as a big-endian uint16.
func MarshalBundle(entries [][]byte) []byte {
	n := 0
	for _, e := range entries {
		n += 2 + len(e)
	}
	b := make([]byte, 0, n)
	for _, e := range entries {
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

// ParseBundle decodes an entry bundle that must hold exactly width entries of EntrySize
// bytes each, and nothing after them.
func ParseBundle(data []byte, width int) ([][]byte, error) {
	const what = "entry bundle"
	if width < 1 || width > TileWidth {
		// Before the multiplication below, which a huge width would wrap around.
		return nil, malformed(what, "width %d is not from 1 to %d", width, TileWidth)
	}
	if want := width * (2 + EntrySize); len(data) != want {
		return nil, malformed(what, "%d bytes, want %d for %d entries of %d bytes: truncated or padded", len(data), want, width, EntrySize)
	}
	entries := make([][]byte, width)
	for i := range entries {
		if n := binary.BigEndian.Uint16(data); n != EntrySize {
			return nil, malformed(what, "entry %d is %d bytes, want %d", i, n, EntrySize)
		}
		entries[i], data = data[2:2+EntrySize:2+EntrySize], data[2+EntrySize:]
	}
	return entries, nil
}
