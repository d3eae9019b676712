package pdq

import (
	"bytes"
	"errors"
	"image"
	"image/color/palette"
	"image/draw"
	"strings"
	"testing"
)

// FuzzDecode feeds Decode arbitrary bytes under small limits: it must return an image within
// the limits or an error, never panic, and whatever it returns must hash.
func FuzzDecode(f *testing.F) {
	// Small seeds, so that the fuzzer minimises what it finds quickly.
	small := testImage().SubImage(image.Rect(70, 30, 86, 42)).(*image.NRGBA)
	p := image.NewPaletted(small.Bounds(), palette.WebSafe)
	draw.Src.Draw(p, p.Bounds(), small, small.Bounds().Min)
	for _, data := range encode(f, small, p) {
		f.Add(data)
	}
	f.Add(append(pngHeader(100000, 100000), pngChunk("IEND", nil)...))
	f.Add([]byte("GIF89a\xff\xff\xff\xff\x00\x00\x00"))
	f.Add([]byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("BM"))
	limits := Limits{MaxBytes: 1 << 16, MaxPixels: 1 << 14}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := Decode(bytes.NewReader(data), limits)
		if err != nil {
			if img != nil {
				t.Fatalf("error %v with an image", err)
			}
			return
		}
		b := img.Bounds()
		if px := int64(b.Dx()) * int64(b.Dy()); px <= 0 || px > limits.MaxPixels {
			t.Fatalf("decoded %v, outside the limits", b)
		}
		if _, _, err := FromImage(img, Squash512); err != nil {
			t.Fatalf("decoded image does not hash: %v", err)
		}
	})
}

// FuzzParseHash: ParseHash accepts exactly the 64-hex-digit strings, and what it accepts
// prints back as the same digits in lower case.
func FuzzParseHash(f *testing.F) {
	f.Add("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	f.Add("D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22")
	f.Add("")
	f.Add("0x" + strings.Repeat("f", 62))
	f.Add(strings.Repeat("é", 32))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidHash) {
				t.Fatalf("error %v does not wrap ErrInvalidHash", err)
			}
			return
		}
		if got, want := h.String(), strings.ToLower(s); got != want {
			t.Fatalf("ParseHash(%q).String() = %q", s, got)
		}
		if h.Distance(h) != 0 {
			t.Fatal("distance to itself is not 0")
		}
	})
}
