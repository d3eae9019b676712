package pdq

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// testImage is a small synthetic picture: smooth waves and a disc, with detail enough for a
// high quality, and no fine texture that lossy encoders would wipe out.
func testImage() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 128, 96))
	for y := range 96 {
		for x := range 128 {
			fx, fy := float64(x), float64(y)
			r := 128 + 100*math.Sin(fx/9)*math.Cos(fy/13)
			g := 128 + 100*math.Cos((fx+fy)/17)
			b := 40.0
			if (fx-80)*(fx-80)+(fy-40)*(fy-40) < 500 {
				b, r = 230, 30
			}
			img.Set(x, y, color.NRGBA{uint8(r), uint8(g), uint8(b), 0xff})
		}
	}
	return img
}

// palettedImage is testImage in the Plan 9 palette, without dithering: what a GIF holds.
func palettedImage() *image.Paletted {
	src := testImage()
	p := image.NewPaletted(src.Bounds(), palette.Plan9)
	draw.Src.Draw(p, p.Bounds(), src, image.Point{})
	return p
}

// encoded returns testImage in each format Go can write.
func encoded(t testing.TB) map[string][]byte {
	t.Helper()
	return encode(t, testImage(), palettedImage())
}

// encode returns img in each format Go can write, and p as the GIF.
func encode(t testing.TB, img image.Image, p *image.Paletted) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, enc := range map[string]func(*bytes.Buffer) error{
		"png":  func(b *bytes.Buffer) error { return png.Encode(b, img) },
		"jpeg": func(b *bytes.Buffer) error { return jpeg.Encode(b, img, &jpeg.Options{Quality: 90}) },
		"gif":  func(b *bytes.Buffer) error { return gif.Encode(b, p, nil) },
		"bmp":  func(b *bytes.Buffer) error { return bmp.Encode(b, img) },
		"tiff": func(b *bytes.Buffer) error { return tiff.Encode(b, img, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		out[name] = b.Bytes()
	}
	return out
}

func TestDecodeFormats(t *testing.T) {
	want, _, err := FromImage(testImage(), FullResolution)
	if err != nil {
		t.Fatal(err)
	}
	wantGIF, _, err := FromImage(palettedImage(), FullResolution)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range encoded(t) {
		t.Run(name, func(t *testing.T) {
			img, format, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if format != name {
				t.Errorf("format: got %q, want %q", format, name)
			}
			if got, want := img.Bounds().Size(), (image.Point{128, 96}); got != want {
				t.Errorf("size: got %v, want %v", got, want)
			}
			got, q, err := FromImage(img, FullResolution)
			if err != nil {
				t.Fatal(err)
			}
			// Lossless formats give the source's hash exactly; JPEG is near it.
			limit, src := 0, want
			switch name {
			case "jpeg":
				limit = 31
			case "gif":
				src = wantGIF
			}
			d := got.Distance(src)
			t.Logf("distance %d, quality %d", d, q)
			if d > limit {
				t.Errorf("hash %d bits from the original's, over %d", d, limit)
			}
		})
	}
}

// pngChunk returns one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// pngHeader returns a PNG signature and IHDR declaring w×h pixels of 8-bit RGB.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

func TestDecodeRefuses(t *testing.T) {
	good := encoded(t)
	gifBomb := append([]byte("GIF89a\xff\xff\xff\xff\x00\x00\x00"), bytes.Repeat([]byte{0}, 16)...)
	for _, tc := range []struct {
		name   string
		data   []byte
		limits Limits
		is     error  // the sentinel wrapped, if any
		says   string // part of the message
	}{
		{"empty", nil, Limits{}, ErrUnsupportedFormat, "empty input"},
		{"text", []byte("hello, this is not an image"), Limits{}, ErrUnsupportedFormat, "not JPEG, PNG"},
		{"PDF", []byte("%PDF-1.7\n"), Limits{}, ErrUnsupportedFormat, "not JPEG, PNG"},
		{"PNG bomb 100000×100000", append(pngHeader(100000, 100000), pngChunk("IEND", nil)...), Limits{}, ErrTooLarge, "100000×100000"},
		{"GIF bomb 65535×65535", gifBomb, Limits{}, ErrTooLarge, "65535×65535"},
		{"over MaxPixels", good["png"], Limits{MaxPixels: 128*96 - 1}, ErrTooLarge, "128×96"},
		{"over MaxBytes", good["png"], Limits{MaxBytes: int64(len(good["png"]) - 1)}, ErrTooLarge, "bytes"},
		{"zero-size PNG", append(pngHeader(0, 0), pngChunk("IEND", nil)...), Limits{}, nil, "png"},
		{"PNG signature only", []byte("\x89PNG\r\n\x1a\n"), Limits{}, nil, "png header"},
		{"truncated PNG", good["png"][:len(good["png"])/2], Limits{}, nil, "decode png"},
		{"truncated JPEG", good["jpeg"][:len(good["jpeg"])/2], Limits{}, nil, "decode jpeg"},
		{"truncated GIF", good["gif"][:len(good["gif"])/2], Limits{}, nil, "decode gif"},
		{"truncated BMP", good["bmp"][:len(good["bmp"])/2], Limits{}, nil, "decode bmp"},
		{"truncated TIFF", good["tiff"][:40], Limits{}, nil, "decode tiff"},
		{"WebP header only", []byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00"), Limits{}, nil, "decode webp"},
		{"corrupt PNG data", corruptPNG(good["png"]), Limits{}, nil, "decode png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, _, err := Decode(bytes.NewReader(tc.data), tc.limits)
			if err == nil {
				t.Fatalf("got a %v image, want an error", img.Bounds())
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

// corruptPNG flips bytes in the middle of the image data, keeping the header intact.
func corruptPNG(data []byte) []byte {
	c := bytes.Clone(data)
	for i := 60; i < len(c)-20; i += 7 {
		c[i] ^= 0x5a
	}
	return c
}

// TestDecodeBombAllocatesLittle: the bomb is refused from its header, before its 30 GB of
// pixels are allocated.
func TestDecodeBombAllocatesLittle(t *testing.T) {
	bomb := append(pngHeader(100000, 100000), pngChunk("IEND", nil)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := Decode(bytes.NewReader(bomb), Limits{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes refusing a bomb, want under 1 MiB", got)
	}
}

// TestDecodeGreyAlphaPNG: a grey-with-alpha PNG (colour type 4, which image/png cannot
// write, so it is built by hand) is hashed as grey, as the reference does.
func TestDecodeGreyAlphaPNG(t *testing.T) {
	const w, h = 20, 20
	grey := image.NewGray(image.Rect(0, 0, w, h))
	var raw bytes.Buffer
	for y := range h {
		raw.WriteByte(0) // filter: none
		for x := range w {
			v := uint8(x*13 + y*7)
			grey.SetGray(x, y, color.Gray{v})
			raw.Write([]byte{v, uint8(100 + x)})
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 4
	data := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	data = append(data, pngChunk("IDAT", z.Bytes())...)
	data = append(data, pngChunk("IEND", nil)...)

	img, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("got %T, want *image.Gray", img)
	}
	if !bytes.Equal(g.Pix, grey.Pix) {
		t.Error("grey values differ")
	}
}
