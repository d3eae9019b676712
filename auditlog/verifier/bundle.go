package verifier

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// The names of a bundle's members other than tiles.
const (
	checkpointMember = "checkpoint"
	readmeMember     = "README.txt"
	eventsMember     = "events.jsonl"
)

// maxEventLine bounds a line of events.jsonl: an event's data is at most a canonical body's
// size, and JSON may escape each byte as six.
const maxEventLine = 6*auditlog.MaxEventBody + 4<<10

// maxReadme bounds README.txt, which a bundle reader does not need but will not take huge.
const maxReadme = 64 << 10

// Bundle is a bundle file open for reading: the log at one checkpoint, and perhaps the
// events. It is a Source. Its members are found through an index made when it is opened, and
// read with ReadAt, so a bundle of any size is read in little memory.
type Bundle struct {
	r       io.ReaderAt
	closer  io.Closer
	name    string
	members map[string]member
	cp      []byte
	size    int64
}

// member is where a member's data lies in the file.
type member struct {
	off, size int64
}

// OpenBundle opens the bundle file at path and checks that it is whole: an intact tar, with a
// checkpoint and every tile its tree needs, each of the size its path implies. The error names
// what is wrong, and wraps auditlog.ErrMalformed when the file is not a whole bundle.
func OpenBundle(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("verifier: open bundle: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("verifier: open bundle: %w", err)
	}
	b, err := newBundle(f, info.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b.closer, b.name = f, path
	return b, nil
}

// newBundle reads the bundle held by the first size bytes of r, as OpenBundle does.
func newBundle(r io.ReaderAt, size int64) (*Bundle, error) {
	b := &Bundle{r: r, members: map[string]member{}, name: "bundle"}
	sr := io.NewSectionReader(r, 0, size)
	tr := tar.NewReader(sr)
	end := int64(0) // where the archive's data ends, before its end-of-archive marker
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && len(b.members) == 0 && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, malformedBundle("is not a tar archive (%v): it is not a bundle", err)
		}
		if err != nil {
			return nil, malformedBundle("is not an intact tar after %d members (%v): it was cut short or damaged", len(b.members), err)
		}
		// The data starts where the reader is: archive/tar reads headers block by block,
		// never ahead, and skips data by seeking.
		off, err := sr.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("verifier: bundle: %w", err)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		switch hdr.Typeflag {
		case tar.TypeDir:
			end = off
			continue
		case tar.TypeReg:
		default:
			return nil, malformedBundle("member %q is not a regular file (tar type %q)", truncate(name), hdr.Typeflag)
		}
		if _, dup := b.members[name]; dup {
			return nil, malformedBundle("has two members named %q", truncate(name))
		}
		if err := checkMemberName(name, hdr.Size); err != nil {
			return nil, err
		}
		if hdr.Size > size-off {
			return nil, malformedBundle("has a member %s of %d bytes that goes past the end of the file: it was cut short", name, hdr.Size)
		}
		b.members[name] = member{off, hdr.Size}
		end = off + (hdr.Size+511)/512*512
	}
	if err := checkEndOfArchive(r, size, end); err != nil {
		return nil, err
	}
	cp, ok := b.members[checkpointMember]
	if !ok {
		return nil, malformedBundle("has no member %q: it is not a bundle, or it is incomplete", checkpointMember)
	}
	b.cp = make([]byte, cp.size)
	if _, err := r.ReadAt(b.cp, cp.off); err != nil {
		return nil, fmt.Errorf("verifier: bundle: read %s: %w", checkpointMember, err)
	}
	c, err := parseUnverified(b.cp)
	if err != nil {
		return nil, malformedBundle("has a checkpoint that does not parse: %v", err)
	}
	b.size = c.Size
	if err := b.checkTiles(); err != nil {
		return nil, err
	}
	return b, nil
}

// checkMemberName accepts only a bundle's own members, of sizes their names allow.
func checkMemberName(name string, size int64) error {
	switch name {
	case checkpointMember:
		if size > auditlog.MaxCheckpoint {
			return malformedBundle("has a checkpoint of %d bytes, more than %d", size, auditlog.MaxCheckpoint)
		}
		return nil
	case readmeMember:
		if size > maxReadme {
			return malformedBundle("has a %s of %d bytes, more than %d", readmeMember, size, maxReadme)
		}
		return nil
	case eventsMember:
		return nil
	}
	t, err := auditlog.ParseTilePath(name)
	if err != nil {
		return malformedBundle("has a member %q that is neither a tile nor %s, %s or %s", truncate(name), checkpointMember, readmeMember, eventsMember)
	}
	if want := tileDataSize(t); size != want {
		return malformedBundle("has a member %s of %d bytes, want %d for %d entries or hashes: it was cut short or padded", name, size, want, t.W)
	}
	return nil
}

// checkEndOfArchive checks that the archive ends with its end-of-archive marker, two zero
// blocks, which a file cut at a member's boundary lacks.
func checkEndOfArchive(r io.ReaderAt, size, end int64) error {
	const marker = 2 * 512
	if size-end < marker {
		return malformedBundle("ends without the tar end-of-archive marker: it was cut short")
	}
	buf := make([]byte, marker)
	if _, err := r.ReadAt(buf, end); err != nil {
		return fmt.Errorf("verifier: bundle: %w", err)
	}
	if !bytes.Equal(buf, make([]byte, marker)) {
		return malformedBundle("ends without the tar end-of-archive marker: it was cut short or damaged")
	}
	return nil
}

// checkTiles checks that the bundle holds every tile of its checkpoint's tree, and no other.
// It stops at the first missing one, so a checkpoint claiming a huge tree costs no more than
// the bundle's members.
func (b *Bundle) checkTiles() error {
	for i := range bundleTileCount(b.size) {
		p := auditlog.TilePath(bundleTile(b.size, i))
		if _, ok := b.members[p]; !ok {
			return malformedBundle("has no %s, which the tree of its checkpoint (size %d) needs: it is incomplete", p, b.size)
		}
	}
	for name := range b.members {
		t, err := auditlog.ParseTilePath(name)
		if err != nil {
			continue
		}
		if t.W != auditlog.TileWidthAt(t.L, t.N, b.size) {
			return malformedBundle("has a member %s, which is not a tile of the tree of its checkpoint (size %d)", name, b.size)
		}
	}
	return nil
}

// malformedBundle returns an error about a bundle that is not whole, wrapping
// auditlog.ErrMalformed.
func malformedBundle(format string, args ...any) error {
	return fmt.Errorf("%w bundle: the file %s", auditlog.ErrMalformed, fmt.Sprintf(format, args...))
}

// Close closes the bundle's file.
func (b *Bundle) Close() error {
	if b.closer == nil {
		return nil
	}
	return b.closer.Close()
}

// String names the bundle in messages.
func (b *Bundle) String() string { return b.name }

// Size returns the size of the bundle's checkpoint, as its text says (Verify checks its
// signature).
func (b *Bundle) Size() int64 { return b.size }

// HasEvents reports whether the bundle holds the events.
func (b *Bundle) HasEvents() bool {
	_, ok := b.members[eventsMember]
	return ok
}

// Checkpoint returns the bundle's checkpoint.
func (b *Bundle) Checkpoint(context.Context) ([]byte, error) { return bytes.Clone(b.cp), nil }

// Tile reads a tile of the bundle.
func (b *Bundle) Tile(_ context.Context, t tlog.Tile) ([]byte, error) {
	p := auditlog.TilePath(t)
	m, ok := b.members[p]
	if !ok {
		return nil, malformedBundle("has no %s", p)
	}
	if want := tileDataSize(t); m.size != want {
		return nil, malformedBundle("has a member %s of %d bytes, want %d", p, m.size, want)
	}
	data := make([]byte, m.size)
	if _, err := b.r.ReadAt(data, m.off); err != nil {
		return nil, fmt.Errorf("verifier: bundle: read %s: %w", p, err)
	}
	return data, nil
}

// Events streams events.jsonl, line by line. Each line must be one event's JSON object with
// known fields only, and the member must end with a newline; the order of the events is what
// Verify checks, as it does for a server's.
func (b *Bundle) Events(ctx context.Context) (iter.Seq2[*takedown.Event, error], error) {
	m, ok := b.members[eventsMember]
	if !ok {
		return nil, fmt.Errorf("%w: the bundle was exported without a token and has no %s", ErrNoEvents, eventsMember)
	}
	return func(yield func(*takedown.Event, error) bool) {
		if m.size == 0 {
			return
		}
		last := make([]byte, 1)
		if _, err := b.r.ReadAt(last, m.off+m.size-1); err != nil {
			yield(nil, fmt.Errorf("verifier: bundle: read %s: %w", eventsMember, err))
			return
		}
		if last[0] != '\n' {
			yield(nil, malformedBundle("has an %s that does not end with a newline: its last line was cut", eventsMember))
			return
		}
		sc := bufio.NewScanner(io.NewSectionReader(b.r, m.off, m.size))
		sc.Buffer(make([]byte, 0, 64<<10), maxEventLine)
		for line := 1; sc.Scan(); line++ {
			if line%1000 == 0 && ctx.Err() != nil {
				yield(nil, ctx.Err())
				return
			}
			e, err := decodeEventLine(sc.Bytes())
			if err != nil {
				yield(nil, malformedBundle("has an %s whose line %d is %v", eventsMember, line, err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(nil, malformedBundle("has an unreadable %s: %v", eventsMember, err))
		}
	}, nil
}

// decodeEventLine decodes one line of events.jsonl.
func decodeEventLine(line []byte) (*takedown.Event, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var e *takedown.Event
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("not an event (%v)", err)
	}
	if e == nil {
		return nil, errors.New("null, not an event")
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return e, nil
}
