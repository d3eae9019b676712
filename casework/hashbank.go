package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/hashbank"
)

// bankMatcher is the service's in-memory matcher, brought up to date from the store before a
// lookup: at once after a change made through this service, within refreshEvery after one
// made by another process sharing the database.
type bankMatcher struct {
	mu     sync.Mutex // one refresh at a time
	m      *hashbank.Matcher
	dirty  atomic.Bool
	loaded time.Time
}

const refreshEvery = time.Second

// matcher returns the matcher, up to date.
func (s *Service) matcher(ctx context.Context) (*hashbank.Matcher, error) {
	bm := s.bankIndex
	bm.mu.Lock()
	defer bm.mu.Unlock()
	if !bm.dirty.Swap(false) && !bm.loaded.IsZero() && time.Since(bm.loaded) < refreshEvery {
		return bm.m, nil
	}
	const batch = 10000
	err := s.view(ctx, func(tx takedown.Tx) error {
		banks, err := takedown.All(func(p takedown.Page) ([]*takedown.Bank, string, error) { return tx.Banks(takedown.BankFilter{Page: p}) })
		if err != nil {
			return err
		}
		bm.m.SetBanks(banks)
		for {
			changed, _, err := tx.Entries(takedown.EntryFilter{BySeq: true, AfterSeq: bm.m.Seq(), Page: takedown.Page{Limit: batch}})
			if err != nil {
				return err
			}
			if err := bm.m.Apply(changed); err != nil {
				return err
			}
			if len(changed) < batch {
				return nil
			}
		}
	})
	if err != nil {
		bm.dirty.Store(true)
		return nil, err
	}
	bm.loaded = time.Now()
	return bm.m, nil
}

// bankWrite runs a transaction that changes banks or entries: the matcher is refreshed
// before its next lookup.
func (s *Service) bankWrite(ctx context.Context, fn func(takedown.Tx) error) error {
	err := s.update(ctx, fn)
	s.bankIndex.dirty.Store(true)
	return err
}

// CreateBank makes a bank of hashes for an offence (a negative bank of known false
// positives may have none).
func (s *Service) CreateBank(ctx context.Context, in takedown.BankInput) (*takedown.Bank, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	b := &takedown.Bank{Name: strings.TrimSpace(in.Name), Offence: in.Offence, Source: in.Source, Negative: in.Negative,
		Description: strings.TrimSpace(in.Description), Radius: takedown.DefaultMatchRadius, MinQuality: takedown.DefaultMinQuality,
		Platforms: []int64{}}
	if err := s.checkBank(b, takedown.BankChange{Radius: in.Radius, MinQuality: in.MinQuality, Platforms: in.Platforms}); err != nil {
		return nil, err
	}
	err = s.bankWrite(ctx, func(tx takedown.Tx) error {
		if err := checkPlatforms(tx, b.Platforms); err != nil {
			return err
		}
		b.CreatedAt, b.UpdatedAt = tx.Now(), tx.Now()
		if err := tx.CreateBank(b); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventBankCreated, data: map[string]any{"bank_id": b.ID, "name": b.Name,
			"offence": b.Offence, "source": b.Source, "negative": b.Negative, "radius": b.Radius, "min_quality": b.MinQuality,
			"platforms": b.Platforms}})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// checkBank applies the settings of in to b and checks the bank.
func (s *Service) checkBank(b *takedown.Bank, in takedown.BankChange) error {
	if err := takedown.ValidateBankSettings(in.Radius, in.MinQuality); err != nil {
		return err
	}
	if in.Radius != nil {
		b.Radius = *in.Radius
	}
	if in.MinQuality != nil {
		b.MinQuality = *in.MinQuality
	}
	if in.Platforms != nil {
		b.Platforms = slices.Compact(slices.Sorted(slices.Values(in.Platforms)))
	}
	switch {
	case b.Name == "":
		return takedown.Invalid("name", "is required")
	case len(b.Name) > takedown.MaxNameLength:
		return takedown.Invalid("name", "is longer than %d bytes", takedown.MaxNameLength)
	case len(b.Description) > takedown.MaxDescriptionLength:
		return takedown.Invalid("description", "is longer than %d bytes", takedown.MaxDescriptionLength)
	case b.Source != takedown.SourceEvidence && b.Source != takedown.SourceImported:
		return takedown.Invalid("source", "must be evidence (the authority's own) or imported (a list from elsewhere)")
	case b.Offence == "" && !b.Negative:
		return takedown.Invalid("offence", "is required: a bank holds the hashes of one offence (only a negative bank may have none)")
	}
	if b.Offence != "" {
		if _, ok := s.profile.Offence(b.Offence); !ok {
			return takedown.Invalid("offence", "%q is not an offence of this procedure; use one of %s", b.Offence,
				strings.Join(s.profile.OffenceCodes(), ", "))
		}
	}
	if err := takedown.CheckText("name", b.Name, false); err != nil {
		return err
	}
	return takedown.CheckText("description", b.Description, true)
}

// checkPlatforms checks that every operator a bank is shared with is a platform.
func checkPlatforms(tx takedown.Tx, ids []int64) error {
	for i, id := range ids {
		o, err := tx.Operator(id)
		if takedown.ErrorCode(err) == takedown.ENOTFOUND {
			return takedown.Invalid(takedown.IndexField("platforms", i), "there is no operator %d", id)
		}
		if err != nil {
			return err
		}
		if o.Kind != takedown.KindPlatform {
			return takedown.Invalid(takedown.IndexField("platforms", i), "%s is a %s: only platforms receive hash banks", o.Name, o.Kind)
		}
	}
	return nil
}

// UpdateBank changes a bank's name, description, radius, minimum quality or the platforms
// entitled to it. A platform newly entitled finds all of the bank's entries in its next feed.
func (s *Service) UpdateBank(ctx context.Context, id int64, in takedown.BankChange) (*takedown.Bank, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	var b *takedown.Bank
	err = s.bankWrite(ctx, func(tx takedown.Tx) error {
		if b, err = tx.Bank(id); err != nil {
			return err
		}
		if b.Source == takedown.SourceReports {
			return precondition("the reports bank is kept by the system: it groups reports and is never shared")
		}
		old := *b
		if in.Name != "" {
			b.Name = strings.TrimSpace(in.Name)
		}
		if in.Description != "" {
			b.Description = strings.TrimSpace(in.Description)
		}
		if err := s.checkBank(b, in); err != nil {
			return err
		}
		if err := checkPlatforms(tx, b.Platforms); err != nil {
			return err
		}
		b.UpdatedAt = tx.Now()
		if err := tx.UpdateBank(b); err != nil {
			return err
		}
		if slices.ContainsFunc(b.Platforms, func(p int64) bool { return !slices.Contains(old.Platforms, p) }) {
			if err := tx.ResequenceBank(b.ID); err != nil {
				return err
			}
		}
		return record(tx, u, event{kind: takedown.EventBankUpdated, data: map[string]any{"bank_id": b.ID, "name": b.Name,
			"radius": b.Radius, "min_quality": b.MinQuality, "platforms": b.Platforms,
			"was": map[string]any{"name": old.Name, "radius": old.Radius, "min_quality": old.MinQuality, "platforms": old.Platforms}}})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Bank returns one bank.
func (s *Service) Bank(ctx context.Context, id int64) (*takedown.Bank, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var b *takedown.Bank
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		b, err = tx.Bank(id)
		return err
	})
	return b, err
}

// Banks lists the banks.
func (s *Service) Banks(ctx context.Context, f takedown.BankFilter) ([]*takedown.Bank, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Page.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.Bank
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Banks(f)
		return err
	})
	return list, next, err
}

// AddResult says what adding hashes to a bank did.
type AddResult struct {
	BankID int64 `json:"bank_id"`
	// Added are new entries; Merged were already in the bank and gained labels or cases;
	// Unchanged were already there as given.
	Added     int `json:"added"`
	Merged    int `json:"merged"`
	Unchanged int `json:"unchanged"`
	// Digest is the SHA-256 of the hashes added, one "type:value" line each in the order
	// given: the audit log's event carries it, so an imported file can be matched to its event.
	Digest string `json:"digest"`
}

// AddEntries adds hashes to a bank: an imported list, or hashes an officer computed. A hash
// the bank already holds gains the labels and cases given; a disabled or tombstoned entry
// stays as it is (enable it explicitly). Every case named must exist. One event records the
// whole addition, with the digest of what was added.
func (s *Service) AddEntries(ctx context.Context, bankID int64, in []takedown.EntryInput) (*AddResult, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	switch {
	case len(in) == 0:
		return nil, takedown.Invalid("entries", "is empty: give at least one hash")
	case len(in) > takedown.MaxImportLines:
		return nil, takedown.Invalid("entries", "has more than %d hashes; split the list", takedown.MaxImportLines)
	}
	for i := range in {
		if err := in[i].Validate(takedown.IndexField("entries", i)); err != nil {
			return nil, err
		}
	}
	res := &AddResult{BankID: bankID, Digest: entriesDigest(in)}
	err = s.bankWrite(ctx, func(tx takedown.Tx) error {
		*res = AddResult{BankID: bankID, Digest: res.Digest}
		b, err := tx.Bank(bankID)
		if err != nil {
			return err
		}
		if b.Source == takedown.SourceReports {
			return precondition("the reports bank is filled by reports only; add hashes to an evidence or imported bank")
		}
		if err := checkCases(tx, in); err != nil {
			return err
		}
		if err := res.put(tx, in); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventEntriesAdded, data: map[string]any{"bank_id": b.ID,
			"added": res.Added, "merged": res.Merged, "unchanged": res.Unchanged, "digest": res.Digest}})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// put adds the entries to the result's bank and counts what it did.
func (r *AddResult) put(tx takedown.Tx, in []takedown.EntryInput) error {
	for _, e := range in {
		switch outcome, err := putEntry(tx, r.BankID, e); {
		case err != nil:
			return err
		case outcome == entryAdded:
			r.Added++
		case outcome == entryMerged:
			r.Merged++
		default:
			r.Unchanged++
		}
	}
	return nil
}

// entriesDigest is the SHA-256 of the hashes, one "type:value" line each.
func entriesDigest(in []takedown.EntryInput) string {
	h := sha256.New()
	for _, e := range in {
		h.Write([]byte(string(e.Type) + ":" + e.Value + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkCases checks that the cases the entries name exist.
func checkCases(tx takedown.Tx, in []takedown.EntryInput) error {
	seen := map[int64]bool{}
	for i, e := range in {
		for _, id := range e.CaseIDs {
			if seen[id] {
				continue
			}
			if _, err := tx.Case(id); takedown.ErrorCode(err) == takedown.ENOTFOUND {
				return takedown.Invalid(takedown.IndexField("entries", i)+".case_ids", "there is no case %d", id)
			} else if err != nil {
				return err
			}
			seen[id] = true
		}
	}
	return nil
}

type putOutcome int

const (
	entryUnchanged putOutcome = iota
	entryAdded
	entryMerged
)

// putEntry adds a hash to a bank, or merges its labels, cases and quality into the entry
// that holds it.
func putEntry(tx takedown.Tx, bankID int64, in takedown.EntryInput) (putOutcome, error) {
	e, err := optional(tx.EntryByValue(bankID, in.Type, in.Value))
	if err != nil {
		return 0, err
	}
	if e == nil {
		e = &takedown.HashEntry{BankID: bankID, HashValue: in.HashValue, Labels: orEmpty(in.Labels), CaseIDs: orEmpty(in.CaseIDs),
			State: takedown.EntryActive, AddedAt: tx.Now(), UpdatedAt: tx.Now()}
		return entryAdded, tx.CreateEntry(e)
	}
	labels := union(e.Labels, in.Labels)
	cases := union(e.CaseIDs, in.CaseIDs)
	quality := e.Quality
	if quality == nil {
		quality = in.Quality
	}
	if len(labels) == len(e.Labels) && len(cases) == len(e.CaseIDs) && quality == e.Quality {
		return entryUnchanged, nil
	}
	if len(cases) > takedown.MaxEntryCases || len(labels) > takedown.MaxLabels {
		return 0, takedown.Invalid("entries", "the %s hash %s would have more than %d cases or %d labels", in.Type, in.Value,
			takedown.MaxEntryCases, takedown.MaxLabels)
	}
	e.Labels, e.CaseIDs, e.Quality, e.UpdatedAt = labels, cases, quality, tx.Now()
	return entryMerged, tx.UpdateEntry(e)
}

func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// union returns the sorted union of two lists without repeats.
func union[T int64 | string](a, b []T) []T {
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
}

// ChangeEntry disables, enables or tombstones an entry, or changes its labels, with reasons.
// A tombstone is final: the entry stays, so that feeds tell platforms to drop it.
func (s *Service) ChangeEntry(ctx context.Context, id int64, in takedown.EntryChange) (*takedown.HashEntry, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	in.Reasons = strings.TrimSpace(in.Reasons)
	switch {
	case in.State == "" && in.Labels == nil:
		return nil, takedown.Invalid("state", "give a state (active, disabled, tombstoned) or labels to change")
	case in.State != "" && !slices.Contains(takedown.EntryStates, in.State):
		return nil, takedown.Invalid("state", "must be one of %s", strings.Join(takedown.Names(takedown.EntryStates), ", "))
	case in.Reasons == "":
		return nil, takedown.Invalid("reasons", "are required: say why the entry changes")
	case len(in.Reasons) > takedown.MaxDescriptionLength:
		return nil, takedown.Invalid("reasons", "are longer than %d bytes", takedown.MaxDescriptionLength)
	}
	if err := takedown.CheckText("reasons", in.Reasons, true); err != nil {
		return nil, err
	}
	var labels []string
	if in.Labels != nil {
		if labels, err = takedown.CleanLabels("labels", in.Labels); err != nil {
			return nil, err
		}
	}
	var e *takedown.HashEntry
	err = s.bankWrite(ctx, func(tx takedown.Tx) error {
		if e, err = tx.Entry(id); err != nil {
			return err
		}
		if e.State == takedown.EntryTombstoned {
			return precondition("entry %d is tombstoned: a tombstone is final; add the hash again to another bank if it was wrong", id)
		}
		data := map[string]any{"entry_id": e.ID, "bank_id": e.BankID, "reasons": in.Reasons, "was": e.State}
		if in.State != "" {
			if in.State == e.State {
				return precondition("entry %d is already %s", id, e.State)
			}
			e.State = in.State
			data["state"] = e.State
		}
		if labels != nil {
			data["labels"], data["labels_were"] = labels, e.Labels
			e.Labels = labels
		}
		e.Reasons, e.UpdatedAt = in.Reasons, tx.Now()
		if err := tx.UpdateEntry(e); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventEntryChanged, data: data})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Entry returns one bank entry.
func (s *Service) Entry(ctx context.Context, id int64) (*takedown.HashEntry, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var e *takedown.HashEntry
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		e, err = tx.Entry(id)
		return err
	})
	return e, err
}

// Entries lists bank entries.
func (s *Service) Entries(ctx context.Context, f takedown.EntryFilter) ([]*takedown.HashEntry, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Page.Normalize(); err != nil {
		return nil, "", err
	}
	if f.State != "" && !slices.Contains(takedown.EntryStates, f.State) {
		return nil, "", takedown.Invalid("state", "must be one of %s", strings.Join(takedown.Names(takedown.EntryStates), ", "))
	}
	f.BySeq, f.AfterSeq, f.Banks = false, 0, nil
	var list []*takedown.HashEntry
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Entries(f)
		return err
	})
	return list, next, err
}
