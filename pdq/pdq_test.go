package pdq

import (
	"bufio"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/takedown-project/takedown/internal/shared"
)

// refDir finds Meta's reference data, shared with the project and never copied into it.
func refDir(t testing.TB) string {
	t.Helper()
	return shared.TestData(t, "pdq", "expected.tsv")
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

// tolerance is Meta's rule for a decoder that is not libjpeg-turbo (pdq/README.md in
// facebook/ThreatExchange, "We have generally considered implementations to be correct if…"):
// for images of quality 80 or more, within Hamming distance 10 of the reference.
const (
	tolerance        = 10
	toleranceQuality = 80
	// lowQualityTolerance applies below quality 80, where Meta's rule says nothing: the hash
	// must still match the reference's at the usual PDQ match threshold of 31 bits.
	lowQualityTolerance = 31
	// qualitySlack is how far the quality may drift with the decoder.
	qualitySlack = 5
)

// checkNear checks a hash made from Go's decoding of an original against the reference's.
func checkNear(t *testing.T, name string, got Hash, gotQ int, want string, wantQ int) {
	t.Helper()
	d := got.Distance(mustParse(t, want))
	limit := tolerance
	if wantQ < toleranceQuality {
		limit = lowQualityTolerance
	}
	if strings.HasSuffix(name, ".png") {
		limit = 0 // lossless: the pixels are the reference's
	}
	t.Logf("distance %d (limit %d), quality %d (reference %d)", d, limit, gotQ, wantQ)
	if d > limit {
		t.Errorf("hash %s is %d bits from the reference's %s, over %d", got, d, want, limit)
	}
	if gotQ < wantQ-qualitySlack || gotQ > wantQ+qualitySlack {
		t.Errorf("quality: got %d, want %d ± %d", gotQ, wantQ, qualitySlack)
	}
	if limit == 0 && gotQ != wantQ {
		t.Errorf("quality: got %d, want exactly %d", gotQ, wantQ)
	}
}

// TestReferenceFullResolution hashes the originals at full resolution (the HMA profile) with
// Go's decoders, against expected-hma.tsv.
func TestReferenceFullResolution(t *testing.T) {
	dir := refDir(t)
	for _, row := range readTSV(t, filepath.Join(dir, "expected-hma.tsv")) {
		t.Run(row[0], func(t *testing.T) {
			img, _ := decodeFile(t, filepath.Join(dir, "images", row[0]))
			b := img.Bounds()
			if b.Dx() != atoi(t, row[1]) || b.Dy() != atoi(t, row[2]) {
				t.Fatalf("size: got %d×%d, want %s×%s", b.Dx(), b.Dy(), row[1], row[2])
			}
			h, q, err := FromImage(img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, row[0], h, q, row[4], atoi(t, row[3]))
		})
	}
}

// TestReferenceSquash512 hashes the originals the way pdq-photo-hasher does: the squashed
// luma of a PNG must be the reference's buffer's luma exactly, and the hashes of all
// originals must be near expected.tsv's (exact for the PNG).
func TestReferenceSquash512(t *testing.T) {
	dir := refDir(t)
	for _, row := range readTSV(t, filepath.Join(dir, "expected.tsv")) {
		t.Run(row[0], func(t *testing.T) {
			img, format := decodeFile(t, filepath.Join(dir, "images", row[0]))
			if format == "png" {
				ref, _ := decodeFile(t, filepath.Join(dir, "pixels", row[1]))
				got, rows, cols, err := lumaOf(img, Squash512)
				if err != nil {
					t.Fatal(err)
				}
				want, wrows, wcols, err := lumaOf(ref, FullResolution)
				if err != nil {
					t.Fatal(err)
				}
				if rows != wrows || cols != wcols {
					t.Fatalf("squashed to %d×%d, want %d×%d", cols, rows, wcols, wrows)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("luma at (%d, %d): got %v, want %v", i%cols, i/cols, got[i], want[i])
					}
				}
			}
			hs, q, err := Dihedral(img, Squash512)
			if err != nil {
				t.Fatal(err)
			}
			checkNear(t, row[0], hs[0], q, row[5], atoi(t, row[4]))
			for k := 1; k < 8 && format == "png"; k++ {
				if got, want := hs[k].String(), row[5+k]; got != want {
					t.Errorf("dihedral %d: got %s, want %s", k, got, want)
				}
			}
		})
	}
}
