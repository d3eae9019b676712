package pdq

import (
	"bufio"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// refDir finds Meta's reference data (shared with the project, never copied into it):
// $TAKEDOWN_SHARED/testdata/pdq, else a shared/testdata/pdq beside an ancestor of the working
// directory, else /work/shared/testdata/pdq. It skips the test when none is there.
func refDir(t testing.TB) string {
	t.Helper()
	var candidates []string
	if s := os.Getenv("TAKEDOWN_SHARED"); s != "" {
		candidates = append(candidates, filepath.Join(s, "testdata", "pdq"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "shared", "testdata", "pdq"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	candidates = append(candidates, "/work/shared/testdata/pdq")
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "expected.tsv")); err == nil {
			return c
		}
	}
	t.Skip("PDQ reference data not found: set TAKEDOWN_SHARED to the folder holding testdata/pdq")
	return ""
}

// readTSV returns the rows of a tab-separated file, without its header line.
func readTSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", path)
	}
	return rows
}

func decodeFile(t testing.TB, path string) (img image.Image, format string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err = Decode(f, Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img, format
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReferencePixels is the exactness test: the very buffers the reference hashed must give
// its quality and all 8 dihedral hashes, character for character.
func TestReferencePixels(t *testing.T) {
	dir := refDir(t)
	for _, row := range readTSV(t, filepath.Join(dir, "expected.tsv")) {
		t.Run(row[0], func(t *testing.T) {
			img, _ := decodeFile(t, filepath.Join(dir, "pixels", row[1]))
			if got, want := img.Bounds().Dx(), atoi(t, row[2]); got != want {
				t.Fatalf("width: got %d, want %d", got, want)
			}
			hs, q, err := Dihedral(img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := q, atoi(t, row[4]); got != want {
				t.Errorf("quality: got %d, want %d", got, want)
			}
			for k, h := range hs {
				if got, want := h.String(), row[5+k]; got != want {
					t.Errorf("dihedral %d: got %s, want %s (distance %d)", k, got, want, h.Distance(mustParse(t, want)))
				}
			}
			h, q1, err := FromImage(img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := h.String(), row[5]; got != want || q1 != q {
				t.Errorf("FromImage: got %s quality %d, want %s quality %d", got, q1, want, q)
			}
		})
	}
}

func mustParse(t testing.TB, s string) Hash {
	t.Helper()
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
