package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// Retention: the profile says how long evidence and reporters' contacts are kept after their
// case closed; the purge job (Tick, `takedown admin purge`, POST /retention/purge) deletes
// what is due, except the records of a case under a legal hold, and records what it deleted,
// with digests, in one retention.purged event. The rows stay (a purged piece keeps its
// digest), and so do the events and the audit log's leaves, which never hold contacts or
// content. VerifyRetention lets the controller check that what should be gone is gone and
// nothing else.

// PlaceLegalHold suspends every purge of a case's records, for a review or a court case;
// the authority and the controller may place one. A closed case whose records are all
// purged has nothing left to hold (EPRECONDITION).
func (s *Service) PlaceLegalHold(ctx context.Context, caseID int64, in takedown.LegalHoldInput) (*takedown.LegalHold, error) {
	u, err := require(ctx, readers...)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var h *takedown.LegalHold
	err = s.update(ctx, func(tx takedown.Tx) error {
		c, err := tx.Case(caseID)
		if err != nil {
			return err
		}
		if c.State == takedown.CaseClosed {
			left, err := s.recordsLeft(tx, caseID)
			if err != nil {
				return err
			}
			if !left {
				return precondition("case %d is closed and its records were purged: there is nothing left to hold", caseID)
			}
		}
		h = &takedown.LegalHold{CaseID: caseID, Reference: in.Reference, Reasons: in.Reasons, PlacedBy: u.ID, PlacedAt: tx.Now()}
		if err := tx.CreateLegalHold(h); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventLegalHoldPlaced, caseID: caseID,
			data: map[string]any{"legal_hold_id": h.ID, "reference": h.Reference, "reasons": h.Reasons}})
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ReleaseLegalHold ends a legal hold, with reasons. A hold the controller placed is released
// by the controller only: the authority cannot end the controller's review or court case.
func (s *Service) ReleaseLegalHold(ctx context.Context, id int64, reasons string) (*takedown.LegalHold, error) {
	u, err := require(ctx, readers...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var h *takedown.LegalHold
	err = s.update(ctx, func(tx takedown.Tx) error {
		if h, err = tx.LegalHold(id); err != nil {
			return err
		}
		if h.Released != nil {
			return conflict("legal hold %d was already released on %s", id, h.Released.At.Format(time.RFC3339))
		}
		if placer, err := tx.User(h.PlacedBy); err == nil && placer.Role == takedown.RoleController && u.Role != takedown.RoleController {
			return takedown.Errorf(takedown.EFORBIDDEN, "legal hold %d was placed by the controller, who alone may release it", id)
		}
		h.Released = &takedown.Decision{By: u.ID, At: tx.Now(), Reasons: reasons}
		if err := tx.UpdateLegalHold(h); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventLegalHoldReleased, caseID: h.CaseID,
			data: map[string]any{"legal_hold_id": h.ID, "reference": h.Reference, "reasons": reasons}})
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// LegalHolds lists a case's legal holds, released ones included.
func (s *Service) LegalHolds(ctx context.Context, caseID int64) ([]*takedown.LegalHold, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var list []*takedown.LegalHold
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		if _, err = tx.Case(caseID); err != nil {
			return err
		}
		list, err = tx.LegalHolds(caseID)
		return err
	})
	if list == nil && err == nil {
		list = []*takedown.LegalHold{}
	}
	return list, err
}

// recordsLeft says whether a case still has evidence content.
func (s *Service) recordsLeft(tx takedown.Tx, caseID int64) (bool, error) {
	list, err := tx.CaseEvidence(caseID)
	if err != nil {
		return false, err
	}
	for _, e := range list {
		if e.HasContent {
			return true, nil
		}
	}
	return false, nil
}

// retentionCases computes, for the cases a record belongs to, when the record becomes due
// and which legal holds bear on it; with a cache of cases and holds for one run.
type retentionCases struct {
	s     *Service
	tx    takedown.Tx
	cases map[int64]*takedown.Case
	holds map[int64][]*takedown.LegalHold
}

func (s *Service) newRetentionCases(tx takedown.Tx) *retentionCases {
	return &retentionCases{s: s, tx: tx, cases: map[int64]*takedown.Case{}, holds: map[int64][]*takedown.LegalHold{}}
}

// due returns when a record of the cases becomes due under the profile's retention of
// record; ok is false while one case is open, or when the profile keeps the record.
func (rc *retentionCases) due(record string, caseIDs []int64) (at time.Time, ok bool, err error) {
	r, kept := rc.s.profile.RetentionOf(record)
	if !kept || len(caseIDs) == 0 || r.From != procedure.FromCaseClosed {
		return time.Time{}, false, nil
	}
	for _, id := range caseIDs {
		c, found := rc.cases[id]
		if !found {
			if c, err = rc.tx.Case(id); err != nil {
				return time.Time{}, false, err
			}
			rc.cases[id] = c
		}
		if c.State != takedown.CaseClosed || c.Closure == nil {
			return time.Time{}, false, nil
		}
		if d := c.Closure.At.AddDate(0, r.Months, 0); d.After(at) {
			at = d
		}
	}
	return at, true, nil
}

// heldAt returns the legal hold on one of the cases at t, or nil.
func (rc *retentionCases) heldAt(caseIDs []int64, t time.Time) (*takedown.LegalHold, error) {
	for _, id := range caseIDs {
		list, found := rc.holds[id]
		if !found {
			var err error
			if list, err = rc.tx.LegalHolds(id); err != nil {
				return nil, err
			}
			rc.holds[id] = list
		}
		for _, h := range list {
			if h.ActiveAt(t) {
				return h, nil
			}
		}
	}
	return nil, nil
}

// evidenceCases are the cases a piece belongs to: its own, and its report's.
func (rc *retentionCases) evidenceCases(e *takedown.Evidence) ([]int64, error) {
	ids := []int64{}
	if e.CaseID != 0 {
		ids = append(ids, e.CaseID)
	}
	if e.ReportID != 0 {
		more, err := rc.reportCases(e.ReportID)
		if err != nil {
			return nil, err
		}
		for _, id := range more {
			if id != e.CaseID {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

func (rc *retentionCases) reportCases(reportID int64) ([]int64, error) {
	r, err := rc.tx.Report(reportID)
	if err != nil {
		return nil, err
	}
	return r.CaseIDs(), nil
}

// PurgedEvidence is a piece of evidence a purge deleted, named by its digest.
type PurgedEvidence struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// PurgeResult is what a purge deleted, or would delete (dry run), and the records due but
// kept under a legal hold.
type PurgeResult struct {
	DryRun   bool             `json:"dry_run"`
	Evidence []PurgedEvidence `json:"evidence"`
	Contacts []int64          `json:"contacts"` // the reports whose contact was deleted
	// Complaints are the complaints whose complainant's contact was deleted.
	Complaints []int64 `json:"complaints"`
	Held       []int64 `json:"held"` // the legal holds that kept due records
}

// Purge deletes what is due (or, with dryRun, lists it), records it in one retention.purged
// event, and answers what it did. The scheduler's Tick runs it too.
func (s *Service) Purge(ctx context.Context, dryRun bool) (*PurgeResult, error) {
	u, err := require(ctx, takedown.RoleSupervisor, takedown.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var res *PurgeResult
	err = s.update(ctx, func(tx takedown.Tx) (err error) {
		res, err = s.purge(tx, u, dryRun)
		return err
	})
	return res, err
}

// purge is Purge in tx.
func (s *Service) purge(tx takedown.Tx, u *takedown.User, dryRun bool) (*PurgeResult, error) {
	res := &PurgeResult{DryRun: dryRun, Evidence: []PurgedEvidence{}, Contacts: []int64{}, Complaints: []int64{}, Held: []int64{}}
	now := tx.Now()
	rc := s.newRetentionCases(tx)
	held := map[int64]bool{}
	keep := func(h *takedown.LegalHold) {
		if !held[h.ID] {
			held[h.ID] = true
			res.Held = append(res.Held, h.ID)
		}
	}
	list, err := tx.UnpurgedEvidence()
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		ids, err := rc.evidenceCases(e)
		if err != nil {
			return nil, err
		}
		due, ok, err := rc.due(procedure.RecordEvidence, ids)
		if err != nil || !ok || due.After(now) {
			if err != nil {
				return nil, err
			}
			continue
		}
		if h, err := rc.heldAt(ids, now); err != nil {
			return nil, err
		} else if h != nil {
			keep(h)
			continue
		}
		res.Evidence = append(res.Evidence, PurgedEvidence{ID: e.ID, SHA256: e.SHA256, Size: e.Size})
		if !dryRun {
			if err := tx.PurgeEvidence(e.ID, now); err != nil {
				return nil, err
			}
		}
	}
	contacts, err := tx.ContactRecords()
	if err != nil {
		return nil, err
	}
	for _, c := range contacts {
		if !c.HasContact {
			continue
		}
		ids, err := rc.reportCases(c.ReportID)
		if err != nil {
			return nil, err
		}
		due, ok, err := rc.due(procedure.RecordReporterContact, ids)
		if err != nil {
			return nil, err
		}
		if !ok || due.After(now) {
			continue
		}
		if h, err := rc.heldAt(ids, now); err != nil {
			return nil, err
		} else if h != nil {
			keep(h)
			continue
		}
		res.Contacts = append(res.Contacts, c.ReportID)
		if !dryRun {
			if err := tx.PurgeContact(c.ReportID, now); err != nil {
				return nil, err
			}
		}
	}
	complaints, err := answeredComplaints(tx)
	if err != nil {
		return nil, err
	}
	for _, c := range complaints {
		due, ok := s.complaintContactDue(c)
		if c.ContactPurgedAt != nil || !ok || due.After(now) {
			continue
		}
		if h, err := rc.heldAt(complaintCases(c), now); err != nil {
			return nil, err
		} else if h != nil {
			keep(h)
			continue
		}
		res.Complaints = append(res.Complaints, c.ID)
		if !dryRun {
			if err := tx.PurgeComplaintContact(c.ID, now); err != nil {
				return nil, err
			}
		}
	}
	if dryRun || len(res.Evidence)+len(res.Contacts)+len(res.Complaints) == 0 {
		return res, nil
	}
	return res, record(tx, u, event{kind: takedown.EventRetentionPurged,
		data: map[string]any{"evidence": res.Evidence, "contacts": res.Contacts, "complaints": res.Complaints}})
}

// PurgeOneEvidence deletes one piece of evidence before its time, with reasons (a file sent
// by mistake); a supervisor does it. Evidence under a legal hold is never purged.
func (s *Service) PurgeOneEvidence(ctx context.Context, id int64, reasons string) (*takedown.Evidence, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var e *takedown.Evidence
	err = s.update(ctx, func(tx takedown.Tx) error {
		if e, err = tx.Evidence(id); err != nil {
			return err
		}
		if e.PurgedAt != nil {
			return conflict("evidence %d was already purged on %s", id, e.PurgedAt.Format(time.RFC3339))
		}
		rc := s.newRetentionCases(tx)
		ids, err := rc.evidenceCases(e)
		if err != nil {
			return err
		}
		if h, err := rc.heldAt(ids, tx.Now()); err != nil {
			return err
		} else if h != nil {
			return precondition("evidence %d is under legal hold %d (%s) on case %d: it cannot be purged until the hold is released",
				id, h.ID, h.Reference, h.CaseID)
		}
		if err := tx.PurgeEvidence(id, tx.Now()); err != nil {
			return err
		}
		now := tx.Now()
		e.PurgedAt, e.HasContent, e.HasPreview, e.Sealed, e.SealedPreview = &now, false, false, nil, nil
		return record(tx, u, event{kind: takedown.EventEvidencePurged, caseID: e.CaseID,
			data: map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "reasons": reasons}})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// RetentionDiscrepancy is one thing wrong with the retention of a record.
type RetentionDiscrepancy struct {
	Record  string `json:"record"` // evidence or reporter_contact
	ID      int64  `json:"id"`     // the evidence, or the report of the contact
	Problem string `json:"problem"`
}

// RetentionReport is a verification of the retention: what was checked and what is wrong.
type RetentionReport struct {
	At            time.Time              `json:"at"`
	Evidence      int                    `json:"evidence"`
	Purged        int                    `json:"purged"`
	Contacts      int                    `json:"contacts"`
	Complaints    int                    `json:"complaints"`
	Discrepancies []RetentionDiscrepancy `json:"discrepancies"`
}

// VerifyRetention checks every record against the profile, the legal holds and the purge
// events: each due record not held is purged, each purged one was due and not held when it
// was purged (or purged by hand, with reasons, not held), its digest is in a purge event,
// and no content is missing without a purge. The controller runs it.
func (s *Service) VerifyRetention(ctx context.Context) (*RetentionReport, error) {
	if _, err := require(ctx, takedown.RoleController, takedown.RoleSupervisor, takedown.RoleAdmin); err != nil {
		return nil, err
	}
	rep := &RetentionReport{Discrepancies: []RetentionDiscrepancy{}}
	err := s.view(ctx, func(tx takedown.Tx) error {
		now := tx.Now()
		rep.At = now
		rc := s.newRetentionCases(tx)
		auto, manual, contacts, complained, err := purgeEvents(tx)
		if err != nil {
			return err
		}
		bad := func(record string, id int64, format string, args ...any) {
			rep.Discrepancies = append(rep.Discrepancies, RetentionDiscrepancy{Record: record, ID: id, Problem: fmt.Sprintf(format, args...)})
		}
		list, err := tx.AllEvidence()
		if err != nil {
			return err
		}
		for _, e := range list {
			rep.Evidence++
			ids, err := rc.evidenceCases(e)
			if err != nil {
				return err
			}
			due, ok, err := rc.due(procedure.RecordEvidence, ids)
			if err != nil {
				return err
			}
			switch {
			case e.PurgedAt == nil && !e.HasContent:
				bad(procedure.RecordEvidence, e.ID, "the content is missing, and no purge is recorded")
			case e.PurgedAt != nil && e.HasContent:
				bad(procedure.RecordEvidence, e.ID, "marked purged on %s, but the content is still there", e.PurgedAt.Format(time.RFC3339))
			case e.PurgedAt == nil:
				h, err := rc.heldAt(ids, now)
				if err != nil {
					return err
				}
				if ok && !due.After(now) && h == nil {
					bad(procedure.RecordEvidence, e.ID, "due since %s, not purged", due.Format(time.RFC3339))
				}
			default:
				rep.Purged++
				at := *e.PurgedAt
				h, err := rc.heldAt(ids, at)
				if err != nil {
					return err
				}
				if h != nil {
					bad(procedure.RecordEvidence, e.ID, "purged on %s under legal hold %d (%s)", at.Format(time.RFC3339), h.ID, h.Reference)
				}
				sum, byJob := auto[e.ID]
				if !byJob {
					sum, byJob = manual[e.ID], false
				}
				switch {
				case sum == "":
					bad(procedure.RecordEvidence, e.ID, "purged on %s, but no purge event lists it", at.Format(time.RFC3339))
				case sum != e.SHA256:
					bad(procedure.RecordEvidence, e.ID, "the purge event lists digest %s, the record %s", sum, e.SHA256)
				case byJob && (!ok || due.After(at)):
					bad(procedure.RecordEvidence, e.ID, "purged on %s, before it was due", at.Format(time.RFC3339))
				}
			}
		}
		records, err := tx.ContactRecords()
		if err != nil {
			return err
		}
		for _, c := range records {
			rep.Contacts++
			ids, err := rc.reportCases(c.ReportID)
			if err != nil {
				return err
			}
			due, ok, err := rc.due(procedure.RecordReporterContact, ids)
			if err != nil {
				return err
			}
			switch {
			case c.PurgedAt != nil && c.HasContact:
				bad(procedure.RecordReporterContact, c.ReportID, "marked purged, but the contact is still there")
			case c.PurgedAt == nil:
				h, err := rc.heldAt(ids, now)
				if err != nil {
					return err
				}
				if ok && !due.After(now) && h == nil {
					bad(procedure.RecordReporterContact, c.ReportID, "due since %s, not purged", due.Format(time.RFC3339))
				}
			default:
				at := *c.PurgedAt
				if h, err := rc.heldAt(ids, at); err != nil {
					return err
				} else if h != nil {
					bad(procedure.RecordReporterContact, c.ReportID, "purged on %s under legal hold %d (%s)", at.Format(time.RFC3339), h.ID, h.Reference)
				}
				if !contacts[c.ReportID] {
					bad(procedure.RecordReporterContact, c.ReportID, "purged, but no purge event lists it")
				}
				if !ok || due.After(at) {
					bad(procedure.RecordReporterContact, c.ReportID, "purged on %s, before it was due", at.Format(time.RFC3339))
				}
			}
		}
		return s.verifyComplaintContacts(tx, rc, complained, bad, rep)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// purgeEvents reads the purge events: the digests of evidence purged by the job and by hand,
// and the reports whose contact was purged.
func purgeEvents(tx takedown.Tx) (auto, manual map[int64]string, contacts, complaints map[int64]bool, err error) {
	auto, manual, contacts, complaints = map[int64]string{}, map[int64]string{}, map[int64]bool{}, map[int64]bool{}
	for _, kind := range []takedown.EventKind{takedown.EventRetentionPurged, takedown.EventEvidencePurged} {
		cursor := ""
		for {
			events, next, err := tx.Events(takedown.EventFilter{Kind: kind, Page: takedown.Page{Limit: 500, Cursor: cursor}})
			if err != nil {
				return nil, nil, nil, nil, err
			}
			for _, ev := range events {
				var d struct {
					Evidence   []PurgedEvidence `json:"evidence"`
					Contacts   []int64          `json:"contacts"`
					Complaints []int64          `json:"complaints"`
					EvidenceID int64            `json:"evidence_id"`
					SHA256     string           `json:"sha256"`
				}
				if err := json.Unmarshal(ev.Data, &d); err != nil {
					return nil, nil, nil, nil, fmt.Errorf("casework: event %d: %w", ev.ID, err)
				}
				for _, e := range d.Evidence {
					auto[e.ID] = e.SHA256
				}
				for _, id := range d.Contacts {
					contacts[id] = true
				}
				for _, id := range d.Complaints {
					complaints[id] = true
				}
				if d.EvidenceID != 0 {
					manual[d.EvidenceID] = d.SHA256
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return auto, manual, contacts, complaints, nil
}
