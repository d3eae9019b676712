package pdq

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkHash is the hashing core alone on a 512×512 luma buffer (the size the reference
// command-line tool squashes to): filter, downsample, quality, DCT and the 8 dihedral hashes.
func BenchmarkHash(b *testing.B) {
	const n = 512
	src := make([]float32, n*n)
	for i := range src {
		src[i] = float32((i*7919)%251) + float32(i%n)/4
	}
	luma := make([]float32, len(src))
	b.ReportAllocs()
	for b.Loop() {
		copy(luma, src) // the core filters in place
		dihedralLuma(luma, n, n)
	}
}

// BenchmarkDecodeAndHash decodes the 1600×1004 reference JPEG and hashes it at full
// resolution, as HMA's profile does.
func BenchmarkDecodeAndHash(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(refDir(b), "images", "bridge-1-original.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := Decode(bytes.NewReader(data), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := FromImage(img, FullResolution); err != nil {
			b.Fatal(err)
		}
	}
}
