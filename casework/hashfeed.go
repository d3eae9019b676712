package casework

import (
	"context"
	"slices"
	"strings"

	"github.com/takedown-project/takedown"
)

// Limits on a platform's pull of the hash feed.
const (
	DefaultHashFeedLimit = 10000
	MaxHashFeedLimit     = 100000
)

// platform returns the signed-in platform operator's user.
func platform(ctx context.Context, tx takedown.Tx) (*takedown.User, error) {
	u, err := require(ctx, takedown.RoleOperator)
	if err != nil {
		return nil, err
	}
	o, err := tx.Operator(u.OperatorID)
	if err != nil {
		return nil, err
	}
	if o.Kind != takedown.KindPlatform {
		return nil, forbidden("%s is a %s: the hash banks are shared with platforms only", o.Name, o.Kind)
	}
	return u, nil
}

// entitled returns the banks shared with an operator.
func entitled(tx takedown.Tx, operatorID int64) ([]*takedown.Bank, error) {
	banks, err := takedown.All(func(p takedown.Page) ([]*takedown.Bank, string, error) { return tx.Banks(takedown.BankFilter{Page: p}) })
	return slices.DeleteFunc(banks, func(b *takedown.Bank) bool { return !slices.Contains(b.Platforms, operatorID) }), err
}

// HashFeed returns what a platform pulls to run the banks in its own matcher: the banks it
// is entitled to and, since 0, their active entries; since a cursor, every entry changed
// after it, whatever its state, so that it drops the disabled and tombstoned ones. At most
// limit entries (0: DefaultHashFeedLimit); the platform calls again with since=cursor until
// the cursor stops moving.
func (s *Service) HashFeed(ctx context.Context, since int64, limit int) (*takedown.HashFeed, error) {
	switch {
	case since < 0:
		return nil, takedown.Invalid("since", "must be 0 for every entry, or the cursor of your last pull, not %d", since)
	case limit < 0 || limit > MaxHashFeedLimit:
		return nil, takedown.Invalid("limit", "must be from 1 to %d", MaxHashFeedLimit)
	case limit == 0:
		limit = DefaultHashFeedLimit
	}
	f := &takedown.HashFeed{Since: since, Cursor: since, Banks: []takedown.HashFeedBank{}, Entries: []takedown.HashFeedEntry{}}
	err := s.view(ctx, func(tx takedown.Tx) error {
		u, err := platform(ctx, tx)
		if err != nil {
			return err
		}
		f.AsOf = tx.Now()
		banks, err := entitled(tx, u.OperatorID)
		if err != nil || len(banks) == 0 {
			return err
		}
		ids := make([]int64, len(banks))
		for i, b := range banks {
			ids[i] = b.ID
			f.Banks = append(f.Banks, takedown.HashFeedBank{ID: b.ID, Name: b.Name, Offence: b.Offence, Negative: b.Negative,
				Radius: b.Radius, MinQuality: b.MinQuality})
		}
		filter := takedown.EntryFilter{BySeq: true, AfterSeq: since, Banks: ids, Page: takedown.Page{Limit: limit}}
		if since == 0 {
			filter.State = takedown.EntryActive
		}
		entries, _, err := tx.Entries(filter)
		for _, e := range entries {
			f.Entries = append(f.Entries, takedown.HashFeedEntry{ID: e.ID, BankID: e.BankID, Type: e.Type, Value: e.Value,
				Labels: e.Labels, State: e.State, Seq: e.Seq})
			f.Cursor = e.Seq
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// SubmitFeedback records what a platform reports on entries of the banks it is entitled
// to: matches its matcher found, and its review of the labels (confirm or disagree). The
// authority sees the counts on each entry and reviews the disagreements.
func (s *Service) SubmitFeedback(ctx context.Context, in []takedown.FeedbackInput) ([]*takedown.Feedback, error) {
	if _, err := require(ctx, takedown.RoleOperator); err != nil {
		return nil, err
	}
	switch {
	case len(in) == 0:
		return nil, takedown.Invalid("feedback", "is empty")
	case len(in) > takedown.MaxFeedbackSize:
		return nil, takedown.Invalid("feedback", "has more than %d items; send them in several requests", takedown.MaxFeedbackSize)
	}
	out := make([]*takedown.Feedback, len(in))
	for i, fb := range in {
		field := takedown.IndexField("feedback", i)
		fb.Note = strings.TrimSpace(fb.Note)
		switch {
		case fb.EntryID <= 0:
			return nil, takedown.Invalid(field+".entry_id", "is required: the id of the entry in the feed")
		case !slices.Contains(takedown.FeedbackKinds, fb.Kind):
			return nil, takedown.Invalid(field+".kind", "must be one of %s", strings.Join(takedown.Names(takedown.FeedbackKinds), ", "))
		case fb.Count < 0 || fb.Count > 1_000_000_000:
			return nil, takedown.Invalid(field+".count", "must be from 1 to 1000000000")
		case fb.Count > 1 && fb.Kind != takedown.FeedbackMatch:
			return nil, takedown.Invalid(field+".count", "counts matches only; a review is one item")
		case len(fb.Note) > takedown.MaxDescriptionLength:
			return nil, takedown.Invalid(field+".note", "is longer than %d bytes", takedown.MaxDescriptionLength)
		case len(fb.Labels) > 0 && fb.Kind != takedown.FeedbackDisagree:
			return nil, takedown.Invalid(field+".labels", "are the labels you find right, given with kind disagree only")
		}
		if err := takedown.CheckText(field+".note", fb.Note, true); err != nil {
			return nil, err
		}
		labels, err := takedown.CleanLabels(field+".labels", fb.Labels)
		if err != nil {
			return nil, err
		}
		out[i] = &takedown.Feedback{EntryID: fb.EntryID, Kind: fb.Kind, Count: max(fb.Count, 1), Labels: labels, Note: fb.Note}
	}
	err := s.update(ctx, func(tx takedown.Tx) error {
		u, err := platform(ctx, tx)
		if err != nil {
			return err
		}
		banks, err := entitled(tx, u.OperatorID)
		if err != nil {
			return err
		}
		counts := map[takedown.FeedbackKind]int{}
		for i, fb := range out {
			e, err := tx.Entry(fb.EntryID)
			if takedown.ErrorCode(err) == takedown.ENOTFOUND ||
				err == nil && !slices.ContainsFunc(banks, func(b *takedown.Bank) bool { return b.ID == e.BankID }) {
				return takedown.Invalid(takedown.IndexField("feedback", i)+".entry_id", "entry %d is in none of the banks shared with you", fb.EntryID)
			}
			if err != nil {
				return err
			}
			fb.OperatorID, fb.At = u.OperatorID, tx.Now()
			if err := tx.CreateFeedback(fb); err != nil {
				return err
			}
			counts[fb.Kind] += fb.Count
		}
		return record(tx, u, event{kind: takedown.EventHashFeedback, operator: u.OperatorID, data: map[string]any{
			"items": len(out), "first_id": out[0].ID, "last_id": out[len(out)-1].ID, "matches": counts[takedown.FeedbackMatch],
			"confirms": counts[takedown.FeedbackConfirm], "disagrees": counts[takedown.FeedbackDisagree]}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Feedback lists the platforms' feedback; a platform lists its own.
func (s *Service) Feedback(ctx context.Context, f takedown.FeedbackFilter) ([]*takedown.Feedback, string, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, "", err
	}
	if err := f.Page.Normalize(); err != nil {
		return nil, "", err
	}
	if f.Kind != "" && !slices.Contains(takedown.FeedbackKinds, f.Kind) {
		return nil, "", takedown.Invalid("kind", "must be one of %s", strings.Join(takedown.Names(takedown.FeedbackKinds), ", "))
	}
	if u.Role == takedown.RoleOperator {
		f.OperatorID = u.OperatorID
	}
	var list []*takedown.Feedback
	var next string
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Feedback(f)
		return err
	})
	return list, next, err
}
