package verifier

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog"
)

// State is what a verification keeps for the next one: the checkpoint it verified, when,
// and the tree's leaf hashes at that checkpoint's size, so that a later verification can
// name the first leaf a rewritten history changed. The package documentation gives its file
// format.
type State struct {
	// Checkpoint is the verified checkpoint; its At is when it was verified.
	Checkpoint Checkpoint
	// Leaves are the leaf hashes of the tree of the checkpoint, one per event.
	Leaves []tlog.Hash
}

// stateHeader is the first line of a state file, with its version.
const stateHeader = "takedown-log-state v1"

// maxStateLine bounds a text line of a state file.
const maxStateLine = 128

// WriteTo writes the state in its file format.
func (s *State) WriteTo(w io.Writer) (int64, error) {
	if int64(len(s.Leaves)) != s.Checkpoint.Size {
		return 0, fmt.Errorf("verifier: state of %d leaves for a checkpoint of size %d", len(s.Leaves), s.Checkpoint.Size)
	}
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(w, h)}
	bw := bufio.NewWriterSize(cw, 64<<10)
	fmt.Fprintf(bw, "%s\nverified %s\ncheckpoint %d\n", stateHeader, s.Checkpoint.At.UTC().Format(time.RFC3339Nano), len(s.Checkpoint.Note))
	bw.Write(s.Checkpoint.Note)
	fmt.Fprintf(bw, "leaves %d\n", len(s.Leaves))
	for _, l := range s.Leaves {
		bw.Write(l[:])
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("verifier: write state: %w", err)
	}
	// The checksum line is not part of what it sums.
	n, err := fmt.Fprintf(w, "sha256 %x\n", h.Sum(nil))
	if err != nil {
		return cw.n + int64(n), fmt.Errorf("verifier: write state: %w", err)
	}
	return cw.n + int64(n), nil
}

// countingWriter counts what it writes.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// stateReader reads a state file and sums what it read.
type stateReader struct {
	r   *bufio.Reader
	sum hash.Hash
}

// line reads one text line, without its newline, of at most maxStateLine bytes.
func (s *stateReader) line(what string) (string, error) {
	l, err := s.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(l) > maxStateLine:
		return "", corrupt("the %s line is longer than %d bytes", what, maxStateLine)
	case err != nil:
		return "", corrupt("ends before its %s line: truncated", what)
	}
	s.sum.Write(l)
	return string(l[:len(l)-1]), nil
}

// field reads a "name value" line.
func (s *stateReader) field(name string) (string, error) {
	l, err := s.line(name)
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(l, name+" ")
	if !ok {
		return "", corrupt("has %q where its %s line should be", truncate(l), name)
	}
	return v, nil
}

// number reads a "name <decimal>" line.
func (s *stateReader) number(name string) (int64, error) {
	v, err := s.field(name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
		return 0, corrupt("its %s %q is not a decimal number", name, truncate(v))
	}
	return n, nil
}

// full reads exactly len(p) bytes.
func (s *stateReader) full(p []byte, what string) error {
	if _, err := io.ReadFull(s.r, p); err != nil {
		return corrupt("ends inside its %s: truncated", what)
	}
	s.sum.Write(p)
	return nil
}

// ReadState reads a state file. It refuses, with an error wrapping auditlog.ErrMalformed,
// anything but a whole, intact state of version 1 whose leaves hash to its checkpoint's root.
// It reads the leaves as they come, so a corrupt count cannot make it allocate more than the
// file holds.
func ReadState(r io.Reader) (*State, error) {
	sr := &stateReader{r: bufio.NewReaderSize(r, 64<<10), sum: sha256.New()}
	header := stateHeader + "\n"
	switch head, _ := sr.r.Peek(len(header)); {
	case len(head) == 0:
		return nil, corrupt("is empty")
	case len(head) < len(header) && strings.HasPrefix(header, string(head)):
		return nil, corrupt("ends inside its header line: truncated")
	case string(head) != header:
		return nil, corrupt("does not start with %q: it is not a state file of this version", stateHeader)
	}
	if _, err := sr.line("header"); err != nil {
		return nil, err
	}
	at, err := sr.field("verified")
	if err != nil {
		return nil, err
	}
	s := &State{}
	s.Checkpoint.At, err = time.Parse(time.RFC3339Nano, at)
	if err != nil || s.Checkpoint.At.UTC().Format(time.RFC3339Nano) != at {
		return nil, corrupt("its time %q is not an RFC 3339 time in UTC", truncate(at))
	}
	n, err := sr.number("checkpoint")
	if err != nil {
		return nil, err
	}
	if n > auditlog.MaxCheckpoint {
		return nil, corrupt("its checkpoint of %d bytes is longer than %d", n, auditlog.MaxCheckpoint)
	}
	s.Checkpoint.Note = make([]byte, n)
	if err := sr.full(s.Checkpoint.Note, "checkpoint"); err != nil {
		return nil, err
	}
	s.Checkpoint.Checkpoint, err = parseUnverified(s.Checkpoint.Note)
	if err != nil {
		return nil, corrupt("its checkpoint: %v", err)
	}
	count, err := sr.number("leaves")
	if err != nil {
		return nil, err
	}
	if count != s.Checkpoint.Size {
		return nil, corrupt("holds %d leaves for a checkpoint of size %d", count, s.Checkpoint.Size)
	}
	s.Leaves = make([]tlog.Hash, 0, min(count, 1<<20))
	var h tlog.Hash
	for i := int64(0); i < count; i++ {
		if err := sr.full(h[:], "leaves"); err != nil {
			return nil, err
		}
		s.Leaves = append(s.Leaves, h)
	}
	want := sr.sum.Sum(nil)
	sum, err := sr.field("sha256")
	if err != nil {
		return nil, err
	}
	if got, err := hex.DecodeString(sum); err != nil || !bytes.Equal(got, want) || sum != hex.EncodeToString(got) {
		return nil, corrupt("its checksum does not match its contents: it was damaged or edited")
	}
	if _, err := sr.r.ReadByte(); err != io.EOF {
		return nil, corrupt("has data after its checksum")
	}
	if root := rootOf(s.Leaves); root != s.Checkpoint.Root {
		return nil, corrupt("its %d leaves hash to %s, not to its checkpoint's root %s", count, hashText(root), hashText(s.Checkpoint.Root))
	}
	return s, nil
}

// corrupt returns an error about a corrupt state file, wrapping auditlog.ErrMalformed.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w state: the file %s", auditlog.ErrMalformed, fmt.Sprintf(format, args...))
}

// truncate shortens text from a file quoted in an error.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// LoadState reads the state file at path. A file that does not exist gives an error for
// which errors.Is(err, fs.ErrNotExist) holds: the first verification.
func LoadState(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := ReadState(f)
	if err != nil {
		return nil, &StateError{Path: path, Err: err}
	}
	return s, nil
}

// saveState writes the state file at path atomically (package atomicfile), so that a crash
// leaves either the old state or the new one, never a mix. The file is readable by its owner
// only.
func saveState(path string, s *State) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := s.WriteTo(w)
		return err
	})
	if err != nil {
		return &StateError{Path: path, Err: err}
	}
	return nil
}
