package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPDQHash hashes a generated image from the command line, with and without its dihedral
// variants, and reports a file that is not an image without losing the others.
func TestPDQHash(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), uint8((x + y) % 256), 255})
		}
	}
	good := filepath.Join(dir, "synthetic.png")
	f, err := os.Create(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("not an image"), 0o600)

	out := cli(t, nil, 0, "pdq", "hash", good)
	if !regexp.MustCompile(`^[0-9a-f]{64} \d+ ` + regexp.QuoteMeta(good) + "\n$").MatchString(out) {
		t.Errorf("pdq hash printed %q, want HASH QUALITY FILE", out)
	}
	out = cli(t, nil, 0, "pdq", "hash", "--dihedral", good)
	if n := len(regexp.MustCompile(`[0-9a-f]{64}`).FindAllString(out, -1)); n != 8 {
		t.Errorf("--dihedral printed %d hashes, want 8: %q", n, out)
	}
	out = cli(t, nil, 2, "pdq", "hash", bad, good)
	if !strings.Contains(out, good) || !strings.Contains(out, "notes.txt") {
		t.Errorf("a bad file among good ones: %q", out)
	}
}
