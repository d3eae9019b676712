// Package atomicfile writes a file so that whoever reads it, or the program after a crash,
// finds the old content or the new one, never a part: the content goes to a private temporary
// file in the same directory, is synced, and is renamed over the file (or, for a file that
// must not exist yet, linked into place); the directory is then synced so that the name
// survives a crash.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write writes the file at path with what write writes, readable by its owner only
// (os.CreateTemp's mode, 0600): state files, bundles of the record and files of tokens
// alike.
func Write(path string, write func(io.Writer) error) error {
	return place(path, write, os.Rename)
}

// Create writes a new file at path as Write does, and fails, with an error wrapping
// fs.ErrExist, if there is one already: for keys, which are never replaced. A crash leaves
// either no file or the whole key, never an empty one.
func Create(path string, write func(io.Writer) error) error {
	return place(path, write, func(tmp, path string) error {
		if err := os.Link(tmp, path); err != nil {
			return err
		}
		return os.Remove(tmp)
	})
}

// place writes the content to a temporary file beside path, syncs it, puts it at path with
// put, and syncs the directory.
func place(path string, write func(io.Writer) error, put func(tmp, path string) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := errors.Join(bw.Flush(), f.Sync(), f.Close()); err != nil {
		return err
	}
	if err := put(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
