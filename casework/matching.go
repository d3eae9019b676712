package casework

import (
	"context"
	"slices"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/hashbank"
)

// HashFile returns the hashes of a file: SHA-256, MD5 and, for an image, PDQ with quality
// and dihedral variants. Nothing is stored. Any signed-in user may hash (the public may not:
// decoding images costs the server).
func (s *Service) HashFile(ctx context.Context, name string, data []byte) (*takedown.ImageHashes, error) {
	if takedown.UserFromContext(ctx) == nil {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "sign in with a token to hash files")
	}
	if err := (takedown.ReportFile{Name: name, Data: data}).Validate("file"); err != nil {
		return nil, err
	}
	h := hashbank.HashFile(name, data)
	return &h, nil
}

// LookupInput is what an officer looks up: hashes, or the hashes of files.
type LookupInput struct {
	Hashes []takedown.HashValue  `json:"hashes,omitempty"`
	Files  []takedown.ReportFile `json:"files,omitempty"`
}

// Lookup finds the bank entries that hashes match (all banks, the reports bank included):
// PDQ within each bank's radius (the 8 dihedral variants of a file's image), digests exactly.
// A query near a known false positive matches nothing and says so.
func (s *Service) Lookup(ctx context.Context, in LookupInput) ([]takedown.MatchResult, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	switch {
	case len(in.Hashes)+len(in.Files) == 0:
		return nil, takedown.Invalid("hashes", "give at least one hash or file")
	case len(in.Hashes) > takedown.MaxQueryHashes:
		return nil, takedown.Invalid("hashes", "has more than %d hashes", takedown.MaxQueryHashes)
	case len(in.Files) > takedown.MaxReportFiles:
		return nil, takedown.Invalid("files", "has more than %d files", takedown.MaxReportFiles)
	}
	var queries []hashbank.Query
	for i := range in.Hashes {
		if err := in.Hashes[i].Validate(takedown.IndexField("hashes", i)); err != nil {
			return nil, err
		}
		queries = append(queries, hashbank.Query{HashValue: in.Hashes[i]})
	}
	for i, f := range in.Files {
		if err := f.Validate(takedown.IndexField("files", i)); err != nil {
			return nil, err
		}
		queries = append(queries, fileQueries(hashbank.HashFile(f.Name, f.Data))...)
	}
	return s.lookup(ctx, queries)
}

// fileQueries are the queries for a file's hashes: its PDQ hash with its variants, and its
// digests.
func fileQueries(h takedown.ImageHashes) []hashbank.Query {
	var out []hashbank.Query
	for _, v := range hashbank.Values(h) {
		q := hashbank.Query{HashValue: v}
		if v.Type == takedown.HashPDQ {
			q.Variants = h.Dihedral
		}
		out = append(out, q)
	}
	return out
}

// lookup runs queries against the matcher and describes each entry found from the store.
func (s *Service) lookup(ctx context.Context, queries []hashbank.Query) ([]takedown.MatchResult, error) {
	m, err := s.matcher(ctx)
	if err != nil {
		return nil, err
	}
	found := make([]hashbank.Result, len(queries))
	for i, q := range queries {
		if found[i], err = m.Lookup(q, nil); err != nil {
			return nil, err
		}
	}
	out := make([]takedown.MatchResult, len(queries))
	err = s.view(ctx, func(tx takedown.Tx) error {
		banks := map[int64]*takedown.Bank{}
		describe := func(fs []hashbank.Found) ([]takedown.Match, error) {
			list := []takedown.Match{}
			for _, f := range fs {
				e, err := tx.Entry(f.EntryID)
				if err != nil {
					return nil, err
				}
				b := banks[e.BankID]
				if b == nil {
					if b, err = tx.Bank(e.BankID); err != nil {
						return nil, err
					}
					banks[b.ID] = b
				}
				list = append(list, takedown.Match{EntryID: e.ID, BankID: b.ID, Bank: b.Name, Type: e.Type, Value: e.Value,
					Distance: f.Distance, Variant: f.Variant, Labels: e.Labels, CaseIDs: e.CaseIDs})
			}
			return list, nil
		}
		for i, r := range found {
			out[i] = takedown.MatchResult{Query: queries[i].HashValue, Skipped: r.Skipped}
			if out[i].Matches, err = describe(r.Found); err != nil {
				return err
			}
			if len(r.Suppressed) > 0 {
				if out[i].Suppressed, err = describe(r.Suppressed); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// AddCaseEvidence adds the hashes of an approved case (those its reports carried) to an
// evidence bank of its offence, linked to the case: after the four-eyes approval, the
// content is known to be what the bank holds, and platforms entitled to the bank receive it.
func (s *Service) AddCaseEvidence(ctx context.Context, caseID, bankID int64) (*AddResult, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	res := &AddResult{BankID: bankID}
	err = s.bankWrite(ctx, func(tx takedown.Tx) error {
		*res = AddResult{BankID: bankID}
		c, err := tx.Case(caseID)
		if err != nil {
			return err
		}
		b, err := tx.Bank(bankID)
		if err != nil {
			return err
		}
		switch {
		case c.State != takedown.CaseApproved:
			return precondition("case %d is %s: only an approved case's hashes go into a bank", c.ID, c.State)
		case b.Source != takedown.SourceEvidence:
			return precondition("bank %q holds %s hashes: add a case's hashes to an evidence bank", b.Name, b.Source)
		case b.Offence != c.Qualification.Offence:
			return precondition("bank %q is for %s; case %d is qualified as %s", b.Name, b.Offence, c.ID, c.Qualification.Offence)
		}
		reports, err := optional(reportsBank(tx, u, false))
		if err != nil {
			return err
		}
		var hashes []*takedown.HashEntry
		if reports != nil {
			hashes, err = takedown.All(func(p takedown.Page) ([]*takedown.HashEntry, string, error) {
				return tx.Entries(takedown.EntryFilter{BankID: reports.ID, CaseID: c.ID, State: takedown.EntryActive, Page: p})
			})
			if err != nil {
				return err
			}
		}
		if len(hashes) == 0 {
			return precondition("case %d has no hashes: none of its reports carried a file or a hash", c.ID)
		}
		in := make([]takedown.EntryInput, len(hashes))
		labels, err := takedown.CleanLabels("labels", []string{c.Qualification.Offence})
		if err != nil {
			labels = nil // an offence code that is not a label: the entry's bank names the offence
		}
		for i, h := range hashes {
			in[i] = takedown.EntryInput{HashValue: h.HashValue, CaseIDs: []int64{c.ID}, Labels: labels}
		}
		res.Digest = entriesDigest(in)
		if err := res.put(tx, in); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventEntriesAdded, caseID: c.ID, data: map[string]any{"bank_id": b.ID,
			"added": res.Added, "merged": res.Merged, "unchanged": res.Unchanged, "digest": res.Digest, "from_case": c.ID}})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// reportsBank returns the bank of the hashes reports carried, made on first use when create
// is set (ENOTFOUND otherwise).
func reportsBank(tx takedown.Tx, u *takedown.User, create bool) (*takedown.Bank, error) {
	banks, _, err := tx.Banks(takedown.BankFilter{Source: takedown.SourceReports, Page: takedown.Page{Limit: 1}})
	if err != nil || len(banks) > 0 {
		return first(banks), err
	}
	if !create {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "no report has carried a hash yet")
	}
	b := &takedown.Bank{Name: "reports", Source: takedown.SourceReports, Radius: takedown.DefaultMatchRadius,
		MinQuality: takedown.DefaultMinQuality, Platforms: []int64{}, CreatedAt: tx.Now(), UpdatedAt: tx.Now(),
		Description: "The hashes of the files reports carried, before any decision: they group reports about the same content. Never shared."}
	if err := tx.CreateBank(b); err != nil {
		return nil, err
	}
	return b, record(tx, u, event{kind: takedown.EventBankCreated, data: map[string]any{"bank_id": b.ID, "name": b.Name,
		"source": b.Source, "radius": b.Radius, "min_quality": b.MinQuality}})
}

func first[T any](list []*T) *T {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

// relate adds to c the cases that matches link to (other than c itself), keeping the closest
// match of each; it reports whether c changed.
func relate(c *takedown.Case, reportID int64, matches []takedown.Match) bool {
	changed := false
	for _, m := range matches {
		for _, id := range m.CaseIDs {
			if id == c.ID {
				continue
			}
			i := slices.IndexFunc(c.Related, func(r takedown.RelatedCase) bool { return r.CaseID == id })
			switch {
			case i < 0:
				c.Related = append(c.Related, takedown.RelatedCase{CaseID: id, ReportID: reportID, Type: m.Type, Distance: m.Distance})
			case m.Distance < c.Related[i].Distance:
				c.Related[i] = takedown.RelatedCase{CaseID: id, ReportID: reportID, Type: m.Type, Distance: m.Distance}
			default:
				continue
			}
			changed = true
		}
	}
	slices.SortStableFunc(c.Related, func(a, b takedown.RelatedCase) int { return a.Distance - b.Distance })
	return changed
}
