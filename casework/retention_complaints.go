package casework

import (
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// answeredComplaints lists the complaints the authority answered, whose contacts have a
// retention period from the answer.
func answeredComplaints(tx takedown.Tx) ([]*takedown.Complaint, error) {
	var out []*takedown.Complaint
	f := takedown.ComplaintFilter{State: takedown.ComplaintAnswered, Page: takedown.Page{Limit: takedown.MaxPageLimit}}
	for {
		list, next, err := tx.Complaints(f)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if next == "" {
			return out, nil
		}
		f.Cursor = next
	}
}

// complaintContactDue returns when an answered complaint's contact becomes due; false while
// it is unanswered, or when the profile keeps complainants' contacts.
func (s *Service) complaintContactDue(c *takedown.Complaint) (time.Time, bool) {
	r, ok := s.profile.RetentionOf(procedure.RecordComplainantContact)
	if !ok || c.Answer == nil {
		return time.Time{}, false
	}
	return c.Answer.At.AddDate(0, r.Months, 0), true
}

// complaintCases is the case whose legal holds keep a complaint's contact: the case holding
// its address, if one does.
func complaintCases(c *takedown.Complaint) []int64 {
	if c.CaseID == 0 {
		return nil
	}
	return []int64{c.CaseID}
}

// verifyComplaintContacts checks each answered complaint's contact as VerifyRetention checks
// reporters' contacts: purged when due and not held, and only then, and listed in a purge
// event.
func (s *Service) verifyComplaintContacts(tx takedown.Tx, rc *retentionCases, purged map[int64]bool,
	bad func(record string, id int64, format string, args ...any), rep *RetentionReport) error {
	const record = procedure.RecordComplainantContact
	complaints, err := answeredComplaints(tx)
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, c := range complaints {
		rep.Complaints++
		due, ok := s.complaintContactDue(c)
		at := now
		if c.ContactPurgedAt != nil {
			at = *c.ContactPurgedAt
		}
		h, err := rc.heldAt(complaintCases(c), at)
		if err != nil {
			return err
		}
		switch {
		case c.ContactPurgedAt != nil && len(c.SealedContact) > 0:
			bad(record, c.ID, "marked purged, but the contact is still there")
		case c.ContactPurgedAt == nil && len(c.SealedContact) == 0:
			bad(record, c.ID, "the contact is missing, and no purge is recorded")
		case c.ContactPurgedAt == nil:
			if ok && !due.After(now) && h == nil {
				bad(record, c.ID, "due since %s, not purged", due.Format(time.RFC3339))
			}
		default:
			if h != nil {
				bad(record, c.ID, "purged on %s under legal hold %d (%s)", at.Format(time.RFC3339), h.ID, h.Reference)
			}
			if !purged[c.ID] {
				bad(record, c.ID, "purged, but no purge event lists it")
			}
			if !ok || due.After(at) {
				bad(record, c.ID, "purged on %s, before it was due", at.Format(time.RFC3339))
			}
		}
	}
	return nil
}
