package pdq

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// Default limits, used for a zero field of Limits. They admit any photo a phone or camera
// takes (50 megapixels is 8660×5773) while keeping one decode under about 200 MB.
const (
	DefaultMaxBytes  = 64 << 20
	DefaultMaxPixels = 50_000_000
)

// Limits bound what Decode accepts, because images come from the public and from operators:
// a few kilobytes of PNG or GIF can declare billions of pixels (a decompression bomb).
type Limits struct {
	MaxBytes  int64 // the most bytes read from r; 0 means DefaultMaxBytes
	MaxPixels int64 // the most pixels (width × height) the header may declare; 0 means DefaultMaxPixels
}

// ErrTooLarge is wrapped by Decode's errors for input over its Limits.
var ErrTooLarge = errors.New("image too large")

// ErrUnsupportedFormat is wrapped by Decode's errors for input that is none of the formats it
// reads.
var ErrUnsupportedFormat = errors.New("unsupported image format")

// format is one image format Decode reads, recognised by its leading bytes.
type format struct {
	name   string
	match  func([]byte) bool
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// formats is looked at in order; each is called directly rather than through image.Decode's
// registry, so that what is accepted does not depend on which packages some other part of
// the program happens to import.
func formats() []format {
	prefix := func(ps ...string) func([]byte) bool {
		return func(b []byte) bool {
			for _, p := range ps {
				if bytes.HasPrefix(b, []byte(p)) {
					return true
				}
			}
			return false
		}
	}
	return []format{
		{"jpeg", prefix("\xff\xd8"), jpeg.DecodeConfig, jpeg.Decode},
		{"png", prefix("\x89PNG\r\n\x1a\n"), png.DecodeConfig, png.Decode},
		{"gif", prefix("GIF87a", "GIF89a"), gif.DecodeConfig, gif.Decode},
		{"webp", func(b []byte) bool {
			return len(b) >= 15 && string(b[:4]) == "RIFF" && string(b[8:15]) == "WEBPVP8"
		}, webp.DecodeConfig, webp.Decode},
		{"bmp", prefix("BM"), bmp.DecodeConfig, bmp.Decode},
		{"tiff", prefix("II*\x00", "MM\x00*"), tiff.DecodeConfig, tiff.Decode},
	}
}

// Decode reads one JPEG, PNG, GIF (its first frame), WebP, BMP or TIFF image and returns it
// with its format's name. The size declared in the header is checked against limits before
// any pixel is decoded, so a decompression bomb is refused without allocating its pixels.
// EXIF orientation is not applied, as neither reference hasher applies it.
func Decode(r io.Reader, limits Limits) (image.Image, string, error) {
	maxBytes, maxPixels := limits.MaxBytes, limits.MaxPixels
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("pdq: decode: read: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, "", fmt.Errorf("pdq: decode: %w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	if len(data) == 0 {
		return nil, "", fmt.Errorf("pdq: decode: %w: empty input", ErrUnsupportedFormat)
	}
	var f *format
	for _, c := range formats() {
		if c.match(data) {
			f = &c
			break
		}
	}
	if f == nil {
		return nil, "", fmt.Errorf("pdq: decode: %w: not JPEG, PNG, GIF, WebP, BMP or TIFF", ErrUnsupportedFormat)
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return nil, f.name, fmt.Errorf("pdq: decode %s header: %w", f.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, f.name, fmt.Errorf("pdq: decode %s: empty image (%d×%d)", f.name, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return nil, f.name, fmt.Errorf("pdq: decode %s: %w: %d×%d is %d pixels, over the limit of %d",
			f.name, ErrTooLarge, cfg.Width, cfg.Height, px, maxPixels)
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, f.name, fmt.Errorf("pdq: decode %s: %w", f.name, err)
	}
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) > maxPixels {
		return nil, f.name, fmt.Errorf("pdq: decode %s: %w: decoded %d×%d", f.name, ErrTooLarge, b.Dx(), b.Dy())
	}
	if f.name == "png" && pngGreyAlpha(data) {
		img = greyOf(img)
	}
	return img, f.name, nil
}

// pngGreyAlpha reports whether a PNG's header says grey with alpha. image/png decodes such
// an image to NRGBA, but the reference hashes it as grey (its luma is the grey value, not the
// RGB formula applied to three equal channels, which can be an ulp off).
func pngGreyAlpha(data []byte) bool {
	// signature (8), IHDR length and type (8), width, height (8), bit depth, colour type
	return len(data) > 25 && string(data[12:16]) == "IHDR" && data[25] == 4
}

// greyOf returns the grey channel of a grey-with-alpha image as decoded by image/png.
func greyOf(img image.Image) image.Image {
	b := img.Bounds()
	g := image.NewGray(b)
	switch m := img.(type) {
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.Pix[g.PixOffset(x, y)] = m.Pix[m.PixOffset(x, y)]
			}
		}
	case *image.NRGBA64:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				g.Pix[g.PixOffset(x, y)] = m.Pix[m.PixOffset(x, y)]
			}
		}
	default:
		return img
	}
	return g
}
