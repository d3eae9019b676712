package takedown

import "time"

// Activity is what the console's dashboard draws: counts and durations only, never an
// address, a report or a name other than operators'.
type Activity struct {
	// ReportsPerDay counts the reports received each day, in the authority's zone, oldest
	// first, ending today.
	ReportsPerDay []DayCount `json:"reports_per_day"`
	// Measures counts measures by kind, then state.
	Measures map[MeasureKind]map[MeasureState]int `json:"measures"`
	// Deadlines counts each operator's deliveries with a deadline, by status.
	Deadlines []OperatorDeadlines `json:"deadlines"`
	// Removals is the number of removal requests and orders complied with; MedianToRemoval
	// the median time from the operator's receipt to its compliance.
	Removals        int           `json:"removals"`
	MedianToRemoval time.Duration `json:"median_to_removal"`
}

// DayCount is a count for one day.
type DayCount struct {
	Day   time.Time `json:"day"`
	Count int       `json:"count"`
}

// OperatorDeadlines are one operator's deliveries with a deadline, by status.
type OperatorDeadlines struct {
	OperatorID int64                  `json:"operator_id"`
	Operator   string                 `json:"operator"`
	Counts     map[DeadlineStatus]int `json:"counts"`
}

// Figures are the public figures of a year: aggregates only, with no address and no name,
// computed from the record like the annual report's (docs/transparency.md defines each).
type Figures struct {
	Year int `json:"year"`
	// Partial is true while the year is not over: the figures are those of the year so far.
	Partial bool `json:"partial"`
	// Counts are the year's counts by figure name, without the per-operator ones; a figure
	// absent is 0. A count from 1 to MinPublicCount-1 is published as -1, "fewer than
	// MinPublicCount", and so is, in a family of figures (the names before their last dot)
	// where only one count is withheld, the next smallest, so that none can be found by
	// subtraction.
	Counts map[string]int `json:"counts"`
	// Medians are the median durations (in nanoseconds, as every duration of the API) of
	// the figures measured MinPublicCount times or more.
	Medians map[string]time.Duration `json:"medians"`
}

// Count returns a published count: 0 when absent, -1 when withheld.
func (f *Figures) Count(name string) int { return f.Counts[name] }

// MinPublicCount is the smallest count published as it is.
const MinPublicCount = 5
