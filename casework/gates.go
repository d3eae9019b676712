package casework

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/safety"
)

// WithGates sets the safety gates' configuration (safety.Default until then) and returns s.
// Call it before serving.
func (s *Service) WithGates(c *safety.Config) *Service {
	s.gates = c
	return s
}

// WithCanary sets the canary whose latest result CanaryStatus returns, and returns s. Call it
// before serving.
func (s *Service) WithCanary(c *safety.Canary) *Service {
	s.canary = c
	return s
}

// CanaryStatus returns the latest result of the canary that checks each published version of
// the blocking zone through a real resolver: for the authority and the controller.
func (s *Service) CanaryStatus(ctx context.Context) (*safety.Status, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	if s.canary == nil {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "this server runs no canary: add a canary section to the zone's configuration file (docs/blocking.md)")
	}
	st := s.canary.Status()
	return &st, nil
}

// nameObjections returns the never-block and shared-host objections to the names a blocking
// measure lists. The platforms of the operator registry (hosting platforms with their own
// terms, where many users publish) are shared hosts; a host's domains are the sites it hosts.
func (s *Service) nameObjections(tx takedown.Tx, m *takedown.Measure) ([]takedown.Objection, error) {
	if m.Kind != takedown.Blocking {
		return nil, nil
	}
	ops, err := operatorsOfKinds(tx, []takedown.OperatorKind{takedown.KindPlatform})
	if err != nil {
		return nil, err
	}
	platforms := map[string]string{}
	for _, op := range ops {
		for _, d := range op.Domains {
			platforms[d] = fmt.Sprintf("operator %d (%s)", op.ID, op.Name)
		}
	}
	return s.gates.Names(m.Targets, m.Subtree, platforms), nil
}

// unmet returns the objections that m's overrides do not answer. A never-block or shared-host
// objection needs overrides by two supervisors. A diff-size objection needs two people to
// have approved the change: for a publication, the approver and a supervisor overriding (by
// approving again), or the officer who issued it where the profile needs no second approval;
// for an ending (by actor), the actor and a supervisor overriding.
func unmet(m *takedown.Measure, objections []takedown.Objection, secondApproval, ending bool, actor *takedown.User) []takedown.Objection {
	var out []takedown.Objection
	for _, o := range objections {
		people := map[int64]bool{}
		agree := func(id int64) {
			if id != 0 {
				people[id] = true
			}
		}
		for _, ov := range m.Overrides {
			if ov.Gate == o.Gate && ov.Ending == ending {
				agree(ov.By)
			}
		}
		switch {
		case o.Gate != takedown.GateDiffSize:
		case ending:
			agree(actor.ID)
		default:
			agree(m.ApprovedBy)
			if !secondApproval {
				agree(m.ProposedBy)
			}
		}
		if len(people) < 2 {
			out = append(out, o)
		}
	}
	return out
}

// objectionsText writes the objections for an error message.
func objectionsText(objections []takedown.Objection) string {
	parts := make([]string, len(objections))
	for i, o := range objections {
		parts[i] = fmt.Sprintf("[%s] %s", o.Gate, o.Reason)
	}
	return strings.Join(parts, "; ")
}

// Override records a supervisor's decision to let a list measure through a safety gate that
// objects to it, with reasons. A measure proposed or held needs two supervisors' overrides of
// a never-block or shared-host objection; a second supervisor approves a diff-size objection
// by approving the measure again (or overriding it here). Ending a measure in force whose
// removals the diff-size gate objects to needs a supervisor other than the one ending it to
// override it first.
func (s *Service) Override(ctx context.Context, id int64, in takedown.OverrideInput) (*takedown.Measure, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeMeasure(ctx, id, u, func(tx takedown.Tx, m *takedown.Measure) error {
		ending := m.State == takedown.MeasureInForce
		switch {
		case !m.Kind.IsList():
			return precondition("measure %d is a %s; the safety gates apply to blocking and dereferencing lists", m.ID, m.Kind)
		case ending && in.Gate != takedown.GateDiffSize:
			return precondition("measure %d is in force: only its ending can be let through, by the diff_size gate", m.ID)
		case !ending && m.State != takedown.MeasureProposed:
			return conflict("measure %d is %s; only a proposed or held measure, or the ending of one in force, can be overridden", m.ID, m.State)
		case !ending && !slices.ContainsFunc(m.Objections, func(o takedown.Objection) bool { return o.Gate == in.Gate }):
			return precondition("the %s gate does not object to measure %d", in.Gate, m.ID)
		}
		for _, ov := range m.Overrides {
			if ov.Gate == in.Gate && ov.Ending == ending && ov.By == u.ID {
				return conflict("you already overrode the %s gate for measure %d; another supervisor must", in.Gate, m.ID)
			}
		}
		m.Overrides = append(m.Overrides, takedown.Override{Gate: in.Gate, Ending: ending,
			Decision: takedown.Decision{Reasons: in.Reasons, By: u.ID, At: tx.Now()}})
		if err := tx.UpdateMeasure(m); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventMeasureOverridden, caseID: m.CaseID, measureID: m.ID,
			data: map[string]any{"gate": in.Gate, "ending": ending, "reasons": in.Reasons}})
	})
}

// Rollback returns a list to the content of its previous version, in one step, recorded: the
// measure whose coming into force made the latest version is withdrawn, or the one whose
// ending made it is put back in force, with the deliveries either sends. The result is a new
// version, so the ISPs' resolvers follow by IXFR as for any other. The gates do not hold a
// rollback: it returns to a version that passed them, and it is the way out of a bad one.
func (s *Service) Rollback(ctx context.Context, list takedown.MeasureKind, reasons string) (*takedown.ListVersion, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if !list.IsList() {
		return nil, takedown.Invalid("list", "must be blocking or dereferencing")
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	rule, err := s.rule(list)
	if err != nil {
		return nil, err
	}
	var made *takedown.ListVersion
	err = s.update(ctx, func(tx takedown.Tx) error {
		v, err := tx.LatestListVersion(list)
		if err != nil {
			return err
		}
		if v.MeasureID == 0 {
			return precondition("version %d of the %s list was made from the measures in force when the lists got versions; end the measures instead", v.Version, list)
		}
		m, err := tx.Measure(v.MeasureID)
		if err != nil {
			return err
		}
		why := fmt.Sprintf("Rollback of version %d of the %s list: %s", v.Version, list, reasons)
		switch {
		case !v.Ended && m.State == takedown.MeasureInForce:
			err = s.endMeasure(tx, u, m, takedown.MeasureWithdrawn, why, false)
		case v.Ended && (m.State == takedown.MeasureLifted || m.State == takedown.MeasureWithdrawn):
			err = s.restore(tx, u, m, rule, why)
		default:
			return conflict("version %d came from measure %d, which is %s now; end or propose measures instead", v.Version, m.ID, m.State)
		}
		if err != nil {
			return err
		}
		if made, err = tx.LatestListVersion(list); err != nil {
			return err
		}
		if made.Version != v.Version+1 || made.Added != v.Removed || made.Removed != v.Added {
			return conflict("undoing measure %d would not return the %s list to version %d; end or propose measures instead", m.ID, list, v.Version-1)
		}
		return record(tx, u, event{kind: takedown.EventListRolledBack, caseID: m.CaseID, measureID: m.ID,
			data: map[string]any{"list": list, "version": v.Version, "new_version": made.Version, "reasons": reasons}})
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}

// restore puts an ended list measure back in force: the restorations it sent are cancelled
// and it is published again.
func (s *Service) restore(tx takedown.Tx, u *takedown.User, m *takedown.Measure, rule *procedure.MeasureRule, reasons string) error {
	deliveries, err := allDeliveries(tx, m.ID)
	if err != nil {
		return err
	}
	cancelled := []int64{}
	for _, d := range deliveries {
		if d.Purpose == takedown.PurposeRestoration && d.State.Pending() {
			d.State = takedown.DeliveryCancelled
			if err := tx.UpdateDelivery(d); err != nil {
				return err
			}
			cancelled = append(cancelled, d.ID)
		}
	}
	m.Ending, m.EndedAt = nil, nil
	if err := record(tx, u, event{kind: takedown.EventMeasureRestored, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"reasons": reasons, "cancelled_deliveries": cancelled}}); err != nil {
		return err
	}
	return s.publish(tx, u, m, rule, false)
}
