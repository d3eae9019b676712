// Package pdq computes Meta's PDQ perceptual hash of an image, bit for bit as the reference
// C++ in facebook/ThreatExchange does, so that hashes from takedown and from the hash lists
// of other bodies (HMA, ThreatExchange, industry hash-sharing) can be compared.
//
// PDQ maps an image to 256 bits that change little when the image is re-encoded, resized or
// lightly edited; two images are taken to match when their hashes are at most 31 bits apart
// (Meta's threshold, pdq/README.md). A quality from 0 to 100 says how much detail the hash
// rests on: Meta recommends discarding hashes of quality 49 or less, which match too easily.
package pdq

import (
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/bits"
)

// Hash is a PDQ hash as a big-endian 256-bit number: bit k (k = 16i+j, set when DCT
// coefficient (i, j) is above the median) is bit k%8 of byte 31-k/8. That is the byte order
// of the reference's 64-character hex text, so String and ParseHash are plain hex.
type Hash [32]byte

// setBit sets bit k in the reference's numbering.
func (h *Hash) setBit(k int) { h[31-k/8] |= 1 << (k % 8) }

// String returns the 64 lowercase hex digits the reference prints and hash lists carry.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ErrInvalidHash is wrapped by ParseHash's errors, so callers can tell bad input from other
// failures.
var ErrInvalidHash = errors.New("invalid PDQ hash")

// ParseHash reads the 64-hex-digit text of a hash (either case), as hash lists carry it.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("pdq: parse hash: %w: %d characters, want 64 hex digits", ErrInvalidHash, len(s))
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return h, fmt.Errorf("pdq: parse hash: %w: character %d, %q, is not a hex digit", ErrInvalidHash, i+1, s[i:i+1])
		}
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("pdq: parse hash: %w: %v", ErrInvalidHash, err)
	}
	return h, nil
}

// Distance is the number of bits in which h and o differ: the Hamming distance PDQ matching
// thresholds are stated in.
func (h Hash) Distance(o Hash) int {
	n := 0
	for i := 0; i < 32; i += 8 {
		x := uint64(h[i])<<56 | uint64(h[i+1])<<48 | uint64(h[i+2])<<40 | uint64(h[i+3])<<32 |
			uint64(h[i+4])<<24 | uint64(h[i+5])<<16 | uint64(h[i+6])<<8 | uint64(h[i+7])
		y := uint64(o[i])<<56 | uint64(o[i+1])<<48 | uint64(o[i+2])<<40 | uint64(o[i+3])<<32 |
			uint64(o[i+4])<<24 | uint64(o[i+5])<<16 | uint64(o[i+6])<<8 | uint64(o[i+7])
		n += bits.OnesCount64(x ^ y)
	}
	return n
}

// Profile says which pixels are hashed, because the two hashers in use differ and a hash
// only matches hashes made the same way.
type Profile int

const (
	// FullResolution hashes every decoded pixel: what HMA and python-threatexchange do (through
	// the pdqhash package), and so what most shared hash lists hold.
	FullResolution Profile = iota
	// Squash512 first resizes an image larger than 512 pixels on either side to exactly
	// 512×512 by nearest neighbour, discarding the aspect ratio, as the reference command-line
	// tool pdq-photo-hasher does.
	Squash512
)

// String names the profile as the CLI's --profile flag does.
func (p Profile) String() string {
	switch p {
	case FullResolution:
		return "full"
	case Squash512:
		return "squash"
	}
	return fmt.Sprintf("Profile(%d)", int(p))
}

// squashDim is the side the reference command-line tool squashes large images to.
const squashDim = 512

// FromImage returns the PDQ hash of img and its quality (0 to 100). Images smaller than 5
// pixels on a side hash to zero with quality 0, as in the reference.
func FromImage(img image.Image, p Profile) (Hash, int, error) {
	luma, rows, cols, err := lumaOf(img, p)
	if err != nil {
		return Hash{}, 0, err
	}
	h, q := hashLuma(luma, rows, cols)
	return h, q, nil
}

// Dihedral returns the hashes of img under its 8 rotations and flips, computed from one DCT,
// so that a rotated or mirrored copy can be matched against a single stored hash. The order
// is the reference's: original, rotated 90° counter-clockwise, 180°, 90° clockwise, flipped
// top to bottom, mirrored left to right, transposed, transposed about the other diagonal.
func Dihedral(img image.Image, p Profile) ([8]Hash, int, error) {
	luma, rows, cols, err := lumaOf(img, p)
	if err != nil {
		return [8]Hash{}, 0, err
	}
	hs, q := dihedralLuma(luma, rows, cols)
	return hs, q, nil
}

// Luma coefficients, float32 as the reference declares them (rounded from the float64
// literal, as C++ does).
var (
	lumaR = float32(float64(0.299))
	lumaG = float32(float64(0.587))
	lumaB = float32(float64(0.114))
)

// lumaOf returns the float32 luma of img, squashed if the profile says so, row-major. RGB is
// weighted 0.299/0.587/0.114 in float32 left to right; grey is taken as is, not through the
// RGB formula (the reference does the same, and the two differ by an ulp at some levels);
// alpha is dropped, the colour used as stored.
func lumaOf(img image.Image, p Profile) ([]float32, int, int, error) {
	if img == nil {
		return nil, 0, 0, errors.New("pdq: no image")
	}
	if p != FullResolution && p != Squash512 {
		return nil, 0, 0, fmt.Errorf("pdq: unknown profile %d", int(p))
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, 0, 0, fmt.Errorf("pdq: empty image (%d×%d)", w, h)
	}
	cols, rows := w, h
	if p == Squash512 && (w > squashDim || h > squashDim) {
		cols, rows = squashDim, squashDim
	}
	xs := make([]int, cols) // source column of each output column
	for x := range xs {
		xs[x] = b.Min.X + x*w/cols
	}
	luma := make([]float32, rows*cols)
	rgb := func(r, g, b uint8) float32 {
		return float32(lumaR*float32(r)) + float32(lumaG*float32(g)) + float32(lumaB*float32(b))
	}
	for y := range rows {
		sy := b.Min.Y + y*h/rows
		out := luma[y*cols : (y+1)*cols]
		switch m := img.(type) {
		case *image.Gray:
			for x, sx := range xs {
				out[x] = float32(m.Pix[m.PixOffset(sx, sy)])
			}
		case *image.Gray16:
			for x, sx := range xs {
				out[x] = float32(m.Pix[m.PixOffset(sx, sy)]) // high byte
			}
		case *image.NRGBA:
			for x, sx := range xs {
				px := m.Pix[m.PixOffset(sx, sy):]
				out[x] = rgb(px[0], px[1], px[2])
			}
		case *image.RGBA:
			for x, sx := range xs {
				px := m.Pix[m.PixOffset(sx, sy):]
				if px[3] == 0xff {
					out[x] = rgb(px[0], px[1], px[2])
				} else {
					c := color.NRGBAModel.Convert(color.RGBA{px[0], px[1], px[2], px[3]}).(color.NRGBA)
					out[x] = rgb(c.R, c.G, c.B)
				}
			}
		case *image.NRGBA64:
			for x, sx := range xs {
				px := m.Pix[m.PixOffset(sx, sy):]
				out[x] = rgb(px[0], px[2], px[4]) // high bytes
			}
		case *image.YCbCr:
			for x, sx := range xs {
				r, g, bl := color.YCbCrToRGB(m.Y[m.YOffset(sx, sy)], m.Cb[m.COffset(sx, sy)], m.Cr[m.COffset(sx, sy)])
				out[x] = rgb(r, g, bl)
			}
		case *image.NYCbCrA:
			for x, sx := range xs {
				r, g, bl := color.YCbCrToRGB(m.Y[m.YOffset(sx, sy)], m.Cb[m.COffset(sx, sy)], m.Cr[m.COffset(sx, sy)])
				out[x] = rgb(r, g, bl)
			}
		case *image.Paletted:
			for x, sx := range xs {
				var c color.NRGBA // an index past the palette is black, as image/png does
				if i := int(m.Pix[m.PixOffset(sx, sy)]); i < len(m.Palette) {
					c = straight(m.Palette[i])
				}
				out[x] = rgb(c.R, c.G, c.B)
			}
		default:
			for x, sx := range xs {
				c := straight(img.At(sx, sy))
				out[x] = rgb(c.R, c.G, c.B)
			}
		}
	}
	return luma, rows, cols, nil
}

// straight returns c's colour without alpha premultiplication, 8 bits a channel.
func straight(c color.Color) color.NRGBA {
	switch c := c.(type) {
	case color.NRGBA:
		return c
	case color.Gray:
		return color.NRGBA{c.Y, c.Y, c.Y, 0xff}
	}
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}
