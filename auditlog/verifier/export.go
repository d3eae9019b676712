package verifier

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Export writes a bundle of the source's log at its current checkpoint to w: the checkpoint,
// a README.txt, every tile and entry bundle of the tree, and, when the source has them, the
// events 1 to the checkpoint's size in events.jsonl, one takedown.Event in JSON a line, so
// that the bundle verifies offline as the source does and can be kept as evidence of what it
// served. It checks each tile's format but no signature (Verify does), and fetches the tiles
// one after the other in the bundle's order, so that a checkpoint claiming a tree larger than
// the source holds fails at the first tile it lacks. The events are spooled to a
// temporary file first, since a tar member's size comes before its data. progress, if not
// nil, is called with the number of tiles and events written and their total.
func Export(ctx context.Context, src Source, w io.Writer, progress func(done, total int64)) error {
	cp, err := src.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("verifier: export: fetch the checkpoint: %w", err)
	}
	c, err := parseUnverified(cp)
	if err != nil {
		return fmt.Errorf("verifier: export: %w", err)
	}
	events, err := src.Events(ctx)
	if err != nil && !errors.Is(err, ErrNoEvents) {
		return fmt.Errorf("verifier: export: %w", err)
	}
	tiles := bundleTileCount(c.Size)
	total, done := tiles, int64(0)
	if events != nil {
		total += c.Size
	}
	report := func() {
		if progress != nil {
			progress(done, total)
		}
	}

	tw := tar.NewWriter(w)
	if err := writeMember(tw, checkpointMember, cp); err != nil {
		return err
	}
	if err := writeMember(tw, readmeMember, readme(c, events != nil)); err != nil {
		return err
	}
	err = inOrder(ctx, DefaultWorkers, tiles, func(ctx context.Context, i int64) ([]byte, error) {
		t := bundleTile(c.Size, i)
		data, err := src.Tile(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("verifier: export: fetch %s: %w", auditlog.TilePath(t), err)
		}
		if err := parseTile(t, data); err != nil {
			return nil, fmt.Errorf("verifier: export: %w", err)
		}
		return data, nil
	}, func(i int64, data []byte) error {
		if err := writeMember(tw, auditlog.TilePath(bundleTile(c.Size, i)), data); err != nil {
			return err
		}
		done++
		report()
		return nil
	})
	if err != nil {
		return err
	}
	if events != nil {
		if err := exportEvents(ctx, tw, events, c.Size, func(n int64) { done = tiles + n; report() }); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("verifier: export: %w", err)
	}
	return nil
}

// exportEvents spools the events up to size to a temporary file, then writes it as
// events.jsonl.
func exportEvents(ctx context.Context, tw *tar.Writer, events iter.Seq2[*takedown.Event, error], size int64, progress func(int64)) error {
	f, err := os.CreateTemp("", "takedown-export-*.jsonl")
	if err != nil {
		return fmt.Errorf("verifier: export: spool the events: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	bw := bufio.NewWriterSize(f, 256<<10)
	n := int64(0)
	for e, err := range events {
		if err != nil {
			return fmt.Errorf("verifier: export: %w", err)
		}
		if e.ID > size {
			continue // not yet checkpointed; the source may still hold, later, one it owes
		}
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("verifier: export: event %d: %w", e.ID, err)
		}
		bw.Write(line)
		if err := bw.WriteByte('\n'); err != nil {
			return fmt.Errorf("verifier: export: spool the events: %w", err)
		}
		if n++; n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress(n)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("verifier: export: spool the events: %w", err)
	}
	progress(n)
	spooled, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("verifier: export: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("verifier: export: %w", err)
	}
	if err := tw.WriteHeader(memberHeader(eventsMember, spooled)); err != nil {
		return fmt.Errorf("verifier: export: %w", err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("verifier: export: write %s: %w", eventsMember, err)
	}
	return nil
}

// memberHeader is the header of every member: a regular file with fixed metadata, so that
// two exports of the same log at the same checkpoint are the same bytes.
func memberHeader(name string, size int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatUSTAR}
}

// writeMember writes one member.
func writeMember(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(memberHeader(name, int64(len(data)))); err != nil {
		return fmt.Errorf("verifier: export: %s: %w", name, err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("verifier: export: %s: %w", name, err)
	}
	return nil
}

// readme is the bundle's README.txt.
func readme(c auditlog.Checkpoint, events bool) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `This file is an export of the takedown audit log of %s at its checkpoint of size %d
(root hash %s). It is an uncompressed tar holding

  checkpoint      the log's signed checkpoint (a C2SP tlog-checkpoint note)
  tile/...        every hash tile and entry bundle of the tree at that size (C2SP tlog-tiles)
`, c.Origin, c.Size, hashText(c.Root))
	if events {
		fmt.Fprintf(&b, `  events.jsonl    the %d events of the record that the checkpoint covers, one JSON object a
                  line, each with its salt: handle this file as you would the record itself
`, c.Size)
	} else {
		b.WriteString(`
It holds no events (it was exported without a token): verifying it checks the log's tree, not
the events' bodies.
`)
	}
	b.WriteString(`
A leaf of the log is a salted digest of an event, never the event itself. To verify the
bundle, offline, with the log's public key obtained from a source you trust, never from
this file:

  takedown log verify --bundle FILE --key VKEY [--witness-key VKEY] [--state STATE]

With --state, the verification is compared with the previous one, leaf by leaf.
`)
	return []byte(b.String())
}
