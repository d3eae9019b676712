// Package index finds every PDQ hash in a bank within a Hamming distance of a query hash.
//
// Each reported image's hash, and its eight dihedral variants, is looked up against banks of
// hashes of known material, for all entries within distance 31 by default. Two methods are
// offered behind one interface: a brute-force scan, which is fastest for small banks and has
// no index to keep, and multi-index hashing (Norouzi, Punjani, Fleet, "Fast Search in Hamming
// Space with Multi-Index Hashing", CVPR 2012), which answers large banks without reading them
// whole. New chooses between them by the expected size of the bank; see docs/matching.md.
package index

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/takedown-project/takedown"
)

// Bits is the length of a PDQ hash in bits, and so the largest possible distance.
const Bits = 256

// DefaultRadius is the distance within which a PDQ hash is taken to show the same image, as
// ThreatExchange and HMA match by default.
const DefaultRadius = 31

// Hash is a 256-bit PDQ hash, a [32]byte as the pdq package's is, so one converts to the other.
type Hash [32]byte

// Match is one bank entry found by a search, with its distance to the query so the caller
// can weigh a near match against an exact one.
type Match struct {
	ID       uint64
	Distance int
}

// Index holds a bank's hashes for searching. Implementations are safe for any number of
// concurrent searches alongside one writer: a bank changes while reports are matched.
type Index interface {
	// Add puts the hash of bank entry id in the index; adding an id already present replaces
	// its hash, so an edited entry needs no removal first.
	Add(id uint64, h Hash)
	// Remove takes entry id out of the index, as a tombstoned or disabled entry must no
	// longer match. Removing an absent id does nothing.
	Remove(id uint64)
	// Search returns every entry within radius of q (distance ≤ radius), sorted by distance
	// then id, so the closest match comes first and results are reproducible. It returns an
	// EINVALID error if radius is outside 0..256.
	Search(q Hash, radius int) ([]Match, error)
	// Len returns the number of entries in the index.
	Len() int
}

// BruteForceBelow is the bank size under which New chooses the brute-force scan: below it a
// scan of every hash at radius 31 is as fast as multi-index hashing. Measured with
// BenchmarkCrossover; see docs/matching.md.
const BruteForceBelow = 2048

// New returns an index suited to a bank of about n entries: a brute-force scan below
// BruteForceBelow, multi-index hashing with SubstringsFor(n) substrings above, its tables
// sized for n entries so that loading the bank does not rehash them as it grows.
func New(n int) Index {
	if n < BruteForceBelow {
		return NewBruteForce()
	}
	return newMIH(SubstringsFor(n), n)
}

// SubstringsFor returns the number of substrings that makes multi-index hashing fastest for
// n entries: about 256/log2(n), so that each substring table holds about one entry per key
// (the paper's choice, confirmed by bench/matching).
func SubstringsFor(n int) int {
	if n < 2 {
		n = 2
	}
	lg := bits.Len(uint(n - 1)) // ceil(log2 n)
	m := (Bits + lg/2) / lg
	return max(8, min(m, 32))
}

// words is a hash as four machine words, the form distances are counted on.
type words [4]uint64

func toWords(h Hash) words {
	return words{
		binary.LittleEndian.Uint64(h[0:]),
		binary.LittleEndian.Uint64(h[8:]),
		binary.LittleEndian.Uint64(h[16:]),
		binary.LittleEndian.Uint64(h[24:]),
	}
}

// Distance returns the Hamming distance between two hashes: the number of bits that differ.
func Distance(a, b Hash) int {
	return distance(toWords(a), toWords(b))
}

func distance(a, b words) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// within returns the distance between a and b and whether it is at most r, stopping after
// half the words when they already differ by more.
func within(a, b *words, r int) (int, bool) {
	d := bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1])
	if d > r {
		return d, false
	}
	d += bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
	return d, d <= r
}

func checkRadius(radius int) error {
	if radius < 0 || radius > Bits {
		return takedown.Invalid("radius", "must be between 0 and %d, got %d", Bits, radius)
	}
	return nil
}

// sortMatches puts matches in the order Search promises: distance, then id.
func sortMatches(ms []Match) {
	slices.SortFunc(ms, func(a, b Match) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
