package webui

import (
	"html/template"
	"net/http"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/chart"
)

// The dashboard: reports per day, measures by kind and state, deadline compliance per
// operator, what is overdue now and the median time to removal, as charts drawn here.

type dashboardPage struct {
	Activity                      *takedown.Activity
	Reports, Measures, Compliance template.HTML
	Overdue                       int
	Median                        string
	Late                          []*takedown.Delivery // the deliveries overdue now, oldest deadline first
	Operators                     map[int64]string
}

// measureSeries are the measure states in the order their segments are drawn.
var measureSeries = []takedown.MeasureState{takedown.MeasureScheduled, takedown.MeasureProposed, takedown.MeasureIssued,
	takedown.MeasureInForce, takedown.MeasureComplied, takedown.MeasureDeclined, takedown.MeasureRefused,
	takedown.MeasureLifted, takedown.MeasureWithdrawn}

// deadlineSeries are the deadline statuses drawn per operator.
var deadlineSeries = []takedown.DeadlineStatus{takedown.DeadlineMet, takedown.DeadlineMissed, takedown.DeadlineOverdue,
	takedown.DeadlineRunning, takedown.DeadlinePaused, takedown.DeadlineAwaitingReceipt}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, v *view) error {
	a, err := c.svc.Activity(v.ctx(r), 14)
	if err != nil {
		return err
	}
	p := dashboardPage{Activity: a, Operators: map[int64]string{}}
	if p.Late, _, err = c.svc.Deliveries(v.ctx(r), takedown.DeliveryFilter{Deadline: takedown.DeadlineOverdue, Page: takedown.Page{Limit: 50}}); err != nil {
		return err
	}
	var days []chart.Bar
	for _, d := range a.ReportsPerDay {
		days = append(days, chart.Bar{Label: d.Day.Format("02/01"), Segments: []chart.Segment{{Series: "reports", Label: v.T("case.reports"), Value: d.Count}}})
	}
	p.Reports = chart.Columns(v.T("dash.reports"), days)
	var kinds []chart.Bar
	for _, kind := range takedown.MeasureKinds {
		row := chart.Bar{Label: v.E("kind", kind)}
		for _, st := range measureSeries {
			if n := a.Measures[kind][st]; n > 0 {
				row.Segments = append(row.Segments, chart.Segment{Series: string(st), Label: v.E("measure", st), Value: n})
			}
		}
		kinds = append(kinds, row)
	}
	p.Measures = chart.Bars(v.T("dash.measures"), kinds)
	var operators []chart.Bar
	for _, o := range a.Deadlines {
		p.Operators[o.OperatorID] = o.Operator
		row := chart.Bar{Label: o.Operator}
		for _, st := range deadlineSeries {
			if n := o.Counts[st]; n > 0 {
				row.Segments = append(row.Segments, chart.Segment{Series: string(st), Label: v.E("deadline", st), Value: n})
			}
		}
		p.Overdue += o.Counts[takedown.DeadlineOverdue]
		operators = append(operators, row)
	}
	if len(operators) > 0 {
		p.Compliance = chart.Bars(v.T("dash.compliance"), operators)
	}
	if a.Removals > 0 {
		p.Median = v.duration(a.MedianToRemoval)
	}
	v.Title = v.T("dash.title")
	return c.render(w, v, http.StatusOK, "dashboard", p)
}
