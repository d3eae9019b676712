package index

import "sync"

// bruteForce keeps hashes in one flat slice and compares the query with each, the fastest way
// for small banks and the reference the other methods are checked against.
type bruteForce struct {
	mu     sync.RWMutex
	hashes []words
	ids    []uint64
	pos    map[uint64]int
}

// NewBruteForce returns an index that scans every hash on each search: 40 bytes and a map
// entry per hash, no build cost, and a search time proportional to the bank's size.
func NewBruteForce() Index {
	return &bruteForce{pos: make(map[uint64]int)}
}

func (b *bruteForce) Add(id uint64, h Hash) {
	w := toWords(h)
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.pos[id]; ok {
		b.hashes[p] = w
		return
	}
	b.pos[id] = len(b.hashes)
	b.hashes = append(b.hashes, w)
	b.ids = append(b.ids, id)
}

func (b *bruteForce) Remove(id uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.pos[id]
	if !ok {
		return
	}
	// The last entry moves into the hole, so the slice stays dense and scans stay tight.
	last := len(b.hashes) - 1
	if p != last {
		b.hashes[p] = b.hashes[last]
		b.ids[p] = b.ids[last]
		b.pos[b.ids[p]] = p
	}
	b.hashes = b.hashes[:last]
	b.ids = b.ids[:last]
	delete(b.pos, id)
}

func (b *bruteForce) Search(q Hash, radius int) ([]Match, error) {
	if err := checkRadius(radius); err != nil {
		return nil, err
	}
	qw := toWords(q)
	b.mu.RLock()
	defer b.mu.RUnlock()
	var ms []Match
	for p := range b.hashes {
		if d, ok := within(&qw, &b.hashes[p], radius); ok {
			ms = append(ms, Match{ID: b.ids[p], Distance: d})
		}
	}
	sortMatches(ms)
	return ms, nil
}

func (b *bruteForce) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.hashes)
}
