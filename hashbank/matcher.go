package hashbank

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/hashbank/index"
)

// Matcher holds every active entry of every bank in memory for lookups. It is brought up
// to date by Apply with the entries changed since Seq, in the order of their changes, so a
// caller that reads the store's changes after Seq and applies them keeps it exact without
// ever reloading it whole. Safe for concurrent use.
type Matcher struct {
	mu      sync.RWMutex
	banks   map[int64]*takedown.Bank
	entries map[int64]entry // active entries
	pdq     index.Index
	pdqSize int                // the bank size the PDQ index was chosen for
	exact   map[string][]int64 // type + ":" + value → entry ids
	seq     int64
}

// entry is what the matcher keeps of an active entry; the rest is read from the store for
// the few entries a lookup finds.
type entry struct {
	bank  int64
	typ   takedown.HashType
	value string
}

// NewMatcher returns an empty matcher.
func NewMatcher() *Matcher {
	return &Matcher{banks: map[int64]*takedown.Bank{}, entries: map[int64]entry{}, pdq: index.New(0), exact: map[string][]int64{}}
}

// Seq is the seq of the last change applied: the store's changes after it are still to apply.
func (m *Matcher) Seq() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.seq
}

// Len is the number of active entries held.
func (m *Matcher) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.entries)
}

// SetBanks replaces the banks' settings (radius, minimum quality, negative).
func (m *Matcher) SetBanks(banks []*takedown.Bank) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.banks = make(map[int64]*takedown.Bank, len(banks))
	for _, b := range banks {
		m.banks[b.ID] = b
	}
}

// Apply brings the matcher up to date with changed entries, given in the order of their
// seq: an active entry is added or replaced, any other is taken out. Entries at or below Seq
// were applied already and are skipped.
func (m *Matcher) Apply(changed []*takedown.HashEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range changed {
		if e.Seq <= m.seq {
			continue
		}
		m.remove(e.ID)
		if e.State == takedown.EntryActive {
			if err := m.add(e); err != nil {
				return err
			}
		}
		m.seq = e.Seq
	}
	m.resize()
	return nil
}

func (m *Matcher) add(e *takedown.HashEntry) error {
	if e.Type == takedown.HashPDQ {
		b, err := hex.DecodeString(e.Value)
		if err != nil || len(b) != 32 {
			return fmt.Errorf("hashbank: entry %d: %q is not a PDQ hash", e.ID, e.Value)
		}
		m.pdq.Add(uint64(e.ID), index.Hash(b))
	} else {
		k := exactKey(e.Type, e.Value)
		m.exact[k] = append(m.exact[k], e.ID)
	}
	m.entries[e.ID] = entry{bank: e.BankID, typ: e.Type, value: e.Value}
	return nil
}

func (m *Matcher) remove(id int64) {
	old, ok := m.entries[id]
	if !ok {
		return
	}
	delete(m.entries, id)
	if old.typ == takedown.HashPDQ {
		m.pdq.Remove(uint64(id))
		return
	}
	k := exactKey(old.typ, old.value)
	if ids := slices.DeleteFunc(m.exact[k], func(x int64) bool { return x == id }); len(ids) > 0 {
		m.exact[k] = ids
	} else {
		delete(m.exact, k)
	}
}

// resize rebuilds the PDQ index when the number of PDQ entries has grown or shrunk fourfold
// since it was chosen, so that index.New picks the method and the table sizes for its size.
func (m *Matcher) resize() {
	n := m.pdq.Len()
	if n <= 4*max(m.pdqSize, index.BruteForceBelow/4) && 4*n >= m.pdqSize {
		return
	}
	next := index.New(n)
	for id, e := range m.entries {
		if e.typ == takedown.HashPDQ {
			b, _ := hex.DecodeString(e.value) // checked when added
			next.Add(uint64(id), index.Hash(b))
		}
	}
	m.pdq, m.pdqSize = next, n
}

func exactKey(t takedown.HashType, value string) string { return string(t) + ":" + value }

// Query is one hash to look up, with the dihedral variants of a PDQ hash when the image
// was at hand (the query matches if any variant does).
type Query struct {
	takedown.HashValue
	Variants []string
}

// Found is an entry a lookup found: its id, bank, distance and the variant that matched.
type Found struct {
	EntryID, BankID int64
	Distance        int
	Variant         int
}

// Result is what a lookup found for one query: the entries of ordinary banks, or, when the
// query is within reach of a negative bank's entry, nothing but those negative entries.
type Result struct {
	Found      []Found
	Suppressed []Found
	// Skipped says why the query matched nothing without being searched (its quality).
	Skipped string
}

// Lookup finds the active entries a query matches, in the banks include accepts (nil: all):
// for PDQ, those within their bank's radius of the query or one of its variants, when the
// query's quality reaches the bank's minimum; for digests, equal ones. Closest first.
func (m *Matcher) Lookup(q Query, include func(*takedown.Bank) bool) (Result, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	eligible := func(b *takedown.Bank) bool {
		if include != nil && !include(b) {
			return false
		}
		return q.Type != takedown.HashPDQ || q.Quality == nil || *q.Quality >= b.MinQuality
	}
	var found []Found
	if q.Type != takedown.HashPDQ {
		for _, id := range m.exact[exactKey(q.Type, q.Value)] {
			if b := m.banks[m.entries[id].bank]; b != nil && eligible(b) {
				found = append(found, Found{EntryID: id, BankID: b.ID})
			}
		}
		return split(found, m.banks), nil
	}
	radius, ok := -1, false
	for _, b := range m.banks {
		if eligible(b) {
			radius, ok = max(radius, b.Radius), true
		}
	}
	if !ok {
		if q.Quality != nil && len(m.banks) > 0 {
			return Result{Skipped: fmt.Sprintf("its PDQ quality, %d, is below the minimum of every bank", *q.Quality)}, nil
		}
		return Result{}, nil
	}
	variants := q.Variants
	if len(variants) == 0 {
		variants = []string{q.Value}
	}
	best := map[int64]Found{}
	for v, text := range variants {
		b, err := hex.DecodeString(text)
		if err != nil || len(b) != 32 {
			return Result{}, takedown.Invalid("variants", "variant %d is not a PDQ hash", v)
		}
		ms, err := m.pdq.Search(index.Hash(b), radius)
		if err != nil {
			return Result{}, err
		}
		for _, match := range ms {
			id := int64(match.ID)
			bank := m.banks[m.entries[id].bank]
			if bank == nil || !eligible(bank) || match.Distance > bank.Radius {
				continue
			}
			if f, ok := best[id]; !ok || match.Distance < f.Distance {
				best[id] = Found{EntryID: id, BankID: bank.ID, Distance: match.Distance, Variant: v}
			}
		}
	}
	for _, f := range best {
		found = append(found, f)
	}
	return split(found, m.banks), nil
}

// split sorts what a lookup found, closest first, and sets the negative banks' entries
// apart: one of them suppresses every other match.
func split(found []Found, banks map[int64]*takedown.Bank) Result {
	slices.SortFunc(found, func(a, b Found) int {
		return cmp.Or(cmp.Compare(a.Distance, b.Distance), cmp.Compare(a.EntryID, b.EntryID))
	})
	var r Result
	for _, f := range found {
		if banks[f.BankID].Negative {
			r.Suppressed = append(r.Suppressed, f)
		} else {
			r.Found = append(r.Found, f)
		}
	}
	if len(r.Suppressed) > 0 {
		r.Found = nil
	}
	return r
}
