package index

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/shared"
)

// flip returns h with k distinct random bits inverted.
func flip(rng *rand.Rand, h Hash, k int) Hash {
	for _, b := range rng.Perm(Bits)[:k] {
		h[b/8] ^= 1 << (b % 8)
	}
	return h
}

func randomHash(rng *rand.Rand) Hash {
	var h Hash
	for i := range h {
		h[i] = byte(rng.Uint32())
	}
	return h
}

// forcedMIH returns a multi-index hashing index that never falls back to a scan, so the tests
// exercise its tables even on small sets.
func forcedMIH(m int) *mih {
	x := NewMIH(m).(*mih)
	x.alwaysUse = true
	return x
}

func mustSearch(t testing.TB, x Index, q Hash, r int) []Match {
	t.Helper()
	ms, err := x.Search(q, r)
	if err != nil {
		t.Fatalf("search radius %d: %v", r, err)
	}
	return ms
}

func TestRecallRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var hashes []Hash
	for range 3000 {
		hashes = append(hashes, randomHash(rng))
	}
	// Near-duplicates of inserted hashes, at every distance 0..40.
	for k := 0; k <= 40; k++ {
		for range 10 {
			hashes = append(hashes, flip(rng, hashes[rng.IntN(3000)], k))
		}
	}
	var queries []Hash
	for k := 0; k <= 40; k++ {
		queries = append(queries, flip(rng, hashes[rng.IntN(len(hashes))], k))
	}
	for range 20 {
		queries = append(queries, randomHash(rng))
	}
	for _, m := range []int{8, 11, 16, 23, 32, 64} {
		t.Run(fmt.Sprintf("m=%d", m), func(t *testing.T) {
			bf, x, auto := NewBruteForce(), forcedMIH(m), NewMIH(m)
			for i, h := range hashes {
				bf.Add(uint64(i), h)
				x.Add(uint64(i), h)
				auto.Add(uint64(i), h)
			}
			for _, r := range []int{0, 1, 15, 31, 32, 64} {
				matched := 0
				for qi, q := range queries {
					want := mustSearch(t, bf, q, r)
					matched += len(want)
					if got := mustSearch(t, x, q, r); !slices.Equal(got, want) {
						t.Fatalf("radius %d query %d: got %v, want %v", r, qi, got, want)
					}
					if got := mustSearch(t, auto, q, r); !slices.Equal(got, want) {
						t.Fatalf("radius %d query %d (auto): got %v, want %v", r, qi, got, want)
					}
				}
				if r >= 15 && matched == 0 {
					t.Fatalf("radius %d: no query matched; the test checks nothing", r)
				}
			}
		})
	}
}

// pdqTestdata finds the shared PDQ test lists, which live outside the repository.
func pdqTestdata(t *testing.T) string {
	t.Helper()
	return shared.TestData(t, "pdq", filepath.Join("hamming", "haystack.txt"))
}

func readHashes(t *testing.T, path string) []Hash {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hs []Hash
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		h, err := parseHex(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		hs = append(hs, h)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return hs
}

// parseHex reads a hash written as 64 hex digits, bytes in order.
func parseHex(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("hash %q: want %d hex digits", s, 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %w", s, err)
	}
	return h, nil
}

func TestRecallSharedLists(t *testing.T) {
	dir := filepath.Join(pdqTestdata(t), "hamming")
	haystack := readHashes(t, filepath.Join(dir, "haystack.txt"))
	needles := readHashes(t, filepath.Join(dir, "needles.txt"))
	bf, x := NewBruteForce(), forcedMIH(SubstringsFor(len(haystack)))
	for i, h := range haystack {
		bf.Add(uint64(i), h)
		x.Add(uint64(i), h)
	}
	matched := 0
	for i, q := range needles {
		want := mustSearch(t, bf, q, DefaultRadius)
		matched += len(want)
		if got := mustSearch(t, x, q, DefaultRadius); !slices.Equal(got, want) {
			t.Errorf("needle %d: got %v, want %v", i, got, want)
		}
	}
	t.Logf("%d needles, %d matches within %d in %d hashes", len(needles), matched, DefaultRadius, len(haystack))
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want byte
	}{
		{"f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95", true, 0xf1},
		{"F162EB9DAAB170C0567FE3632D9A5548C5612982DD5E374A7424EBBC8A835C95", true, 0xf1},
		{"f162", false, 0},
		{"g162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h, err := parseHex(tt.in)
			if got := err == nil; got != tt.ok {
				t.Fatalf("ok: got %v, want %v (%v)", got, tt.ok, err)
			}
			if tt.ok && h[0] != tt.want {
				t.Errorf("first byte: got %#x, want %#x", h[0], tt.want)
			}
		})
	}
}

func FuzzParseHex(f *testing.F) {
	f.Add("f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95")
	f.Add("")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHex(s)
		if err != nil {
			return
		}
		if got, want := hex.EncodeToString(h[:]), s; !strings.EqualFold(got, want) {
			t.Errorf("round trip: got %s, want %s", got, want)
		}
	})
}

// FuzzSearch checks multi-index hashing against the brute-force scan on hashes and radii
// the fuzzer chooses: the recall of the index is the property that matters most.
func FuzzSearch(f *testing.F) {
	f.Add([]byte("seed"), uint64(1), uint8(31), uint8(11))
	f.Add(make([]byte, 32*8), uint64(7), uint8(0), uint8(8))
	f.Add([]byte{0xff, 0x00, 0x55}, uint64(3), uint8(200), uint8(64))
	f.Fuzz(checkAgainstBrute)
}

// checkAgainstBrute builds both indexes from the fuzzer's input and compares their answers.
func checkAgainstBrute(t *testing.T, data []byte, seed uint64, radius, m uint8) {
	{
		rng := rand.New(rand.NewPCG(seed, 0))
		bf, x := NewBruteForce(), forcedMIH(int(m))
		var hs []Hash
		for i := 0; i < len(data) && i < 64*32; i += 32 {
			var h Hash
			copy(h[:], data[i:])
			hs = append(hs, h)
		}
		for range 50 {
			if len(hs) > 0 && rng.IntN(2) == 0 {
				hs = append(hs, flip(rng, hs[rng.IntN(len(hs))], rng.IntN(40)))
			} else {
				hs = append(hs, randomHash(rng))
			}
		}
		for i, h := range hs {
			id := uint64(rng.IntN(len(hs))) // some ids repeat: replacements
			bf.Add(id, h)
			x.Add(id, h)
			if i%7 == 0 {
				bf.Remove(uint64(i))
				x.Remove(uint64(i))
			}
		}
		r := int(radius) % (Bits + 1)
		for _, q := range []Hash{hs[0], flip(rng, hs[len(hs)-1], 20), randomHash(rng)} {
			want := mustSearch(t, bf, q, r)
			if got := mustSearch(t, x, q, r); !slices.Equal(got, want) {
				t.Fatalf("m %d radius %d: got %v, want %v", m, r, got, want)
			}
		}
		if got, want := x.Len(), bf.Len(); got != want {
			t.Fatalf("len: got %d, want %d", got, want)
		}
	}
}

func TestAddRemoveReplace(t *testing.T) {
	for name, newIndex := range map[string]func() Index{
		"brute": NewBruteForce,
		"mih":   func() Index { return forcedMIH(16) },
	} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			x := newIndex()
			a, b := randomHash(rng), randomHash(rng)
			near := flip(rng, a, 5)
			x.Add(1, a)
			x.Add(2, near)
			x.Add(3, b)
			if got, want := x.Len(), 3; got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
			if got, want := mustSearch(t, x, a, 31), []Match{{1, 0}, {2, 5}}; !slices.Equal(got, want) {
				t.Fatalf("search: got %v, want %v", got, want)
			}
			x.Add(1, b) // replace: id 1 no longer holds a
			if got, want := x.Len(), 3; got != want {
				t.Fatalf("len after replace: got %d, want %d", got, want)
			}
			if got, want := mustSearch(t, x, a, 31), []Match{{2, 5}}; !slices.Equal(got, want) {
				t.Fatalf("search after replace: got %v, want %v", got, want)
			}
			if got, want := mustSearch(t, x, b, 0), []Match{{1, 0}, {3, 0}}; !slices.Equal(got, want) {
				t.Fatalf("search b after replace: got %v, want %v", got, want)
			}
			x.Remove(2)
			x.Remove(2)  // twice is fine
			x.Remove(99) // absent is fine
			if got := mustSearch(t, x, a, 31); len(got) != 0 {
				t.Fatalf("search after remove: got %v, want none", got)
			}
			x.Remove(1)
			x.Remove(3)
			if got, want := x.Len(), 0; got != want {
				t.Fatalf("len after removing all: got %d, want %d", got, want)
			}
			x.Add(2, near) // an id comes back
			if got, want := mustSearch(t, x, a, 31), []Match{{2, 5}}; !slices.Equal(got, want) {
				t.Fatalf("search after re-add: got %v, want %v", got, want)
			}
		})
	}
}

// TestChurn removes and replaces enough entries to compact the index and grow its tables,
// checking it against the brute-force scan throughout.
func TestChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bf, x := NewBruteForce(), forcedMIH(11)
	var hs []Hash
	for step := range 6000 {
		id := uint64(rng.IntN(3000))
		switch {
		case step%3 == 2:
			bf.Remove(id)
			x.Remove(id)
		case len(hs) > 0 && rng.IntN(2) == 0:
			h := flip(rng, hs[rng.IntN(len(hs))], rng.IntN(30))
			hs = append(hs, h)
			bf.Add(id, h)
			x.Add(id, h)
		default:
			h := randomHash(rng)
			hs = append(hs, h)
			bf.Add(id, h)
			x.Add(id, h)
		}
		if step%500 == 0 {
			for _, q := range []Hash{hs[rng.IntN(len(hs))], flip(rng, hs[rng.IntN(len(hs))], 25)} {
				want := mustSearch(t, bf, q, 31)
				if got := mustSearch(t, x, q, 31); !slices.Equal(got, want) {
					t.Fatalf("step %d: got %v, want %v", step, got, want)
				}
			}
		}
	}
	if got, want := x.Len(), bf.Len(); got != want {
		t.Fatalf("len: got %d, want %d", got, want)
	}
}

func TestRadiusOutOfRange(t *testing.T) {
	for name, x := range map[string]Index{"brute": NewBruteForce(), "mih": NewMIH(16)} {
		for _, r := range []int{-1, 257, 1000} {
			t.Run(fmt.Sprintf("%s/%d", name, r), func(t *testing.T) {
				_, err := x.Search(Hash{}, r)
				if got, want := takedown.ErrorCode(err), takedown.EINVALID; got != want {
					t.Fatalf("error code: got %q, want %q (%v)", got, want, err)
				}
			})
		}
		for _, r := range []int{0, 256} {
			if _, err := x.Search(Hash{}, r); err != nil {
				t.Errorf("%s radius %d: %v", name, r, err)
			}
		}
	}
}

func TestAllWithinFullRadius(t *testing.T) {
	x := NewMIH(11)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 100 {
		x.Add(uint64(i), randomHash(rng))
	}
	if got, want := len(mustSearch(t, x, Hash{}, 256)), 100; got != want {
		t.Fatalf("matches at radius 256: got %d, want %d", got, want)
	}
}

// TestConcurrent runs searches alongside a writer; run with -race.
func TestConcurrent(t *testing.T) {
	for name, x := range map[string]Index{"brute": NewBruteForce(), "mih": forcedMIH(11)} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			base := randomHash(rng)
			for i := range 600 {
				x.Add(uint64(i), flip(rng, base, rng.IntN(40)))
			}
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					r := rand.New(rand.NewPCG(uint64(g), 11))
					for range 100 {
						if _, err := x.Search(flip(r, base, r.IntN(20)), 31); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			for i := range 600 {
				if i%2 == 0 {
					x.Remove(uint64(i))
				} else {
					x.Add(uint64(600+i), flip(rng, base, rng.IntN(40)))
				}
			}
			wg.Wait()
			if got, want := x.Len(), 600; got != want {
				t.Fatalf("len: got %d, want %d", got, want)
			}
		})
	}
}

func TestSubstringsFor(t *testing.T) {
	tests := []struct{ n, want int }{
		{0, 32}, {1000, 26}, {100_000, 15}, {1_000_000, 13}, {10_000_000, 11}, {1 << 40, 8},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := SubstringsFor(tt.n); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// bankOf builds n random hashes of which a tenth are near-duplicates of others, as a bank of
// known material has variants of one image.
func bankOf(n int, seed uint64) []Hash {
	rng := rand.New(rand.NewPCG(seed, 1))
	hs := make([]Hash, n)
	for i := range hs {
		if i > 0 && rng.IntN(10) == 0 {
			hs[i] = flip(rng, hs[rng.IntN(i)], rng.IntN(21))
		} else {
			hs[i] = randomHash(rng)
		}
	}
	return hs
}

var benchBanks sync.Map

func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		v, _ := benchBanks.LoadOrStore(n, bankOf(n, 42))
		hs := v.([]Hash)
		for _, method := range []string{"brute", "mih"} {
			b.Run(fmt.Sprintf("%s/n=%d", method, n), func(b *testing.B) {
				x := NewBruteForce()
				if method == "mih" {
					x = NewMIH(SubstringsFor(n))
				}
				for i, h := range hs {
					x.Add(uint64(i), h)
				}
				rng := rand.New(rand.NewPCG(2, 3))
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					q := randomHash(rng)
					if i%2 == 0 {
						q = flip(rng, hs[rng.IntN(n)], rng.IntN(32))
					}
					if _, err := x.Search(q, DefaultRadius); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCrossover measures both methods on small banks, to place BruteForceBelow.
func BenchmarkCrossover(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000, 16000, 32000} {
		hs := bankOf(n, 43)
		for _, method := range []string{"brute", "mih"} {
			b.Run(fmt.Sprintf("%s/n=%d", method, n), func(b *testing.B) {
				x := NewBruteForce()
				if method == "mih" {
					x = NewMIH(SubstringsFor(n))
				}
				for i, h := range hs {
					x.Add(uint64(i), h)
				}
				rng := rand.New(rand.NewPCG(2, 3))
				for i := 0; b.Loop(); i++ {
					q := randomHash(rng)
					if i%2 == 0 {
						q = flip(rng, hs[rng.IntN(n)], rng.IntN(32))
					}
					if _, err := x.Search(q, DefaultRadius); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
