package casework

import (
	"slices"

	"github.com/takedown-project/takedown"
)

// listChanges returns the changes to m's list that m coming into force (inForce) or ending
// makes, and the list's size before: a target that another measure in force also lists stays
// listed.
func listChanges(tx takedown.Tx, m *takedown.Measure, inForce bool) ([]takedown.ListChange, int, error) {
	all, err := takedown.All(func(p takedown.Page) ([]*takedown.Measure, string, error) {
		return tx.Measures(takedown.MeasureFilter{Kind: m.Kind, State: takedown.MeasureInForce, Page: p})
	})
	if err != nil {
		return nil, 0, err
	}
	others := slices.DeleteFunc(all, func(o *takedown.Measure) bool { return o.ID == m.ID })
	before, after := takedown.ListEntries(others), takedown.ListEntries(append(slices.Clone(others), m))
	if !inForce {
		before, after = after, before
	}
	return takedown.ListDiff(before, after, m.Targets), len(before), nil
}

// publishVersion publishes the version of m's list that the changes make, if they change
// it, and records it in the log.
func publishVersion(tx takedown.Tx, u *takedown.User, m *takedown.Measure, inForce bool, changes []takedown.ListChange) error {
	if len(changes) == 0 {
		return nil
	}
	v := &takedown.ListVersion{List: m.Kind, Published: tx.Now(), MeasureID: m.ID, Ended: !inForce}
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
