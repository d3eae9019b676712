package webui

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/chart"
)

// The public figures: a year's counts, for anyone, with no address and no name; counts
// below takedown.MinPublicCount are published as "fewer than".

type figuresPage struct {
	Figures   *takedown.Figures
	Reports   template.HTML
	Measures  template.HTML
	Kinds     []takedown.MeasureKind
	Years     []int
	MinPublic int
}

// Count shows a published count: -1 is "fewer than".
func (p figuresPage) Count(v *view, n int) string {
	if n < 0 {
		return v.T("figures.fewer", p.MinPublic)
	}
	return strconv.Itoa(n)
}

func (c *Console) figures(w http.ResponseWriter, r *http.Request, v *view) error {
	year := 0 // this year
	if y := r.URL.Query().Get("year"); y != "" {
		var err error
		if year, err = strconv.Atoi(y); err != nil {
			return takedown.Invalid("year", "is not a year")
		}
	}
	f, err := c.svc.Figures(r.Context(), year)
	if err != nil {
		return err
	}
	p := figuresPage{Figures: f, Kinds: takedown.MeasureKinds, MinPublic: takedown.MinPublicCount}
	thisYear := c.cfg.Clock.Now().In(c.svc.Profile().Location()).Year()
	for y := thisYear; y >= thisYear-4; y-- {
		p.Years = append(p.Years, y)
	}
	withheld := func(n int) string {
		if n < 0 {
			return "< " + strconv.Itoa(takedown.MinPublicCount)
		}
		return ""
	}
	months := make([]chart.Bar, 12)
	for i, n := range f.ReportsPerMonth {
		months[i] = chart.Bar{Label: strconv.Itoa(i + 1), Segments: []chart.Segment{{Series: "reports", Label: v.T("case.reports"), Value: max(n, 0)}}, Note: withheld(n)}
	}
	p.Reports = chart.Columns(v.T("figures.reports", f.Year), months)
	var kinds []chart.Bar
	for _, k := range takedown.MeasureKinds {
		kinds = append(kinds, chart.Bar{Label: v.E("kind", k), Segments: []chart.Segment{{Series: "issued", Label: v.T("figures.issued.short"), Value: max(f.Issued[k], 0)}},
			Note: withheld(f.Issued[k])})
	}
	p.Measures = chart.Bars(v.T("figures.issued", f.Year), kinds)
	v.Title = v.T("figures.title")
	return c.render(w, v, http.StatusOK, "figures", p)
}
