package casework

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
	"github.com/takedown-project/takedown/procedure"
)

// IssueMeasure takes a measure on an approved case. A removal request, TCO order or referral
// goes to its operator at once, naming the case's URLs on that operator's domains (the
// profile says who is informed at the same time: in France, the ISPs);
// a provider's first TCO order waits for the advance-information period unless an emergency
// is justified; a blocking or dereferencing list waits for a second user's approval when the
// profile requires it, and needs an overdue removal request or order first unless the
// publisher is unidentified.
func (s *Service) IssueMeasure(ctx context.Context, caseID int64, in takedown.MeasureInput) (*takedown.Measure, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	rule, ok := s.profile.Measure(in.Kind)
	if !ok {
		return nil, takedown.Invalid("kind", "the %s procedure has no %s measure", s.profile.ID, in.Kind)
	}
	var m *takedown.Measure
	err = s.update(ctx, func(tx takedown.Tx) error {
		c, err := tx.Case(caseID)
		if err != nil {
			return err
		}
		if c.State != takedown.CaseApproved {
			return precondition("case %d is %s; measures can be taken only once its qualification is approved", c.ID, c.State)
		}
		if err := s.checkHold(c); err != nil {
			return err
		}
		if in.Kind == takedown.RemovalOrder {
			// TCO orders are for terrorist content: the order's form ticks its art. 2(7) type.
			if o, ok := s.profile.Offence(c.Qualification.Offence); !ok || o.Category == "" {
				return takedown.Invalid("kind", "a TCO removal order is for terrorist content, and %s is not terrorist content in the profile %s: send a removal request",
					c.Qualification.Offence, s.profile.ID)
			}
		}
		var op *takedown.Operator
		if !in.Kind.IsList() {
			if op, err = addressee(tx, in, rule); err != nil {
				return err
			}
		}
		targets, err := measureTargets(c, in, op)
		if err != nil {
			return err
		}
		m = &takedown.Measure{CaseID: c.ID, Kind: in.Kind, OperatorID: in.OperatorID, Targets: targets,
			Subtree: in.Subtree, Offence: c.Qualification.Offence, Reasons: c.Qualification.Reasons,
			PublisherUnidentified: in.PublisherUnidentified, Emergency: in.Emergency, NonDisclosureUntil: in.NonDisclosureUntil,
			ProposedBy: u.ID, ProposedAt: tx.Now()}
		if nd := in.NonDisclosureUntil; nd != nil && (!nd.After(tx.Now()) || nd.Sub(tx.Now()) > takedown.MaxNonDisclosure) {
			return takedown.Invalid("non_disclosure_until", "must be in the next six weeks (TCO art. 11(3)), not %s", s.local(*nd))
		}
		active, _, err := tx.Measures(takedown.MeasureFilter{CaseID: c.ID, Kind: in.Kind, Active: true, Page: takedown.Page{Limit: takedown.MaxPageLimit}})
		if err != nil {
			return err
		}
		for _, a := range active {
			if a.OperatorID == m.OperatorID {
				return conflict("measure %d (%s) is already %s on case %d", a.ID, a.Kind, a.State, c.ID)
			}
		}
		if in.Kind.IsList() {
			return s.listMeasure(tx, u, m, rule)
		}
		return s.addressedMeasure(tx, u, m, op, rule)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// addressee returns the operator an addressed measure goes to, if the profile lets this kind
// of measure go to it.
func addressee(tx takedown.Tx, in takedown.MeasureInput, rule *procedure.MeasureRule) (*takedown.Operator, error) {
	op, err := tx.Operator(in.OperatorID)
	if takedown.ErrorCode(err) == takedown.ENOTFOUND {
		return nil, takedown.Invalid("operator_id", "there is no operator %d", in.OperatorID)
	} else if err != nil {
		return nil, err
	}
	if !slices.Contains(rule.Recipients, op.Kind) {
		return nil, takedown.Invalid("operator_id", "operator %d (%s) is of kind %s; a %s goes to operators of kind %s", op.ID, op.Name, op.Kind, in.Kind, orList(rule.Recipients))
	}
	return op, nil
}

// measureTargets checks the targets asked for against the case. URLs must be the case's own,
// and an addressed measure names only those on its operator's registered domains: it reaches
// the operator that can act, and discloses no other operator's URLs. Blocking targets are
// host names of the case's URLs, since DNS cannot block a path; a name whose labels mix
// scripts, as lookalikes of other names do, is listed only when given in its xn-- form.
func measureTargets(c *takedown.Case, in takedown.MeasureInput, op *takedown.Operator) ([]string, error) {
	var hosts []string
	var hostErr error // a URL whose host cannot be listed (an IP address)
	urls := c.URLs
	if op != nil && len(op.Domains) > 0 {
		urls = slices.DeleteFunc(slices.Clone(c.URLs), func(u string) bool { return !hostedBy(op, u) })
		if len(urls) == 0 {
			return nil, takedown.Invalid("operator_id", "none of the case's URLs is on a domain of operator %d (%s: %s); address the operator that hosts them",
				op.ID, op.Name, strings.Join(op.Domains, ", "))
		}
	}
	for _, raw := range urls {
		h, err := canon.Host(urlHost(raw))
		if err != nil {
			hostErr = takedown.Invalid("targets", "the case's URL %s cannot be blocked by DNS: %v; name the host names to block in targets, or use another measure", raw, err)
			continue
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if len(in.Targets) == 0 {
		if in.Kind != takedown.Blocking {
			return slices.Clone(urls), nil
		}
		if hostErr != nil {
			return nil, hostErr
		}
		for _, h := range hosts {
			if err := canon.MixedScripts(h); err != nil {
				return nil, takedown.Invalid("targets", "the host %s of the case: %v. To block it all the same, name it in targets as %s", h, err, h)
			}
		}
		return hosts, nil
	}
	var targets []string
	for i, t := range in.Targets {
		field := takedown.IndexField("targets", i)
		if in.Kind == takedown.Blocking {
			h, err := canon.Host(t)
			if err != nil {
				return nil, takedown.Invalid(field, "%v; blocking works on host names, because DNS cannot block a path", err)
			}
			if !slices.Contains(hosts, h) {
				return nil, takedown.Invalid(field, "%s is not the host of one of the case's URLs (%s)", h, strings.Join(hosts, ", "))
			}
			if err := canon.MixedScripts(h); err != nil && !strings.EqualFold(strings.TrimSpace(t), h) {
				return nil, takedown.Invalid(field, "%v. To block it all the same, give it as %s", err, h)
			}
			t = h
		} else {
			cu, err := canon.URL(t)
			switch {
			case err != nil:
				return nil, takedown.Invalid(field, "%v", err)
			case !slices.Contains(c.URLs, cu):
				return nil, takedown.Invalid(field, "%s is not one of the case's URLs", cu)
			case !slices.Contains(urls, cu):
				return nil, takedown.Invalid(field, "%s is not on a domain of operator %d (%s)", cu, op.ID, op.Name)
			}
			t = cu
		}
		if !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
	}
	return targets, nil
}

// urlHost returns the host of a canonical URL.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// hostedBy reports whether a canonical URL is on one of the operator's domains or under one.
func hostedBy(op *takedown.Operator, raw string) bool {
	h := urlHost(raw)
	return slices.ContainsFunc(op.Domains, func(d string) bool { return h == d || strings.HasSuffix(h, "."+d) })
}

// addressedMeasure issues a removal request, TCO order or referral to its operator.
func (s *Service) addressedMeasure(tx takedown.Tx, u *takedown.User, m *takedown.Measure, op *takedown.Operator, rule *procedure.MeasureRule) error {
	if rule.AdvanceInformation.Duration > 0 && m.Emergency == "" {
		issueAt, err := s.advanceInformation(tx, u, m, op, rule.AdvanceInformation.Duration)
		if err != nil {
			return err
		}
		if issueAt.After(tx.Now()) {
			return nil
		}
	}
	if err := tx.CreateMeasure(m); err != nil {
		return err
	}
	return s.issue(tx, u, m, rule)
}

// advanceInformation applies TCO art. 3(2): before a provider's first order, it receives
// information on the procedures and deadlines at least the given time in advance. It returns
// when the order may be issued; if that is later than now, it has stored m as scheduled.
func (s *Service) advanceInformation(tx takedown.Tx, u *takedown.User, m *takedown.Measure, op *takedown.Operator, advance time.Duration) (time.Time, error) {
	now := tx.Now()
	earlier, _, err := tx.Measures(takedown.MeasureFilter{Kind: m.Kind, OperatorID: op.ID, Issued: true, Page: takedown.Page{Limit: 1}})
	if err != nil || len(earlier) > 0 {
		return now, err
	}
	informNow := op.TCOInformedAt == nil
	if informNow {
		op.TCOInformedAt = &now
		op.UpdatedAt = now
		if err := tx.UpdateOperator(op); err != nil {
			return now, err
		}
	}
	issueAt := op.TCOInformedAt.Add(advance)
	if !issueAt.After(now) {
		return now, nil
	}
	m.State, m.IssueAt = takedown.MeasureScheduled, &issueAt
	if err := tx.CreateMeasure(m); err != nil {
		return now, err
	}
	if err := record(tx, u, event{kind: takedown.EventMeasureScheduled, caseID: m.CaseID, measureID: m.ID, operator: op.ID,
		data: map[string]any{"kind": m.Kind, "issue_at": issueAt, "reason": "advance information before a provider's first order"}}); err != nil {
		return now, err
	}
	if informNow {
		if err := s.send(tx, u, m, op.ID, takedown.PurposeAdvanceInformation, 0); err != nil {
			return now, err
		}
	}
	return issueAt, nil
}

// issue sends an addressed measure to its operator, and informs the operators the profile
// says must be informed at the same time.
func (s *Service) issue(tx takedown.Tx, u *takedown.User, m *takedown.Measure, rule *procedure.MeasureRule) error {
	now := tx.Now()
	m.State, m.IssuedAt = takedown.MeasureIssued, &now
	if err := tx.UpdateMeasure(m); err != nil {
		return err
	}
	if err := record(tx, u, event{kind: takedown.EventMeasureIssued, caseID: m.CaseID, measureID: m.ID, operator: m.OperatorID,
		data: map[string]any{"kind": m.Kind, "targets": m.Targets, "emergency": m.Emergency}}); err != nil {
		return err
	}
	if err := s.send(tx, u, m, m.OperatorID, takedown.PurposeAction, rule.Deadline.Duration); err != nil {
		return err
	}
	informed, err := operatorsOfKinds(tx, rule.Inform)
	if err != nil {
		return err
	}
	for _, op := range informed {
		if err := s.send(tx, u, m, op.ID, takedown.PurposeInformation, 0); err != nil {
			return err
		}
	}
	return nil
}

// listMeasure proposes a blocking or dereferencing list, or publishes it at once when the
// profile does not require a second approval. The safety gates' objections to the names it
// lists are recorded with it, for the supervisors to see.
func (s *Service) listMeasure(tx takedown.Tx, u *takedown.User, m *takedown.Measure, rule *procedure.MeasureRule) error {
	if err := listAllowed(tx, m, rule); err != nil {
		return err
	}
	m.State = takedown.MeasureProposed
	if !rule.SecondApproval {
		if err := tx.CreateMeasure(m); err != nil {
			return err
		}
		return s.publish(tx, u, m, rule, true) // which checks the gates
	}
	objections, err := s.nameObjections(tx, m)
	if err != nil {
		return err
	}
	m.Objections = objections
	if err := tx.CreateMeasure(m); err != nil {
		return err
	}
	return record(tx, u, event{kind: takedown.EventMeasureProposed, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"kind": m.Kind, "targets": m.Targets, "subtree": m.Subtree, "publisher_unidentified": m.PublisherUnidentified,
			"objections": m.Objections}})
}

// listAllowed checks, when a list is proposed and again when it is approved, that the
// profile allows it now: after a removal request or order on the case went overdue (and is
// still not complied with), unless the publisher is unidentified.
func listAllowed(tx takedown.Tx, m *takedown.Measure, rule *procedure.MeasureRule) error {
	if !rule.AfterRemoval || m.PublisherUnidentified != "" {
		return nil
	}
	for _, kind := range []takedown.MeasureKind{takedown.RemovalRequest, takedown.RemovalOrder} {
		overdue, _, err := tx.Measures(takedown.MeasureFilter{CaseID: m.CaseID, Kind: kind, Overdue: true, Active: true, Page: takedown.Page{Limit: 1}})
		if err != nil || len(overdue) > 0 {
			return err
		}
	}
	return precondition("%s needs a removal request or order on case %d that is overdue and not complied with, or a recorded justification that the publisher is unidentified (publisher_unidentified)", m.Kind, m.CaseID)
}

// publish puts a list measure in force and sends it to every operator of the recipient kinds,
// once the safety gates let its change through (gated; a rollback is not): else it is held,
// with the objections no override answers, and that is recorded.
func (s *Service) publish(tx takedown.Tx, u *takedown.User, m *takedown.Measure, rule *procedure.MeasureRule, gated bool) error {
	changes, size, err := listChanges(tx, m, true)
	if err != nil {
		return err
	}
	if gated {
		if m.Objections, err = s.nameObjections(tx, m); err != nil {
			return err
		}
		if o := s.gates.Size(len(changes), size); o != nil {
			m.Objections = append(m.Objections, *o)
		}
		if held := unmet(m, m.Objections, rule.SecondApproval, false, u); len(held) > 0 {
			if err := tx.UpdateMeasure(m); err != nil {
				return err
			}
			return record(tx, u, event{kind: takedown.EventMeasureHeld, caseID: m.CaseID, measureID: m.ID,
				data: map[string]any{"kind": m.Kind, "targets": m.Targets, "subtree": m.Subtree, "objections": held}})
		}
	}
	now := tx.Now()
	next := s.NextRecheck(now)
	m.State, m.IssuedAt, m.NextRecheck = takedown.MeasureInForce, &now, &next
	if err := tx.UpdateMeasure(m); err != nil {
		return err
	}
	if err := record(tx, u, event{kind: takedown.EventMeasureIssued, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"kind": m.Kind, "targets": m.Targets, "subtree": m.Subtree, "next_recheck": next}}); err != nil {
		return err
	}
	if err := publishVersion(tx, u, m, true, changes); err != nil {
		return err
	}
	recipients, err := operatorsOfKinds(tx, rule.Recipients)
	if err != nil {
		return err
	}
	for _, op := range recipients {
		if err := s.send(tx, u, m, op.ID, takedown.PurposeAction, rule.Deadline.Duration); err != nil {
			return err
		}
	}
	return nil
}

// ApproveMeasure is the second approval of a blocking or dereferencing list, by a supervisor
// other than the officer who proposed it; the list is then published, unless a safety gate
// holds it (the measure stays proposed, with its objections). A measure held because its
// version is too large is published when a second supervisor approves it too.
func (s *Service) ApproveMeasure(ctx context.Context, id int64) (*takedown.Measure, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	return s.changeMeasure(ctx, id, u, func(tx takedown.Tx, m *takedown.Measure) error {
		if m.State != takedown.MeasureProposed {
			return conflict("measure %d is %s; only a proposed measure can be approved", m.ID, m.State)
		}
		if m.ProposedBy == u.ID {
			return forbidden("you proposed measure %d yourself; a different supervisor must approve it (four eyes)", m.ID)
		}
		c, err := tx.Case(m.CaseID)
		if err != nil {
			return err
		}
		if err := s.checkHold(c); err != nil {
			return err
		}
		rule, err := s.rule(m.Kind)
		if err != nil {
			return err
		}
		if err := listAllowed(tx, m, rule); err != nil {
			return err
		}
		now := tx.Now()
		tooLarge := slices.ContainsFunc(m.Objections, func(o takedown.Objection) bool { return o.Gate == takedown.GateDiffSize })
		switch {
		case m.ApprovedBy == 0:
			m.ApprovedBy, m.ApprovedAt = u.ID, &now
		case tooLarge && m.ApprovedBy == u.ID:
			return forbidden("you approved measure %d already; its version is held for a second supervisor's approval", m.ID)
		case tooLarge:
			m.Overrides = append(m.Overrides, takedown.Override{Gate: takedown.GateDiffSize,
				Decision: takedown.Decision{Reasons: "Second approval of a large version.", By: u.ID, At: now}})
		}
		return s.publish(tx, u, m, rule, true)
	})
}

// RefuseMeasure refuses a proposed list measure, with reasons.
func (s *Service) RefuseMeasure(ctx context.Context, id int64, reasons string) (*takedown.Measure, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeMeasure(ctx, id, u, func(tx takedown.Tx, m *takedown.Measure) error {
		if m.State != takedown.MeasureProposed {
			return conflict("measure %d is %s; only a proposed measure can be refused", m.ID, m.State)
		}
		m.State = takedown.MeasureRefused
		m.Refusal = &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		if err := tx.UpdateMeasure(m); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventMeasureRefused, caseID: m.CaseID, measureID: m.ID, data: map[string]any{"reasons": reasons}})
	})
}

// WithdrawMeasure withdraws any active measure: every operator that received it is told,
// and for lists the restoration deadline starts.
func (s *Service) WithdrawMeasure(ctx context.Context, id int64, reasons string) (*takedown.Measure, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	return s.changeMeasure(ctx, id, u, func(tx takedown.Tx, m *takedown.Measure) error {
		if !m.State.Active() {
			return conflict("measure %d is %s; only an active measure can be withdrawn", m.ID, m.State)
		}
		return s.endMeasure(tx, u, m, takedown.MeasureWithdrawn, reasons, true)
	})
}

// Recheck records the periodic re-check of a list measure in force: confirmed until the next
// re-check, or lifted because the content is gone or no longer illegal.
func (s *Service) Recheck(ctx context.Context, id int64, in takedown.RecheckInput) (*takedown.Measure, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeMeasure(ctx, id, u, func(tx takedown.Tx, m *takedown.Measure) error {
		if m.State != takedown.MeasureInForce {
			return conflict("measure %d is %s; only a list measure in force is re-checked", m.ID, m.State)
		}
		if in.Outcome == takedown.RecheckLift {
			return s.endMeasure(tx, u, m, takedown.MeasureLifted, in.Reasons, true)
		}
		now := tx.Now()
		next := s.NextRecheck(now)
		m.LastRecheck, m.NextRecheck = &now, &next
		if err := tx.UpdateMeasure(m); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventMeasureRechecked, caseID: m.CaseID, measureID: m.ID,
			data: map[string]any{"outcome": in.Outcome, "reasons": in.Reasons, "next_recheck": next}})
	})
}

// endMeasure lifts or withdraws a measure: the operator's pending action is cancelled and
// every operator that received anything about the measure gets a withdrawal, or, for a list
// in force, a restoration with its deadline. When gated, a list change too large for the
// diff-size gate needs a second supervisor's override first; a court's decision and a
// rollback are not gated.
func (s *Service) endMeasure(tx takedown.Tx, u *takedown.User, m *takedown.Measure, state takedown.MeasureState, reasons string, gated bool) error {
	now := tx.Now()
	wasInForce := m.State == takedown.MeasureInForce
	var changes []takedown.ListChange
	if m.Kind.IsList() && wasInForce {
		var size int
		var err error
		if changes, size, err = listChanges(tx, m, false); err != nil {
			return err
		}
		if o := s.gates.Size(len(changes), size); gated && o != nil {
			if held := unmet(m, []takedown.Objection{*o}, true, true, u); len(held) > 0 {
				return precondition("ending measure %d is held: %s. A supervisor other than you must let it through first (override of the diff_size gate), then end it again",
					m.ID, objectionsText(held))
			}
		}
	}
	m.State, m.EndedAt, m.NextRecheck = state, &now, nil
	m.Ending = &takedown.Decision{Reasons: reasons, By: u.ID, At: now}
	if err := tx.UpdateMeasure(m); err != nil {
		return err
	}
	kind := takedown.EventMeasureWithdrawn
	if state == takedown.MeasureLifted {
		kind = takedown.EventMeasureLifted
	}
	deliveries, err := allDeliveries(tx, m.ID)
	if err != nil {
		return err
	}
	var recipients []int64
	cancelled := []int64{}
	for _, d := range deliveries {
		if !slices.Contains(recipients, d.OperatorID) {
			recipients = append(recipients, d.OperatorID)
		}
		if d.Purpose == takedown.PurposeAction && d.State.Pending() {
			d.State = takedown.DeliveryCancelled
			if err := tx.UpdateDelivery(d); err != nil {
				return err
			}
			cancelled = append(cancelled, d.ID)
		}
	}
	if err := record(tx, u, event{kind: kind, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"reasons": reasons, "cancelled_deliveries": cancelled}}); err != nil {
		return err
	}
	if err := publishVersion(tx, u, m, false, changes); err != nil {
		return err
	}
	rule, err := s.rule(m.Kind)
	if err != nil {
		return err
	}
	for _, op := range recipients {
		var err error
		if m.Kind.IsList() && wasInForce {
			err = s.send(tx, u, m, op, takedown.PurposeRestoration, rule.RestorationDeadline.Duration)
		} else {
			err = s.send(tx, u, m, op, takedown.PurposeWithdrawal, 0)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// send creates one delivery and records it.
func (s *Service) send(tx takedown.Tx, u *takedown.User, m *takedown.Measure, operatorID int64, purpose takedown.Purpose, deadline time.Duration) error {
	d := &takedown.Delivery{MeasureID: m.ID, CaseID: m.CaseID, OperatorID: operatorID, Kind: m.Kind,
		Purpose: purpose, State: takedown.DeliverySent, SentAt: tx.Now(), HasDeadline: deadline > 0}
	if deadline > 0 && m.Kind.IsList() {
		// A list is published, in the zone or feed its recipients pull: its deadline runs
		// from then. An addressed measure's runs from its receipt (receive).
		at := tx.Now().Add(deadline)
		d.DeadlineAt = &at
	}
	if m.Kind.IsList() && (purpose == takedown.PurposeAction || purpose == takedown.PurposeRestoration) {
		v, err := tx.LatestListVersion(m.Kind)
		if err != nil {
			return err
		}
		d.ListVersion = v.Version
	}
	op, err := tx.Operator(operatorID)
	if err != nil {
		return err
	}
	if d.Kind == takedown.Dereferencing && purpose == takedown.PurposeAction && op.Channels.SearchAPI != "" {
		d.NextCheckAt = d.DeadlineAt // ask the search engine's API once its deadline passes
	}
	if err := tx.CreateDelivery(d); err != nil {
		return err
	}
	if err := s.queue(tx, d, op, false); err != nil {
		return err
	}
	// The event says what was sent, so that its receipt lets the operator show it later. An
	// advance information precedes an order the provider may not see yet: it names no address.
	data := map[string]any{"delivery_id": d.ID, "kind": m.Kind, "purpose": purpose, "deadline_at": d.DeadlineAt}
	if d.ListVersion != 0 {
		data["list_version"] = d.ListVersion
	}
	if purpose != takedown.PurposeAdvanceInformation {
		data["targets"] = m.Targets
	}
	return record(tx, u, event{kind: takedown.EventDeliverySent, caseID: m.CaseID, measureID: m.ID, operator: operatorID, data: data})
}

// changeMeasure loads a measure, lets fn check and change it, in one transaction.
func (s *Service) changeMeasure(ctx context.Context, id int64, u *takedown.User,
	fn func(tx takedown.Tx, m *takedown.Measure) error) (*takedown.Measure, error) {
	var m *takedown.Measure
	err := s.update(ctx, func(tx takedown.Tx) (err error) {
		if m, err = tx.Measure(id); err != nil {
			return err
		}
		return fn(tx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Measure returns a measure: the authority and the controller see every measure; an operator
// sees a measure once it is issued and addressed or notified to it.
func (s *Service) Measure(ctx context.Context, id int64) (*takedown.Measure, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	var m *takedown.Measure
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		m, err = operatorView(tx, u, id)
		return err
	})
	return m, err
}

// operatorView reads a measure as u may see it. An operator sees it only once it was issued
// (a proposal or a scheduled order is the authority's business until then) and only if it
// received something about it; and whether it is overdue concerns the operator's own
// deliveries, not the other recipients'.
func operatorView(tx takedown.Tx, u *takedown.User, id int64) (*takedown.Measure, error) {
	m, err := tx.Measure(id)
	if err != nil || u.Role != takedown.RoleOperator {
		return m, err
	}
	mine, _, err := tx.Deliveries(takedown.DeliveryFilter{MeasureID: id, OperatorID: u.OperatorID, Page: takedown.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(mine) == 0 || m.IssuedAt == nil {
		return nil, forbidden("measure %d is not addressed to your operator", id)
	}
	late, _, err := tx.Deliveries(takedown.DeliveryFilter{MeasureID: id, OperatorID: u.OperatorID, Deadline: takedown.DeadlineOverdue,
		Page: takedown.Page{Limit: 1}})
	m.Overdue = len(late) > 0
	return m, err
}

// Measures lists measures; an operator lists the measures it received something about.
func (s *Service) Measures(ctx context.Context, f takedown.MeasureFilter) ([]*takedown.Measure, string, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, "", takedown.Invalid("kind", "%q is not a measure kind", f.Kind)
	}
	if f.State != "" && !f.State.Valid() {
		return nil, "", takedown.Invalid("state", "%q is not a measure state", f.State)
	}
	if u.Role == takedown.RoleOperator {
		f.OperatorID, f.Issued = u.OperatorID, true
	}
	var list []*takedown.Measure
	var next string
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Measures(f)
		return err
	})
	return list, next, err
}

// NextRecheck returns the latest date of the next re-check of a list measure checked at t:
// the same local time, RecheckMonths calendar months later in the authority's zone, on the
// last day of the month when the month is shorter (30 November → 28 or 29 February), so the
// interval is never longer than the law allows.
func (s *Service) NextRecheck(t time.Time) time.Time {
	loc := s.profile.Location()
	t = t.In(loc)
	y, mo, d := t.Date()
	target := mo + time.Month(s.profile.RecheckMonths)
	if last := time.Date(y, target+1, 0, 0, 0, 0, 0, loc).Day(); d > last {
		d = last
	}
	return time.Date(y, target, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

// operatorsOfKinds returns every operator of the given kinds.
func operatorsOfKinds(tx takedown.Tx, kinds []takedown.OperatorKind) ([]*takedown.Operator, error) {
	var all []*takedown.Operator
	for _, k := range kinds {
		ops, err := takedown.All(func(p takedown.Page) ([]*takedown.Operator, string, error) {
			return tx.Operators(takedown.OperatorFilter{Kind: k, Page: p})
		})
		if err != nil {
			return nil, err
		}
		all = append(all, ops...)
	}
	return all, nil
}

// allDeliveries returns every delivery of a measure.
func allDeliveries(tx takedown.Tx, measureID int64) ([]*takedown.Delivery, error) {
	return takedown.All(func(p takedown.Page) ([]*takedown.Delivery, string, error) {
		return tx.Deliveries(takedown.DeliveryFilter{MeasureID: measureID, Page: p})
	})
}
