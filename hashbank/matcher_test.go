package hashbank

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/takedown-project/takedown"
)

// randomPDQ returns a random hash and one that differs from it in d bits.
func randomPDQ(r *rand.Rand, d int) (string, string) {
	var a [32]byte
	for i := range a {
		a[i] = byte(r.UintN(256))
	}
	b := a
	for _, bit := range r.Perm(256)[:d] {
		b[bit/8] ^= 1 << (bit % 8)
	}
	return fmt.Sprintf("%x", a), fmt.Sprintf("%x", b)
}

func quality(q int) *int { return &q }

func TestMatcher(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m := NewMatcher()
	m.SetBanks([]*takedown.Bank{
		{ID: 1, Name: "evidence", Radius: 31, MinQuality: 50},
		{ID: 2, Name: "strict", Radius: 10, MinQuality: 80},
		{ID: 3, Name: "false positives", Radius: 31, MinQuality: 50, Negative: true},
	})
	stored, near := randomPDQ(r, 20)
	other, _ := randomPDQ(r, 0)
	fp, nearFP := randomPDQ(r, 5)
	seq := int64(0)
	entry := func(id, bank int64, typ takedown.HashType, value string, state takedown.EntryState) *takedown.HashEntry {
		seq++
		return &takedown.HashEntry{ID: id, BankID: bank, HashValue: takedown.HashValue{Type: typ, Value: value}, State: state, Seq: seq}
	}
	err := m.Apply([]*takedown.HashEntry{
		entry(1, 1, takedown.HashPDQ, stored, takedown.EntryActive),
		entry(2, 2, takedown.HashPDQ, stored, takedown.EntryActive),
		entry(3, 1, takedown.HashMD5, "0123456789abcdef0123456789abcdef", takedown.EntryActive),
		entry(4, 3, takedown.HashPDQ, fp, takedown.EntryActive),
		entry(5, 1, takedown.HashPDQ, nearFP, takedown.EntryActive),
	})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(q Query) Result {
		t.Helper()
		res, err := m.Lookup(q, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	pdqQuery := func(v string, q int, variants ...string) Query {
		return Query{HashValue: takedown.HashValue{Type: takedown.HashPDQ, Value: v, Quality: quality(q)}, Variants: variants}
	}

	res := lookup(pdqQuery(near, 90))
	if len(res.Found) != 1 || res.Found[0].EntryID != 1 || res.Found[0].Distance != 20 {
		t.Errorf("20 bits away: found %+v, want entry 1 only (bank 2's radius is 10)", res.Found)
	}
	if res := lookup(pdqQuery(stored, 90)); len(res.Found) != 2 || res.Found[0].Distance != 0 {
		t.Errorf("exact PDQ: found %+v, want entries 1 and 2 at 0", res.Found)
	}
	if res := lookup(pdqQuery(stored, 60)); len(res.Found) != 1 || res.Found[0].BankID != 1 {
		t.Errorf("quality 60: found %+v, want bank 1 only (bank 2 needs 80)", res.Found)
	}
	if res := lookup(pdqQuery(stored, 30)); len(res.Found) != 0 || res.Skipped == "" {
		t.Errorf("quality 30: %+v, want skipped", res)
	}
	if res := lookup(pdqQuery(other, 90, other, near)); len(res.Found) != 1 || res.Found[0].Variant != 1 {
		t.Errorf("a variant matching: %+v, want entry 1 through variant 1", res.Found)
	}
	if res := lookup(pdqQuery(nearFP, 90)); len(res.Found) != 0 || len(res.Suppressed) != 1 || res.Suppressed[0].EntryID != 4 {
		t.Errorf("near a known false positive: %+v, want nothing found and entry 4 suppressing", res)
	}
	md5 := Query{HashValue: takedown.HashValue{Type: takedown.HashMD5, Value: "0123456789abcdef0123456789abcdef"}}
	if res := lookup(md5); len(res.Found) != 1 || res.Found[0].EntryID != 3 {
		t.Errorf("MD5: %+v", res.Found)
	}
	if res, _ := m.Lookup(md5, func(b *takedown.Bank) bool { return b.ID != 1 }); len(res.Found) != 0 {
		t.Errorf("MD5 outside the included banks: %+v", res.Found)
	}

	if err := m.Apply([]*takedown.HashEntry{entry(1, 1, takedown.HashPDQ, stored, takedown.EntryDisabled),
		entry(3, 1, takedown.HashMD5, "0123456789abcdef0123456789abcdef", takedown.EntryTombstoned)}); err != nil {
		t.Fatal(err)
	}
	if res := lookup(pdqQuery(near, 90)); len(res.Found) != 0 {
		t.Errorf("disabled entry still found: %+v", res.Found)
	}
	if res := lookup(md5); len(res.Found) != 0 {
		t.Errorf("tombstoned entry still found: %+v", res.Found)
	}
	if m.Seq() != seq || m.Len() != 3 {
		t.Errorf("seq %d, len %d; want %d, 3", m.Seq(), m.Len(), seq)
	}
}

// TestMatcherGrows checks that the matcher moves from the brute-force scan to multi-index
// hashing as a bank grows, and still finds every entry within the radius.
func TestMatcherGrows(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m := NewMatcher()
	m.SetBanks([]*takedown.Bank{{ID: 1, Radius: 31, MinQuality: 50}})
	var queries []string
	var batch []*takedown.HashEntry
	for id := int64(1); id <= 10000; id++ {
		v, q := randomPDQ(r, int(id%32))
		batch = append(batch, &takedown.HashEntry{ID: id, BankID: 1, HashValue: takedown.HashValue{Type: takedown.HashPDQ, Value: v},
			State: takedown.EntryActive, Seq: id})
		if id%1000 == 0 {
			queries = append(queries, q)
			if err := m.Apply(batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if fmt.Sprintf("%T", m.pdq) == fmt.Sprintf("%T", NewMatcher().pdq) {
		t.Errorf("10,000 entries are still in a %T", m.pdq)
	}
	for i, q := range queries {
		res, err := m.Lookup(Query{HashValue: takedown.HashValue{Type: takedown.HashPDQ, Value: q, Quality: quality(100)}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(i+1) * 1000; len(res.Found) == 0 || res.Found[0].EntryID != want {
			t.Errorf("query %d: found %+v, want entry %d first", i, res.Found, want)
		}
	}
}
