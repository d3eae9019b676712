package atomicfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/takedown-project/takedown/atomicfile"
)

// TestWrite: the file is replaced whole and private; a failed write leaves the old content
// and no temporary file behind.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := atomicfile.Write(path, write("first")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Write(path, write("second")); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the writer failed half-way")
	err := atomicfile.Write(path, func(w io.Writer) error { io.WriteString(w, "thi"); return failed })
	if !errors.Is(err, failed) {
		t.Errorf("Write = %v, want the writer's error", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "second" {
		t.Errorf("the file holds %q, %v; want the last whole write", b, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", info.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the file alone", len(entries))
	}
	if err := atomicfile.Write(filepath.Join(dir, "missing", "x"), write("x")); err == nil {
		t.Error("a write into a missing directory succeeded")
	}
}

// TestCreate: a new file is written whole and private; an existing one is left as it was,
// with an error that says so, and no temporary file behind.
func TestCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := atomicfile.Create(path, write("first")); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.Create(path, write("second")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over a file = %v, want an error wrapping fs.ErrExist", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "first" {
		t.Errorf("the file holds %q, %v; want the first write", b, err)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the file alone", len(entries))
	}
}
