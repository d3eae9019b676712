package casework

import (
	"slices"

	"github.com/takedown-project/takedown"
)

// changeList publishes the version of m's list that m coming into force (inForce) or ending
// makes, if it changes the list: a target that another measure in force also lists stays
// listed. The version and what it changed are recorded in the log.
func changeList(tx takedown.Tx, u *takedown.User, m *takedown.Measure, inForce bool) error {
	all, err := takedown.All(func(p takedown.Page) ([]*takedown.Measure, string, error) {
		return tx.Measures(takedown.MeasureFilter{Kind: m.Kind, State: takedown.MeasureInForce, Page: p})
	})
	if err != nil {
		return err
	}
	others := slices.DeleteFunc(all, func(o *takedown.Measure) bool { return o.ID == m.ID })
	before, after := takedown.ListEntries(others), takedown.ListEntries(append(slices.Clone(others), m))
	if !inForce {
		before, after = after, before
	}
	changes := takedown.ListDiff(before, after, m.Targets)
	if len(changes) == 0 {
		return nil
	}
	v := &takedown.ListVersion{List: m.Kind, Published: tx.Now()}
	if err := tx.AppendListVersion(v, changes); err != nil {
		return err
	}
	var added, removed []string
	for _, c := range changes {
		if c.Added {
			added = append(added, c.Target)
		} else {
			removed = append(removed, c.Target)
		}
	}
	return record(tx, u, event{kind: takedown.EventListPublished, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"list": m.Kind, "version": v.Version, "added": added, "removed": removed}})
}
