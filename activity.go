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
