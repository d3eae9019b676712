package casework

import (
	"context"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// transparencyReaders are the roles that read the detailed figures and their traces: the
// authority, which publishes its TCO art. 8 report, and the controller, who writes the annual
// report.
var transparencyReaders = []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController}

// TransparencyConfig is what the figures need from the procedure profile: its zone, and each
// measure's deadline for the deliveries whose events carry none.
func (s *Service) TransparencyConfig() transparency.Config {
	cfg := transparency.Config{Location: s.profile.Location(), Deadlines: map[takedown.MeasureKind]time.Duration{}}
	for kind, rule := range s.profile.Measures {
		cfg.Deadlines[kind] = rule.Deadline.Duration
	}
	return cfg
}

// YearPeriod is a calendar year in the authority's zone (0: this year, at the store's time);
// a year that has not begun is invalid.
func (s *Service) YearPeriod(ctx context.Context, year int) (transparency.Period, error) {
	var p transparency.Period
	err := s.view(ctx, func(tx takedown.Tx) error {
		now := tx.Now().In(s.profile.Location())
		if year == 0 {
			year = now.Year()
		}
		if year < 2000 || year > now.Year() {
			return takedown.Invalid("year", "must be from 2000 to %d (this year): a later year has no figures yet", now.Year())
		}
		p = transparency.Year(year, s.profile.Location())
		return nil
	})
	return p, err
}

// Period is the period of the figures asked: a year (0: this year), or the days from one
// date to another (both included, YYYY-MM-DD in the authority's zone) when from is given.
func (s *Service) Period(ctx context.Context, year int, from, to string) (transparency.Period, error) {
	if from == "" && to == "" {
		return s.YearPeriod(ctx, year)
	}
	loc := s.profile.Location()
	start, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return transparency.Period{}, takedown.Invalid("from", "must be a date such as 2026-01-01, not %q", from)
	}
	end, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return transparency.Period{}, takedown.Invalid("to", "must be a date such as 2026-03-31, not %q", to)
	}
	if end.Before(start) {
		return transparency.Period{}, takedown.Invalid("to", "must not be before from (%s)", from)
	}
	return transparency.Period{From: start, Before: end.AddDate(0, 0, 1)}, nil
}

// Transparency computes the figures of a period from the event record, as of the store's
// time (Partial when the period is not over).
func (s *Service) Transparency(ctx context.Context, p transparency.Period) (*transparency.Figures, error) {
	if _, err := require(ctx, transparencyReaders...); err != nil {
		return nil, err
	}
	return s.transparency(ctx, p)
}

// transparency computes the figures without checking who asks: the public figures are
// built on it.
func (s *Service) transparency(ctx context.Context, p transparency.Period) (*transparency.Figures, error) {
	var f *transparency.Figures
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		f, err = transparency.Compute(tx.EachEvent, s.TransparencyConfig(), p, tx.Now())
		return err
	})
	return f, err
}

// TransparencyTrace returns the ids of the events a figure of the period counts, for an
// auditor to check against the audit log (each event's proof).
func (s *Service) TransparencyTrace(ctx context.Context, p transparency.Period, figure string) ([]int64, error) {
	if _, err := require(ctx, transparencyReaders...); err != nil {
		return nil, err
	}
	var ids []int64
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		ids, err = transparency.Trace(tx.EachEvent, s.TransparencyConfig(), p, tx.Now(), figure)
		return err
	})
	return ids, err
}

// TransparencyReport lays out a period's report — transparency.Annual, the controller's, or
// transparency.Authority, the TCO art. 8 one — in a language (fr by default), for the
// roles that read the figures.
func (s *Service) TransparencyReport(ctx context.Context, kind string, p transparency.Period, lang string) (*transparency.Report, error) {
	f, err := s.Transparency(ctx, p)
	if err != nil {
		return nil, err
	}
	return transparency.NewReport(kind, f, s.profile, lang)
}
