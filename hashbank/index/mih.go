package index

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// substring is one slice of a hash's bits that multi-index hashing keys a table on.
type substring struct {
	start, width uint // width ≤ 32
}

// of returns the substring's bits of w as a key.
func (s substring) of(w *words) uint32 {
	i, off := s.start/64, s.start%64
	v := w[i] >> off
	if off+s.width > 64 {
		v |= w[i+1] << (64 - off)
	}
	return uint32(v & (1<<s.width - 1))
}

// minTableBits is the size, as a power of two, of a new index's tables; they double as the
// index grows, up to one bucket per possible substring value.
const minTableBits = 10

// mih is a multi-index hashing index. The hash is cut into m disjoint substrings; by the
// pigeonhole principle, a hash within distance r of the query is within r/m of it on at least
// one substring, so a search looks up, in each substring's table, every key within that
// smaller distance of the query's substring, and checks the full distance of the entries it
// finds there. The tables are chained: heads[k][bucket] is the last entry added to a bucket
// (position+1, 0 for none) and next[k][position] the one added before it, which makes an
// addition O(m) with no rebuild and keeps four bytes per entry per substring.
type mih struct {
	mu        sync.RWMutex
	subs      []substring
	hashes    []words
	ids       []uint64
	dead      []bool // tombstones: removed or replaced, left until the next compaction
	ndead     int
	pos       map[uint64]uint32
	tableBits uint // log2 of the largest table; a substring's table has min(width, tableBits) bits
	heads     [][]uint32
	next      [][]uint32
	lookups   [Bits + 1]uint64 // keys looked up per search at each radius
	alwaysUse bool             // tests: use the tables even when a scan is cheaper, within reason
	bufs      sync.Pool        // of *searchBuf
}

// NewMIH returns a multi-index hashing index on m substrings of 256/m bits each, clamped to
// 8..64 (substrings of 32 down to 4 bits). SubstringsFor gives the best m for a bank's size.
// Each entry costs its hash, id and tombstone (41 bytes), about 30 bytes of id map and 4·m
// bytes of chains, plus 4 bytes per table slot: 162 bytes an entry at 10 M entries and m = 11
// (docs/matching.md). The tables start small and double as entries are added; New sizes them
// for the bank at once.
func NewMIH(m int) Index {
	return newMIH(m, 0)
}

// newMIH returns a multi-index hashing index with room for about n entries, so a bank loaded
// whole is not copied and rehashed as it grows.
func newMIH(m, n int) *mih {
	m = max(8, min(m, 64))
	x := &mih{
		pos:       make(map[uint64]uint32, n),
		tableBits: max(minTableBits, uint(bits.Len(uint(n)))),
		hashes:    make([]words, 0, n),
		ids:       make([]uint64, 0, n),
		dead:      make([]bool, 0, n),
	}
	x.bufs.New = func() any { return new(searchBuf) }
	base, extra := Bits/m, Bits%m
	start := uint(0)
	for k := range m {
		w := uint(base)
		if k < extra {
			w++
		}
		x.subs = append(x.subs, substring{start: start, width: w})
		start += w
	}
	x.tableBits = min(x.tableBits, x.maxWidth())
	for r := range x.lookups {
		x.lookups[r] = x.countLookups(r)
	}
	x.rebuild()
	return x
}

// radius returns the distance within which substring k must be searched for a query radius r.
// With r = m·q + a, a hash within r is within q on one of the first a+1 substrings or within
// q-1 on one of the others (Norouzi et al., proposition 1); a negative result means none.
func (x *mih) radius(k, r int) int {
	m := len(x.subs)
	q, a := r/m, r%m
	if k > a {
		q--
	}
	return min(q, int(x.subs[k].width))
}

func (x *mih) countLookups(r int) uint64 {
	var n uint64
	for k, s := range x.subs {
		for d := 0; d <= x.radius(k, r); d++ {
			n += binomial(s.width, uint(d))
		}
	}
	return n
}

func binomial(n, k uint) uint64 {
	c := uint64(1)
	for i := uint(1); i <= k; i++ {
		c = c * uint64(n-k+i) / uint64(i)
	}
	return c
}

func (x *mih) bucketBits(k int) uint {
	return min(x.subs[k].width, x.tableBits)
}

// bucket maps a substring key to its table slot: the key itself when the table has a slot
// per key, a multiplicative hash of it while the index is still small.
func (x *mih) bucket(k int, key uint32) uint32 {
	bb := x.bucketBits(k)
	if bb == x.subs[k].width {
		return key
	}
	return (key * 0x9E3779B1) >> (32 - bb)
}

func (x *mih) link(k int, p uint32) {
	b := x.bucket(k, x.subs[k].of(&x.hashes[p]))
	x.next[k][p] = x.heads[k][b]
	x.heads[k][b] = p + 1
}

// rebuild makes the tables anew from the live entries, after they grow or are compacted.
func (x *mih) rebuild() {
	x.heads = make([][]uint32, len(x.subs))
	x.next = make([][]uint32, len(x.subs))
	for k := range x.subs {
		x.heads[k] = make([]uint32, 1<<x.bucketBits(k))
		x.next[k] = make([]uint32, len(x.hashes), cap(x.hashes))
		for p := range x.hashes {
			if !x.dead[p] {
				x.link(k, uint32(p))
			}
		}
	}
}

func (x *mih) maxWidth() uint {
	return x.subs[0].width // the first substrings are the widest
}

func (x *mih) Add(id uint64, h Hash) {
	w := toWords(h)
	x.mu.Lock()
	defer x.mu.Unlock()
	if p, ok := x.pos[id]; ok {
		x.dead[p] = true
		x.ndead++
	}
	p := uint32(len(x.hashes))
	x.pos[id] = p
	x.hashes = append(x.hashes, w)
	x.ids = append(x.ids, id)
	x.dead = append(x.dead, false)
	for k := range x.subs {
		x.next[k] = append(x.next[k], 0)
		x.link(k, p)
	}
	x.tidy()
}

func (x *mih) Remove(id uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	p, ok := x.pos[id]
	if !ok {
		return
	}
	delete(x.pos, id)
	x.dead[p] = true
	x.ndead++
	x.tidy()
}

// tidy compacts the entries once a quarter of them are tombstones, and doubles the tables
// while they hold more than one entry per bucket, both amortised over the changes that led
// there.
func (x *mih) tidy() {
	if x.ndead*4 > len(x.hashes) {
		live := 0
		for p := range x.hashes {
			if x.dead[p] {
				continue
			}
			x.hashes[live], x.ids[live], x.dead[live] = x.hashes[p], x.ids[p], false
			x.pos[x.ids[live]] = uint32(live)
			live++
		}
		x.hashes, x.ids, x.dead = x.hashes[:live], x.ids[:live], x.dead[:live]
		x.ndead = 0
		x.rebuild()
	}
	grown := false
	for len(x.hashes) > 1<<x.tableBits && x.tableBits < x.maxWidth() {
		x.tableBits++
		grown = true
	}
	if grown {
		x.rebuild()
	}
}

// hit is an entry found within the radius, by position; one entry can be found through
// several substrings.
type hit struct {
	pos  uint32
	dist int
}

func (x *mih) Search(q Hash, radius int) ([]Match, error) {
	if err := checkRadius(radius); err != nil {
		return nil, err
	}
	qw := toWords(q)
	x.mu.RLock()
	defer x.mu.RUnlock()
	buf := x.bufs.Get().(*searchBuf)
	defer x.bufs.Put(buf)
	hits := buf.hits[:0]
	if x.scanIsCheaper(radius) {
		for p := range x.hashes {
			if d, ok := within(&qw, &x.hashes[p], radius); ok && !x.dead[p] {
				hits = append(hits, hit{uint32(p), d})
			}
		}
	} else {
		hits = x.walk(buf, &qw, radius, hits)
		slices.SortFunc(hits, func(a, b hit) int { return cmp.Compare(a.pos, b.pos) })
		hits = slices.CompactFunc(hits, func(a, b hit) bool { return a.pos == b.pos })
	}
	buf.hits = hits
	ms := make([]Match, len(hits))
	for i, h := range hits {
		ms[i] = Match{ID: x.ids[h.pos], Distance: h.dist}
	}
	sortMatches(ms)
	return ms, nil
}

// link is an entry reached in substring k's table, whose chain may go on.
type link struct {
	k, pos uint32
}

// searchBuf is one search's scratch space, reused across searches.
type searchBuf struct {
	front, front2 []link
	hits          []hit
}

// walk finds the entries within radius through the tables. It goes breadth first: every
// key's bucket head is read in one loop, then every entry reached is checked and its chain
// followed one step, and so on. The reads in each loop are independent of one another, so
// the processor overlaps their cache misses instead of waiting on each in turn; the tables
// are far larger than the caches, and those misses are what a search costs.
func (x *mih) walk(buf *searchBuf, q *words, radius int, hits []hit) []hit {
	front := buf.front[:0]
	for k, s := range x.subs {
		rk := x.radius(k, radius)
		if rk < 0 {
			continue
		}
		head := x.heads[k]
		bb := x.bucketBits(k)
		direct := bb == s.width
		key := s.of(q)
		b := key
		if !direct {
			b = (key * 0x9E3779B1) >> (32 - bb)
		}
		if e := head[b]; e != 0 {
			front = append(front, link{uint32(k), e - 1})
		}

		// Every key at distance d from the query's, d = 1..rk: one or two bits by loops (the
		// default radius needs no more), more by masks of d bits set in increasing order
		// (Gosper's hack).
		probe := func(b uint32) {
			if !direct {
				b = (b * 0x9E3779B1) >> (32 - bb)
			}
			if e := head[b]; e != 0 {
				front = append(front, link{uint32(k), e - 1})
			}
		}
		for d := 1; d <= rk; d++ {
			switch d {
			case 1:
				for i := range s.width {
					probe(key ^ 1<<i)
				}
			case 2:
				for i := range s.width {
					for j := i + 1; j < s.width; j++ {
						probe(key ^ 1<<i ^ 1<<j)
					}
				}
			default:
				for mask := uint64(1)<<d - 1; mask < 1<<s.width; {
					probe(key ^ uint32(mask))
					c := mask & -mask
					r := mask + c
					mask = (((r ^ mask) >> 2) / c) | r
				}
			}
		}
	}
	more := buf.front2[:0]
	for len(front) > 0 {
		more = more[:0]
		for _, l := range front {
			if d, ok := within(q, &x.hashes[l.pos], radius); ok && !x.dead[l.pos] {
				hits = append(hits, hit{l.pos, d})
			}
			if e := x.next[l.k][l.pos]; e != 0 {
				more = append(more, link{l.k, e - 1})
			}
		}
		front, more = more, front
	}
	buf.front, buf.front2 = front, more
	return hits
}

// scanIsCheaper reports whether reading every hash costs less than the lookups a search at
// radius would make, as for a small index or a radius far above the default. A lookup and
// each entry it finds are random reads, taken as costing four sequential ones.
func (x *mih) scanIsCheaper(radius int) bool {
	if x.alwaysUse && x.lookups[radius] <= 1<<18 {
		return false
	}
	n := uint64(len(x.hashes))
	perBucket := n>>x.bucketBits(len(x.subs)-1) + 1
	return 4*x.lookups[radius]*perBucket >= n
}

func (x *mih) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.pos)
}
