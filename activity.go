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

// Figures are the public figures of a year: counts only, and none below MinPublicCount,
// which are published as "fewer than MinPublicCount" so that a count cannot point at a
// person or a site.
type Figures struct {
	Year int `json:"year"`
	// ReportsPerMonth counts the reports received each month of the year, January first.
	ReportsPerMonth []int `json:"reports_per_month"`
	// Issued counts the measures issued in the year, by kind.
	Issued map[MeasureKind]int `json:"issued"`
	// Complaints received and answered; recommendations made and followed.
	Complaints              int `json:"complaints"`
	ComplaintsAnswered      int `json:"complaints_answered"`
	Recommendations         int `json:"recommendations"`
	RecommendationsFollowed int `json:"recommendations_followed"`
}

// MinPublicCount is the smallest count published as it is.
const MinPublicCount = 5
