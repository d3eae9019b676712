package casework

import (
	"context"
	"fmt"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
)

// SubmitComplaint records a complaint from the public complaint form: anyone may contest a
// measure or report an error, without an account. A complaint about an address that a case
// holds is linked to it. The authority must answer; the controller sees it.
func (s *Service) SubmitComplaint(ctx context.Context, in takedown.ComplaintInput) (*takedown.Complaint, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	c := &takedown.Complaint{Receipt: newReceipt(), State: takedown.ComplaintOpen, Address: in.Address, From: in.From, Text: in.Text}
	canonical, urlErr := canon.URL(in.Address)
	if urlErr == nil {
		c.Address = canonical
	}
	sealed, err := s.sealer.Seal([]byte(in.Contact))
	if err != nil {
		return nil, fmt.Errorf("casework: seal contact: %w", err)
	}
	c.SealedContact = sealed
	err = s.update(ctx, func(tx takedown.Tx) error {
		if urlErr == nil {
			if c.CaseID, err = tx.OpenCaseByURL(canonical); err != nil {
				return err
			}
		}
		c.ReceivedAt = tx.Now()
		if err := tx.CreateComplaint(c); err != nil {
			return err
		}
		return record(tx, takedown.UserFromContext(ctx), event{kind: takedown.EventComplaintReceived, caseID: c.CaseID,
			data: map[string]any{"complaint_id": c.ID, "receipt": c.Receipt, "from": c.From}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Complaint returns a complaint with its contact, for the authority and the controller.
func (s *Service) Complaint(ctx context.Context, id int64) (*takedown.Complaint, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var c *takedown.Complaint
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		c, err = tx.Complaint(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.ContactPurgedAt != nil {
		return c, nil // its retention is over: the contact is gone
	}
	plain, err := s.sealer.Unseal(c.SealedContact)
	if err != nil {
		return nil, fmt.Errorf("casework: unseal the contact of complaint %d: %w", id, err)
	}
	c.Contact = string(plain)
	return c, nil
}

// Complaints lists complaints, oldest first, without their contacts.
func (s *Service) Complaints(ctx context.Context, f takedown.ComplaintFilter) ([]*takedown.Complaint, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Page.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.Complaint
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Complaints(f)
		return err
	})
	return list, next, err
}

// AnswerComplaint records the authority's answer to a complaint, with its reasons; the
// officer sends it to the complainant's contact.
func (s *Service) AnswerComplaint(ctx context.Context, id int64, reasons string) (*takedown.Complaint, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var c *takedown.Complaint
	err = s.update(ctx, func(tx takedown.Tx) error {
		if c, err = tx.Complaint(id); err != nil {
			return err
		}
		if c.State != takedown.ComplaintOpen {
			return conflict("complaint %d was answered on %s", c.ID, c.Answer.At.Format("2006-01-02 15:04"))
		}
		c.State, c.Answer = takedown.ComplaintAnswered, &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		if err := tx.UpdateComplaint(c); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventComplaintAnswered, caseID: c.CaseID,
			data: map[string]any{"complaint_id": c.ID, "reasons": reasons}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
