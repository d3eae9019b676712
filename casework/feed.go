package casework

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/takedown-project/takedown"
)

// Feed returns a list as of now, for an operator that does not pull the blocking zone: the
// whole list (since 0) or the changes after version since, up to the latest. The authority
// and the controller read either list; an operator only a list the procedure profile sends
// to its kind. An operator's fetch of a version is its receipt (ListReceived): the list
// deliveries that version carries are acknowledged, and the fetch is recorded in the log.
// A list with no version yet is an empty feed of version 0, which carries nothing to
// acknowledge.
func (s *Service) Feed(ctx context.Context, list takedown.MeasureKind, since int64) (*takedown.Feed, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	if !list.IsList() {
		return nil, takedown.Invalid("list", "must be blocking or dereferencing, not %q", list)
	}
	if since < 0 {
		return nil, takedown.Invalid("since", "must be 0 for the whole list, or the version you have, not %d", since)
	}
	rule, err := s.rule(list)
	if err != nil {
		return nil, err
	}
	f := &takedown.Feed{List: list, Since: since}
	err = s.view(ctx, func(tx takedown.Tx) error {
		if u.Role == takedown.RoleOperator {
			if _, err := recipient(tx, rule, list, u.OperatorID); err != nil {
				return err
			}
		}
		f.AsOf = tx.Now()
		v, err := optional(tx.LatestListVersion(list))
		if err != nil {
			return err
		}
		if v != nil {
			f.Version, f.Published = v.Version, v.Published
		}
		if since > f.Version {
			return takedown.Invalid("since", "the %s list's latest version is %d: since must be from 0 to %d, not %d", list, f.Version, f.Version, since)
		}
		if since > 0 {
			changes, err := tx.ListChanges(list, since, f.Version)
			f.Changes = append([]takedown.ListChange{}, changes...)
			return err
		}
		inForce, err := takedown.All(func(p takedown.Page) ([]*takedown.Measure, string, error) {
			return tx.Measures(takedown.MeasureFilter{Kind: list, State: takedown.MeasureInForce, Page: p})
		})
		if err != nil {
			return err
		}
		f.Entries = slices.SortedFunc(maps.Values(takedown.ListEntries(inForce)), func(a, b takedown.ListEntry) int {
			return cmp.Compare(a.Target, b.Target)
		})
		if f.Entries == nil {
			f.Entries = []takedown.ListEntry{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleOperator && f.Version > 0 {
		err := s.ListReceived(ctx, takedown.ListReceipt{OperatorID: u.OperatorID, List: list, Version: f.Version, Via: takedown.ViaFeed})
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}
