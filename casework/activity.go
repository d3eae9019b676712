package casework

import (
	"context"
	"slices"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// Activity counts what the dashboard draws: reports per day over the last days (today
// included, in the authority's zone), measures by kind and state, each operator's deadlines
// by status, and the median time from receipt to removal.
func (s *Service) Activity(ctx context.Context, days int) (*takedown.Activity, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	if days < 1 || days > 366 {
		return nil, takedown.Invalid("days", "must be from 1 to 366")
	}
	a := &takedown.Activity{}
	err := s.view(ctx, func(tx takedown.Tx) error {
		loc := s.profile.Location()
		now := tx.Now().In(loc)
		first := time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, loc)
		for i := range days {
			a.ReportsPerDay = append(a.ReportsPerDay, takedown.DayCount{Day: first.AddDate(0, 0, i)})
		}
		times, err := tx.ReportTimes(first, first.AddDate(0, 0, days))
		if err != nil {
			return err
		}
		// Days are counted from the calendar, not in 24-hour steps, for the changes of hour.
		day := map[string]int{}
		for i, d := range a.ReportsPerDay {
			day[d.Day.Format(time.DateOnly)] = i
		}
		for _, t := range times {
			if i, ok := day[t.In(loc).Format(time.DateOnly)]; ok {
				a.ReportsPerDay[i].Count++
			}
		}
		if a.Measures, err = tx.CountMeasures(); err != nil {
			return err
		}
		if a.Deadlines, err = tx.CountDeadlinesByOperator(); err != nil {
			return err
		}
		removals, err := tx.RemovalTimes()
		if err != nil {
			return err
		}
		a.Removals = len(removals)
		if len(removals) > 0 {
			slices.Sort(removals)
			a.MedianToRemoval = removals[len(removals)/2]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Figures are a year's public figures (0: this year, in the authority's zone): anyone may
// read them. They are computed from the event record by package transparency, so they have
// one definition with the annual report's; small counts are withheld (transparency.Public).
func (s *Service) Figures(ctx context.Context, year int) (*takedown.Figures, error) {
	p, err := s.YearPeriod(ctx, year)
	if err != nil {
		return nil, err
	}
	t, err := s.transparency(ctx, p)
	if err != nil {
		return nil, err
	}
	return transparency.Public(t, p.From.Year()), nil
}
