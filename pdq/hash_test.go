package pdq

import (
	"bufio"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHashText(t *testing.T) {
	// Bit k is w[k/16] bit k%16, and w[15] is printed first: bit 0 is the last hex digit's
	// lowest bit, bit 255 the first digit's highest.
	var h Hash
	h.setBit(0)
	h.setBit(17)
	h.setBit(255)
	if got, want := h.String(), "8000"+strings.Repeat("0", 52)+"00020001"; got != want {
		t.Errorf("String: got %s, want %s", got, want)
	}
	back, err := ParseHash(strings.ToUpper(h.String()))
	if err != nil {
		t.Fatal(err)
	}
	if back != h {
		t.Errorf("ParseHash(String()): got %s, want %s", back, h)
	}
}

func TestParseHashErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "0 characters, want 64"},
		{"short", strings.Repeat("a", 63), "63 characters, want 64"},
		{"long", strings.Repeat("a", 65), "65 characters, want 64"},
		{"non-hex", strings.Repeat("a", 63) + "g", `character 64, "g", is not a hex digit`},
		{"space", " " + strings.Repeat("a", 63), `character 1, " ", is not a hex digit`},
		{"prefix", "0x" + strings.Repeat("a", 62), `character 2, "x", is not a hex digit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHash(tc.in)
			if err == nil {
				t.Fatal("got no error")
			}
			if !errors.Is(err, ErrInvalidHash) {
				t.Errorf("error %v does not wrap ErrInvalidHash", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestDistance(t *testing.T) {
	zero := Hash{}
	var ones Hash
	for i := range ones {
		ones[i] = 0xff
	}
	var one Hash
	one.setBit(200)
	for _, tc := range []struct {
		name string
		a, b Hash
		want int
	}{
		{"same", ones, ones, 0},
		{"opposite", zero, ones, 256},
		{"one bit", zero, one, 1},
		{"one bit off all", one, ones, 255},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Distance(tc.b); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
			if got := tc.b.Distance(tc.a); got != tc.want {
				t.Errorf("reversed: got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestHashLists reads Meta's Hamming-test hash lists: every hash parses and prints back the
// same, and no distance is out of range.
func TestHashLists(t *testing.T) {
	dir := refDir(t)
	var all []Hash
	for _, name := range []string{"haystack.txt", "needles.txt"} {
		f, err := os.Open(filepath.Join(dir, "hamming", name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			h, err := ParseHash(line)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if h.String() != strings.ToLower(line) {
				t.Errorf("%s: %s prints back as %s", name, line, h)
			}
			all = append(all, h)
		}
		f.Close()
	}
	if got, want := len(all), 1450; got != want {
		t.Errorf("got %d hashes, want %d", got, want)
	}
	for _, h := range all[1350:] {
		for _, o := range all[:1350] {
			if d := h.Distance(o); d < 0 || d > 256 {
				t.Fatalf("distance %d", d)
			}
		}
	}
}

// TestSmallImages: below 5 pixels on a side the hash is zero and the quality 0, as in the
// reference; a flat image has quality 0 but a hash.
func TestSmallImages(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
	}{
		{"1x1", 1, 1},
		{"4x100", 4, 100},
		{"100x4", 100, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewGray(image.Rect(0, 0, tc.w, tc.h))
			for i := range img.Pix {
				img.Pix[i] = uint8(i * 37)
			}
			h, q, err := FromImage(img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			if h != (Hash{}) || q != 0 {
				t.Errorf("got %s quality %d, want zero quality 0", h, q)
			}
			hs, q, err := Dihedral(img, Squash512)
			if err != nil {
				t.Fatal(err)
			}
			if hs != [8]Hash{} || q != 0 {
				t.Errorf("Dihedral: got %v quality %d, want zeros", hs, q)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		if _, _, err := FromImage(image.NewGray(image.Rectangle{}), FullResolution); err == nil {
			t.Error("got no error for a 0×0 image")
		}
	})
	t.Run("unknown profile", func(t *testing.T) {
		if _, _, err := FromImage(image.NewGray(image.Rect(0, 0, 8, 8)), Profile(7)); err == nil {
			t.Error("got no error for an unknown profile")
		}
	})
	t.Run("flat", func(t *testing.T) {
		img := image.NewGray(image.Rect(0, 0, 40, 30))
		_, q, err := FromImage(img, FullResolution)
		if err != nil {
			t.Fatal(err)
		}
		if q != 0 {
			t.Errorf("quality %d, want 0", q)
		}
	})
}

// TestImageTypes: every in-memory form of the same pixels hashes the same, and an image whose
// bounds do not start at (0, 0) hashes as its pixels do.
func TestImageTypes(t *testing.T) {
	const w, h = 70, 50
	px := func(x, y int) (r, g, b uint8) { return uint8(x * 3), uint8(y * 5), uint8(x * y) }
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	shifted := image.NewNRGBA(image.Rect(10, 20, 10+w, 20+h))
	var generic image.Image = image.NewRGBA64(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			r, g, b := px(x, y)
			rgba.Set(x, y, color.RGBA{r, g, b, 0xff})
			nrgba.Set(x, y, color.NRGBA{r, g, b, 0x80}) // alpha is dropped
			nrgba64.Set(x, y, color.NRGBA64{uint16(r) << 8, uint16(g) << 8, uint16(b) << 8, 0xffff})
			shifted.Set(10+x, 20+y, color.NRGBA{r, g, b, 0xff})
			generic.(*image.RGBA64).Set(x, y, color.RGBA{r, g, b, 0xff})
		}
	}
	want, wq, err := FromImage(rgba, FullResolution)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		img  image.Image
	}{
		{"NRGBA with alpha", nrgba},
		{"NRGBA64", nrgba64},
		{"shifted bounds", shifted},
		{"RGBA64 (generic path)", generic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, q, err := FromImage(tc.img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			if got != want || q != wq {
				t.Errorf("got %s quality %d, want %s quality %d", got, q, want, wq)
			}
		})
	}
}
