package pdq

import (
	"math"
	"slices"
)

// The hashing core follows Meta's reference C++ (pdq/cpp in facebook/ThreatExchange) step by
// step, with the same float32 arithmetic in the same order, so that a pixel buffer gives the
// reference's hash bit for bit. Every float32 product that is then added is wrapped in an
// explicit float32 conversion: the Go spec lets the compiler fuse x*y+z into one FMA
// instruction (it does with GOAMD64=v3), and the conversion forbids that, as the reference
// is built without fused multiply-add.

const (
	// minHashableDim is the reference's smallest side: smaller images hash to zero, quality 0.
	minHashableDim = 5
	// jaroszPasses is the number of box-filter passes along each axis (two make a tent).
	jaroszPasses = 2
)

// dctMatrix is the 16×64 DCT-II basis the reference precomputes: rows 1..16 of the 64-point
// DCT, in row-major order. Computed in float64 and rounded to float32, as the reference does.
var dctMatrix = func() [16 * 64]float32 {
	var d [16 * 64]float32
	scale := float32(math.Sqrt(2.0 / 64.0))
	for i := range 16 {
		for j := range 64 {
			d[i*64+j] = float32(float64(scale) * math.Cos((math.Pi/2.0/64.0)*float64(i+1)*float64(2*j+1)))
		}
	}
	return d
}()

// hashLuma is the reference's pdqHash256FromFloatLuma: luma is rows×cols, row-major, and is
// overwritten (the box filter works in place). A 64×64 buffer is taken as already
// downsampled, as the reference does for video frames.
func hashLuma(luma []float32, rows, cols int) (Hash, int) {
	if rows < minHashableDim || cols < minHashableDim {
		return Hash{}, 0
	}
	var a [64][64]float32
	if rows == 64 && cols == 64 {
		for i := range 64 {
			copy(a[i][:], luma[i*64:(i+1)*64])
		}
	} else {
		downsample(luma, rows, cols, &a)
	}
	quality := qualityOf(&a)
	var b [16][16]float32
	dct64To16(&a, &b)
	return toHash(&b), quality
}

// dihedralLuma is the reference's pdqDihedralHash256esFromFloatLuma. Unlike hashLuma it always
// filters, even a 64×64 buffer: the reference does so, and the first hash can then differ from
// hashLuma's for exactly that size.
func dihedralLuma(luma []float32, rows, cols int) ([8]Hash, int) {
	var hs [8]Hash
	if rows < minHashableDim || cols < minHashableDim {
		return hs, 0
	}
	var a [64][64]float32
	downsample(luma, rows, cols, &a)
	quality := qualityOf(&a)
	var b [16][16]float32
	dct64To16(&a, &b)
	for k := range hs {
		var t [16][16]float32
		for i := range 16 {
			for j := range 16 {
				v := b[i][j]
				switch k {
				case 0: // original
					t[i][j] = v
				case 1: // rotate 90° counter-clockwise
					if j&1 == 0 {
						v = -v
					}
					t[j][i] = v
				case 2: // rotate 180°
					if (i+j)&1 == 1 {
						v = -v
					}
					t[i][j] = v
				case 3: // rotate 90° clockwise
					if i&1 == 0 {
						v = -v
					}
					t[j][i] = v
				case 4: // flip top to bottom
					if i&1 == 0 {
						v = -v
					}
					t[i][j] = v
				case 5: // mirror left to right
					if j&1 == 0 {
						v = -v
					}
					t[i][j] = v
				case 6: // transpose
					t[j][i] = v
				case 7: // transpose about the other diagonal
					if (i+j)&1 == 1 {
						v = -v
					}
					t[j][i] = v
				}
			}
		}
		hs[k] = toHash(&t)
	}
	return hs, quality
}

// downsample blurs luma in place with the two-pass Jarosz box filter and picks the 64×64
// samples at the centres of a regular grid.
func downsample(luma []float32, rows, cols int, out *[64][64]float32) {
	alongRows := jaroszWindow(cols, 64)
	alongCols := jaroszWindow(rows, 64)
	tmp := make([]float32, len(luma))
	for range jaroszPasses {
		for i := range rows {
			box1D(luma[i*cols:], tmp[i*cols:], cols, 1, alongRows)
		}
		boxColumns(tmp, luma, rows, cols, alongCols)
	}
	for oi := range 64 {
		ii := int((float64(oi) + 0.5) * float64(rows) / 64)
		for oj := range 64 {
			ij := int((float64(oj) + 0.5) * float64(cols) / 64)
			out[oi][oj] = luma[ii*cols+ij]
		}
	}
}

// jaroszWindow is half the block a downsampled pixel covers, rounded up: two passes of it
// together reach the whole block.
func jaroszWindow(oldDim, newDim int) int {
	return (oldDim + 2*newDim - 1) / (2 * newDim)
}

// box1D is a running-sum box filter of width window along a strided vector of n values,
// with the window shrinking at both ends; the sums are kept in float32, as in the reference.
func box1D(in, out []float32, n, stride, window int) {
	half := (window + 2) / 2
	phase1 := half - 1
	phase2 := window - half + 1
	phase3 := n - window
	phase4 := half - 1
	li, ri, oi := 0, 0, 0
	var sum float32
	size := 0
	for range phase1 {
		sum += in[ri]
		size++
		ri += stride
	}
	for range phase2 {
		sum += in[ri]
		size++
		out[oi] = sum / float32(size)
		ri += stride
		oi += stride
	}
	for range phase3 {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(size)
		li += stride
		ri += stride
		oi += stride
	}
	for range phase4 {
		sum -= in[li]
		size--
		out[oi] = sum / float32(size)
		li += stride
		oi += stride
	}
}

// boxColumns is box1D down every column of a rows×cols buffer, done a row at a time for all
// columns together, so that memory is read in order rather than a row apart. Each column's
// running sum sees the same additions, subtractions and divisions in the same order as box1D
// would give it, so the result is bit for bit the same.
func boxColumns(in, out []float32, rows, cols, window int) {
	half := (window + 2) / 2
	phase1 := half - 1
	phase2 := window - half + 1
	phase3 := rows - window
	phase4 := half - 1
	sums := make([]float32, cols)
	li, ri, oi := 0, 0, 0 // row offsets
	size := 0
	for range phase1 {
		addRow(sums, in[ri:ri+cols])
		size++
		ri += cols
	}
	for range phase2 {
		addRow(sums, in[ri:ri+cols])
		size++
		divideRow(out[oi:oi+cols], sums, float32(size))
		ri += cols
		oi += cols
	}
	for range phase3 {
		addRow(sums, in[ri:ri+cols])
		subRow(sums, in[li:li+cols])
		divideRow(out[oi:oi+cols], sums, float32(size))
		li += cols
		ri += cols
		oi += cols
	}
	for range phase4 {
		subRow(sums, in[li:li+cols])
		size--
		divideRow(out[oi:oi+cols], sums, float32(size))
		li += cols
		oi += cols
	}
}

func addRow(sums, row []float32) {
	row = row[:len(sums)]
	for j := range sums {
		sums[j] += row[j]
	}
}

func subRow(sums, row []float32) {
	row = row[:len(sums)]
	for j := range sums {
		sums[j] -= row[j]
	}
}

func divideRow(out, sums []float32, size float32) {
	out = out[:len(sums)]
	for j := range sums {
		out[j] = sums[j] / size
	}
}

// qualityOf is the reference's heuristic: the sum of quantised neighbour differences of the
// 64×64 downsample, scaled so that 100 means plenty of detail.
func qualityOf(a *[64][64]float32) int {
	sum := 0
	for i := range 63 {
		for j := range 64 {
			d := int(float32(a[i][j]-a[i+1][j]) * 100 / 255)
			sum += abs(d)
		}
	}
	for i := range 64 {
		for j := range 63 {
			d := int(float32(a[i][j]-a[i][j+1]) * 100 / 255)
			sum += abs(d)
		}
	}
	return min(sum/90, 100)
}

func abs(d int) int {
	if d < 0 {
		return -d
	}
	return d
}

// dct64To16 computes B = D A Dᵀ for the 16×64 basis D: the lowest 16×16 frequencies of the
// 64×64 downsample, skipping the DC term. Sums run over k in order, as in the reference.
func dct64To16(a *[64][64]float32, b *[16][16]float32) {
	d := &dctMatrix
	var t [16][64]float32
	for i := range 16 {
		for j := range 64 {
			var sum float32
			for k := range 64 {
				sum += float32(d[i*64+k] * a[k][j])
			}
			t[i][j] = sum
		}
	}
	for i := range 16 {
		for j := range 16 {
			var sum float32
			for k := range 64 {
				sum += float32(t[i][k] * d[j*64+k])
			}
			b[i][j] = sum
		}
	}
}

// toHash sets bit 16i+j when coefficient (i, j) is strictly above the median. The reference's
// Torben median of 256 values returns the 128th smallest, which is what sorting gives.
func toHash(b *[16][16]float32) Hash {
	var vals [256]float32
	for i := range 16 {
		copy(vals[i*16:], b[i][:])
	}
	sorted := vals
	slices.Sort(sorted[:])
	median := sorted[127]
	var h Hash
	for k, v := range vals {
		if v > median {
			h.setBit(k)
		}
	}
	return h
}
