package casework

import (
	"context"
	"slices"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
	"github.com/takedown-project/takedown/procedure"
)

// Case returns a case. The authority and the controller see every case.
func (s *Service) Case(ctx context.Context, id int64) (*takedown.Case, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var c *takedown.Case
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		c, err = tx.Case(id)
		return err
	})
	return c, err
}

// Cases lists cases in queue order: higher priority first, then oldest first.
func (s *Service) Cases(ctx context.Context, f takedown.CaseFilter) ([]*takedown.Case, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.State != "" && !f.State.Valid() {
		return nil, "", takedown.Invalid("state", "%q is not a case state", f.State)
	}
	if f.URL != "" {
		u, err := canon.URL(f.URL)
		if err != nil {
			return nil, "", takedown.Invalid("url", "%v", err)
		}
		f.URL = u
	}
	var list []*takedown.Case
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Cases(f)
		return err
	})
	return list, next, err
}

// changeCase runs one transition of a case: it loads the case, lets fn check and change it,
// stamps and stores it, and records fn's event, all in one transaction.
func (s *Service) changeCase(ctx context.Context, id int64, u *takedown.User,
	fn func(tx takedown.Tx, c *takedown.Case) (event, error)) (*takedown.Case, error) {
	var c *takedown.Case
	err := s.update(ctx, func(tx takedown.Tx) (err error) {
		if c, err = tx.Case(id); err != nil {
			return err
		}
		e, err := fn(tx, c)
		if err != nil {
			return err
		}
		c.UpdatedAt = tx.Now()
		if err := tx.UpdateCase(c); err != nil {
			return err
		}
		e.caseID = c.ID
		return record(tx, u, e)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// wrongState explains why a case cannot make a transition from its current state.
func wrongState(c *takedown.Case, action string, want ...takedown.CaseState) error {
	return conflict("case %d is %s; it can be %s only when it is %s", c.ID, c.State, action, orList(want))
}

// Accept takes a new case at triage: it goes to qualification.
func (s *Service) Accept(ctx context.Context, id int64) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if c.State != takedown.CaseNew {
			return event{}, wrongState(c, "accepted", takedown.CaseNew)
		}
		c.State = takedown.CaseQualifying
		return event{kind: takedown.EventCaseAccepted}, nil
	})
}

// Dismiss closes a case that is not (or not shown to be) illegal content, with reasons.
// Before approval only: an approved case is closed when its measures end.
func (s *Service) Dismiss(ctx context.Context, id int64, reasons string) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		switch c.State {
		case takedown.CaseNew, takedown.CaseQualifying, takedown.CaseAwaitingApproval:
		default:
			return event{}, wrongState(c, "dismissed", takedown.CaseNew, takedown.CaseQualifying, takedown.CaseAwaitingApproval)
		}
		c.State = takedown.CaseClosed
		c.Closure = &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		return event{kind: takedown.EventCaseDismissed, data: map[string]any{"reasons": reasons}}, nil
	})
}

// Qualify records the officer's legal analysis: the offence, its elements as a checklist,
// and the statement of reasons. The case then waits for a different supervisor's approval.
func (s *Service) Qualify(ctx context.Context, id int64, in takedown.QualificationInput) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	o, ok := s.profile.Offence(in.Offence)
	if !ok {
		return nil, takedown.Invalid("offence", "%q is not an offence this procedure covers; use one of %s",
			in.Offence, strings.Join(s.profile.OffenceCodes(), ", "))
	}
	if err := checkElements(o, in.Elements); err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &in.Reasons); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if c.State != takedown.CaseQualifying {
			return event{}, wrongState(c, "qualified", takedown.CaseQualifying)
		}
		c.State = takedown.CaseAwaitingApproval
		c.Offence = in.Offence
		c.Qualification = &takedown.Qualification{Offence: in.Offence, Elements: in.Elements,
			Reasons: in.Reasons, QualifiedBy: u.ID, QualifiedAt: tx.Now()}
		c.Returned = nil
		return event{kind: takedown.EventCaseQualified, data: map[string]any{
			"offence": in.Offence, "elements": in.Elements, "reasons": in.Reasons}}, nil
	})
}

// checkElements checks the officer's answers against the offence's checklist: every element
// present and established, nothing unknown.
func checkElements(o *procedure.Offence, got map[string]any) error {
	for key := range got {
		if !slices.ContainsFunc(o.Elements, func(e procedure.Element) bool { return e.ID == key }) {
			ids := make([]string, len(o.Elements))
			for i, e := range o.Elements {
				ids[i] = e.ID
			}
			return takedown.Invalid("elements."+key, "is not an element of %s; its elements are %s", o.Code, strings.Join(ids, ", "))
		}
	}
	for _, e := range o.Elements {
		field := "elements." + e.ID
		v, present := got[e.ID]
		if !present {
			if e.Optional {
				continue
			}
			return takedown.Invalid(field, "is required for %s: %s", o.Code, e.Label.In("en"))
		}
		switch e.Type {
		case procedure.Confirm:
			b, ok := v.(bool)
			if !ok {
				return takedown.Invalid(field, "must be true or false")
			}
			if !b {
				return takedown.Invalid(field, "is not established, so the content cannot be qualified as %s: %s", o.Code, e.Label.In("en"))
			}
		case procedure.Describe:
			str, ok := v.(string)
			if !ok || strings.TrimSpace(str) == "" {
				return takedown.Invalid(field, "must describe: %s", e.Label.In("en"))
			}
			if len(str) > takedown.MaxReasonsLength {
				return takedown.Invalid(field, "is longer than %d bytes", takedown.MaxReasonsLength)
			}
			if err := takedown.CheckText(field, str, true); err != nil {
				return err
			}
		case procedure.Choose:
			str, ok := v.(string)
			if !ok || !slices.Contains(e.Options, str) {
				return takedown.Invalid(field, "must be one of %s", strings.Join(e.Options, ", "))
			}
			if e.Require != "" && str != e.Require {
				return takedown.Invalid(field, "%q does not fit %s. %s", str, o.Code, e.Hint.In("en"))
			}
		}
	}
	return nil
}

// Approve is the second pair of eyes: a supervisor other than the officer who qualified the
// case approves the qualification, and measures may then be issued.
func (s *Service) Approve(ctx context.Context, id int64) (*takedown.Case, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if c.State != takedown.CaseAwaitingApproval {
			return event{}, wrongState(c, "approved", takedown.CaseAwaitingApproval)
		}
		if c.Qualification.QualifiedBy == u.ID {
			return event{}, forbidden("you qualified case %d yourself; a different supervisor must approve it (four eyes)", c.ID)
		}
		now := tx.Now()
		c.State = takedown.CaseApproved
		c.Qualification.ApprovedBy, c.Qualification.ApprovedAt = u.ID, &now
		return event{kind: takedown.EventCaseApproved, data: map[string]any{"qualified_by": c.Qualification.QualifiedBy}}, nil
	})
}

// Return sends a qualification back to the officers with the supervisor's reasons.
func (s *Service) Return(ctx context.Context, id int64, reasons string) (*takedown.Case, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if c.State != takedown.CaseAwaitingApproval {
			return event{}, wrongState(c, "returned", takedown.CaseAwaitingApproval)
		}
		c.State = takedown.CaseQualifying
		c.Returned = &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		return event{kind: takedown.EventCaseReturned, data: map[string]any{"reasons": reasons}}, nil
	})
}

// PlaceHold puts an investigation hold on an open case (deconfliction): no measure may be
// issued or approved on it until the hold is released.
func (s *Service) PlaceHold(ctx context.Context, id int64, in takedown.HoldInput) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if !c.Open() {
			return event{}, conflict("case %d is closed", c.ID)
		}
		if c.Hold != nil {
			return event{}, conflict("case %d is already on hold (reference %s)", c.ID, c.Hold.Reference)
		}
		c.Hold = &takedown.Hold{Reference: in.Reference, Reasons: in.Reasons, By: u.ID, At: tx.Now()}
		return event{kind: takedown.EventHoldPlaced, data: map[string]any{"reference": in.Reference, "reasons": in.Reasons}}, nil
	})
}

// ReleaseHold lifts an investigation hold.
func (s *Service) ReleaseHold(ctx context.Context, id int64, reasons string) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if !c.Open() {
			return event{}, conflict("case %d is closed", c.ID)
		}
		if c.Hold == nil {
			return event{}, conflict("case %d is not on hold", c.ID)
		}
		ref := c.Hold.Reference
		c.Hold = nil
		return event{kind: takedown.EventHoldReleased, data: map[string]any{"reference": ref, "reasons": reasons}}, nil
	})
}

// checkHold refuses measures on a case under investigation hold.
func (s *Service) checkHold(c *takedown.Case) error {
	if c.Hold != nil {
		return precondition("case %d is on investigation hold since %s (reference %s); no measure can be taken until the hold is released",
			c.ID, s.local(c.Hold.At), c.Hold.Reference)
	}
	return nil
}

// Close closes an approved case once none of its measures is active any more; its URLs can
// then open new cases if the content comes back.
func (s *Service) Close(ctx context.Context, id int64, reasons string) (*takedown.Case, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, u, func(tx takedown.Tx, c *takedown.Case) (event, error) {
		if c.State != takedown.CaseApproved {
			return event{}, wrongState(c, "closed", takedown.CaseApproved)
		}
		active, _, err := tx.Measures(takedown.MeasureFilter{CaseID: c.ID, Active: true, Page: takedown.Page{Limit: 1}})
		if err != nil {
			return event{}, err
		}
		if len(active) > 0 {
			m := active[0]
			return event{}, precondition("measure %d (%s) on case %d is still %s; end it first", m.ID, m.Kind, c.ID, m.State)
		}
		c.State = takedown.CaseClosed
		c.Closure = &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		return event{kind: takedown.EventCaseClosed, data: map[string]any{"reasons": reasons}}, nil
	})
}

// Events returns the record of a case (or of everything), oldest first.
func (s *Service) Events(ctx context.Context, f takedown.EventFilter) ([]*takedown.Event, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, "", takedown.Invalid("kind", "%q is not an event kind", f.Kind)
	}
	var list []*takedown.Event
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Events(f)
		return err
	})
	return list, next, err
}
