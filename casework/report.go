package casework

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
	"github.com/takedown-project/takedown/hashbank"
)

// SubmitReport accepts a report from the public (no user in ctx), a trusted flagger, or an
// officer's own finding. Each canonical URL that belongs to an open case joins that case; the
// others open one new case together. The reporter's contact is sealed before it is stored.
func (s *Service) SubmitReport(ctx context.Context, in takedown.ReportInput) (*takedown.Report, error) {
	u := takedown.UserFromContext(ctx)
	r := &takedown.Report{Channel: takedown.ChannelPublic}
	priority := takedown.PriorityPublic
	if u != nil {
		switch u.Role {
		case takedown.RoleFlagger:
			r.Channel, r.Flagger, priority = takedown.ChannelFlagger, u.ID, takedown.PriorityFlagger
		case takedown.RoleOfficer, takedown.RoleSupervisor:
			r.Channel, priority = takedown.ChannelAuthority, takedown.PriorityFlagger
		default:
			return nil, forbidden("the %s role cannot submit reports; use the public form or a trusted flagger account", u.Role)
		}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if _, ok := s.profile.Offence(in.Offence); !ok {
		return nil, takedown.Invalid("offence", "%q is not an offence this procedure covers; use one of %s",
			in.Offence, strings.Join(s.profile.OffenceCodes(), ", "))
	}
	for i, raw := range in.URLs {
		c, err := canon.URL(raw)
		if err != nil {
			return nil, takedown.Invalid(takedown.IndexField("urls", i), "%v", err)
		}
		if !slices.ContainsFunc(r.URLs, func(x takedown.ReportURL) bool { return x.Canonical == c }) {
			r.URLs = append(r.URLs, takedown.ReportURL{URL: raw, Canonical: c})
		}
	}
	r.Offence, r.Description, r.GoodFaith = in.Offence, in.Description, in.GoodFaith
	if in.Contact != "" {
		sealed, err := s.sealer.Seal([]byte(in.Contact))
		if err != nil {
			return nil, fmt.Errorf("casework: seal contact: %w", err)
		}
		r.SealedContact, r.HasContact = sealed, true
	}
	r.Receipt = newReceipt()
	evidence, err := s.sealEvidence(in.Files)
	if err != nil {
		return nil, err
	}
	queries := reportQueries(in)
	for _, q := range queries {
		r.Hashes = append(r.Hashes, q.HashValue)
	}
	if len(queries) > 0 {
		results, err := s.lookup(ctx, queries)
		if err != nil {
			return nil, err
		}
		r.Matches = closest(results)
	}

	err = s.update(ctx, func(tx takedown.Tx) error {
		r.ReceivedAt = tx.Now()
		joined := map[int64]bool{}
		var unmatched []string
		for i := range r.URLs {
			id, err := tx.OpenCaseByURL(r.URLs[i].Canonical)
			if err != nil {
				return err
			}
			r.URLs[i].CaseID = id
			if id == 0 {
				unmatched = append(unmatched, r.URLs[i].Canonical)
			} else {
				joined[id] = true
			}
		}
		if len(unmatched) > 0 {
			c := &takedown.Case{State: takedown.CaseNew, Priority: priority, URLs: unmatched,
				Offence: r.Offence, OpenedAt: tx.Now(), UpdatedAt: tx.Now()}
			if err := tx.CreateCase(c); err != nil {
				return err
			}
			for i := range r.URLs {
				if r.URLs[i].CaseID == 0 {
					r.URLs[i].CaseID = c.ID
				}
			}
			if err := record(tx, u, event{kind: takedown.EventCaseOpened, caseID: c.ID,
				data: map[string]any{"urls": len(unmatched), "priority": priority}}); err != nil {
				return err
			}
			joined[c.ID] = false
		}
		if err := tx.CreateReport(r); err != nil {
			return err
		}
		digests := []string{}
		for _, e := range evidence {
			e.ReportID, e.ReceivedAt = r.ID, tx.Now()
			if ids := r.CaseIDs(); len(ids) > 0 {
				e.CaseID = ids[0]
			}
			if err := tx.CreateEvidence(e); err != nil {
				return err
			}
			digests = append(digests, e.SHA256)
		}
		for id, existing := range joined {
			c, err := tx.Case(id)
			if err != nil {
				return err
			}
			changed := relate(c, r.ID, r.Matches)
			if existing && priority > c.Priority { // a public report never raises a case's priority
				c.Priority, changed = priority, true
			}
			if changed {
				if err := tx.UpdateCase(c); err != nil {
					return err
				}
			}
		}
		if err := keepReportHashes(tx, u, r); err != nil {
			return err
		}
		for _, id := range r.CaseIDs() {
			err := record(tx, u, event{kind: takedown.EventReportReceived, caseID: id,
				data: map[string]any{"report_id": r.ID, "receipt": r.Receipt, "channel": r.Channel, "urls": len(r.URLs),
					"hashes": len(r.Hashes), "matches": len(r.Matches), "evidence": digests}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if len(r.Hashes) > 0 {
		s.bankIndex.dirty.Store(true)
	}
	if err != nil {
		return nil, err
	}
	hideMatches(u, r)
	return r, nil
}

// reportQueries are the hashes of a report's files (PDQ with its variants, SHA-256, MD5)
// and those it gave, each once.
func reportQueries(in takedown.ReportInput) []hashbank.Query {
	var qs []hashbank.Query
	for _, f := range in.Files {
		qs = append(qs, fileQueries(hashbank.HashFile(f.Name, f.Data))...)
	}
	for _, h := range in.Hashes {
		qs = append(qs, hashbank.Query{HashValue: h})
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(qs, func(q hashbank.Query) bool {
		k := string(q.Type) + ":" + q.Value
		defer func() { seen[k] = true }()
		return seen[k]
	})
}

// closest returns the entries the results found, each once with its closest match, closest
// first.
func closest(results []takedown.MatchResult) []takedown.Match {
	var out []takedown.Match
	for _, r := range results {
		for _, m := range r.Matches {
			i := slices.IndexFunc(out, func(o takedown.Match) bool { return o.EntryID == m.EntryID })
			switch {
			case i < 0:
				out = append(out, m)
			case m.Distance < out[i].Distance:
				out[i] = m
			}
		}
	}
	slices.SortStableFunc(out, func(a, b takedown.Match) int { return a.Distance - b.Distance })
	return out
}

// keepReportHashes puts a report's hashes in the reports bank, linked to its cases, so that
// later reports of the same content find them.
func keepReportHashes(tx takedown.Tx, u *takedown.User, r *takedown.Report) error {
	if len(r.Hashes) == 0 {
		return nil
	}
	b, err := reportsBank(tx, u, true)
	if err != nil {
		return err
	}
	for _, h := range r.Hashes {
		if _, err := putEntry(tx, b.ID, takedown.EntryInput{HashValue: h, CaseIDs: r.CaseIDs()}); err != nil {
			return err
		}
	}
	return nil
}

// hideMatches removes from a report what only the authority and the controller may see:
// what its hashes matched in the banks (a reporter must not learn what the banks hold).
func hideMatches(u *takedown.User, r *takedown.Report) {
	if u == nil || u.Role == takedown.RoleFlagger {
		r.Matches = []takedown.Match{}
	}
}

// receiptAlphabet is Crockford's base32: no I, L, O or U, so a receipt read over the phone
// is not mistaken.
const receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newReceipt returns a random receipt reference such as TD-7K2M-Q9XD-4HNB (60 bits).
func newReceipt() string {
	b := make([]byte, 12)
	rand.Read(b)
	var sb strings.Builder
	sb.WriteString("TD")
	for i, c := range b {
		if i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(receiptAlphabet[c&31])
	}
	return sb.String()
}

// Report returns a report. The authority and the controller see every report and its contact;
// a trusted flagger sees its own reports.
func (s *Service) Report(ctx context.Context, id int64) (*takedown.Report, error) {
	u, err := require(ctx, takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleFlagger)
	if err != nil {
		return nil, err
	}
	var r *takedown.Report
	err = s.view(ctx, func(tx takedown.Tx) error {
		r, err = tx.Report(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleFlagger && r.Flagger != u.ID {
		return nil, forbidden("report %d was not made by you", id)
	}
	if r.HasContact {
		plain, err := s.sealer.Unseal(r.SealedContact)
		if err != nil {
			return nil, fmt.Errorf("casework: unseal contact of report %d: %w", id, err)
		}
		r.Contact = string(plain)
	}
	hideMatches(u, r)
	return r, nil
}

// Reports lists reports, without their contacts. A trusted flagger lists its own.
func (s *Service) Reports(ctx context.Context, f takedown.ReportFilter) ([]*takedown.Report, string, error) {
	u, err := require(ctx, takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleFlagger)
	if err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if u.Role == takedown.RoleFlagger {
		f.Flagger = u.ID
	}
	var list []*takedown.Report
	var next string
	err = s.view(ctx, func(tx takedown.Tx) error {
		list, next, err = tx.Reports(f)
		return err
	})
	for _, r := range list {
		hideMatches(u, r)
	}
	return list, next, err
}
