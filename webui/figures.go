package webui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/chart"
)

// The public figures: a year's aggregates, for anyone, with no address and no name; counts
// below takedown.MinPublicCount are published as "fewer than", as transparency.Public says.

type figuresPage struct {
	Figures   *takedown.Figures
	Years     []int
	MinPublic int
	// Download links the year's figures as CSV and JSON.
	Download template.HTML
	// Charts are the page's sections, in order, each a chart and its table.
	Charts []figuresChart
	// Times are the median durations published.
	Times []figuresTime
}

// figuresChart is one section of the page: a chart, and the same figures as a table.
type figuresChart struct {
	ID, Title string
	Chart     template.HTML
	Series    []string
	Rows      []figuresRow
}

// figureSeries is a series of a chart: its colour (a CSS class of the charts) and label.
type figureSeries struct{ class, label string }

// figuresRow is a row of a section's table: a label and a published count per series.
type figuresRow struct {
	Label  string
	Counts []string
}

// figuresTime is a median duration published, by figure and measure kind.
type figuresTime struct {
	Label, Median string
}

// Count shows a published count: -1 is "fewer than".
func (p figuresPage) Count(v *view, n int) string {
	if n < 0 {
		return v.T("figures.fewer", p.MinPublic)
	}
	return strconv.Itoa(n)
}

// yearFigures reads the figures of the year the page asks for (this year by default).
func (c *Console) yearFigures(r *http.Request) (*takedown.Figures, error) {
	year, err := pageYear(r)
	if err != nil {
		return nil, err
	}
	return c.svc.Figures(r.Context(), year)
}

// figuresJSON downloads a year's public figures as JSON, as the API gives them.
func (c *Console) figuresJSON(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := c.yearFigures(r)
	if err != nil {
		return err
	}
	return downloadJSON(w, fmt.Sprintf("figures-%d.json", f.Year), f)
}

// figuresCSV downloads a year's public figures as CSV, a figure a line: its name (the JSON
// field, with its breakdown after dots: issued.blocking, reports_per_month.3), its value,
// and a note for the counts withheld, whose value is -1 as in the JSON.
func (c *Console) figuresCSV(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := c.yearFigures(r)
	if err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return err
	}
	var buf bytes.Buffer
	out := csv.NewWriter(&buf)
	out.Write([]string{"figure", "value", "note"})
	flatten("", tree, func(name string, value any) {
		note := ""
		if n, ok := value.(float64); ok && n < 0 {
			note = fmt.Sprintf("fewer than %d, withheld", takedown.MinPublicCount)
		}
		out.Write([]string{name, fmt.Sprint(value), note})
	})
	out.Flush()
	if err := out.Error(); err != nil {
		return err
	}
	download(w, fmt.Sprintf("figures-%d.csv", f.Year), "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

// flatten calls fn for every scalar of a decoded JSON value, named by its path: object keys
// in order, array elements from 1 (months, January first).
func flatten(name string, v any, fn func(string, any)) {
	join := func(k string) string {
		if name == "" {
			return k
		}
		return name + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			flatten(join(k), v[k], fn)
		}
	case []any:
		for i, e := range v {
			flatten(join(strconv.Itoa(i+1)), e, fn)
		}
	default:
		fn(name, v)
	}
}

// download writes a file for the browser to save.
func download(w http.ResponseWriter, name, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Write(body)
}

func (c *Console) figures(w http.ResponseWriter, r *http.Request, v *view) error {
	f, err := c.yearFigures(r)
	if err != nil {
		return err
	}
	p := figuresPage{Figures: f, Years: c.recentYears(), MinPublic: takedown.MinPublicCount}
	link := func(ext string) string {
		return fmt.Sprintf(`<a href="/figures.%s?year=%d" download>%s</a>`, ext, f.Year, strings.ToUpper(ext))
	}
	p.Download = template.HTML(v.T("figures.download", link("csv"), link("json")))
	shown := func(n int) string { return p.Count(v, n) }
	// section draws a chart of rows, each with one count per series (names are figure
	// names), stacked, and the same as a table; a series is a colour (its CSS class) and a
	// label.
	section := func(id, title string, series []figureSeries, labels []string, names [][]string) {
		sc := figuresChart{ID: id, Title: title}
		var bars []chart.Bar
		for i, label := range labels {
			row := figuresRow{Label: label}
			bar := chart.Bar{Label: label}
			withheld := false
			for j, name := range names[i] {
				n := f.Count(name)
				row.Counts = append(row.Counts, shown(n))
				withheld = withheld || n < 0
				bar.Segments = append(bar.Segments, chart.Segment{Series: series[j].class, Label: series[j].label, Value: max(n, 0)})
			}
			if withheld {
				bar.Note = "< " + strconv.Itoa(takedown.MinPublicCount)
			}
			sc.Rows, bars = append(sc.Rows, row), append(bars, bar)
		}
		for _, se := range series {
			sc.Series = append(sc.Series, se.label)
		}
		if id == "reports" {
			sc.Chart = chart.Columns(title, bars)
		} else {
			sc.Chart = chart.Bars(title, bars)
		}
		p.Charts = append(p.Charts, sc)
	}
	one := func(name string) []string { return []string{name} }

	var months []string
	var monthNames [][]string
	for m := range 12 {
		months = append(months, strconv.Itoa(m+1))
		monthNames = append(monthNames, one(fmt.Sprintf("reports.month.%04d-%02d", f.Year, m+1)))
	}
	reports := []figureSeries{{"reports", v.T("case.reports")}}
	section("reports", v.T("figures.reports", f.Year), reports, months, monthNames)

	var channels []string
	var channelNames [][]string
	for _, ch := range takedown.Channels {
		channels, channelNames = append(channels, v.E("channel", ch)), append(channelNames, one("reports.channel."+string(ch)))
	}
	section("channels", v.T("figures.channels"), reports, channels, channelNames)

	var offences []string
	var offenceNames [][]string
	for _, code := range c.svc.Profile().OffenceCodes() {
		offences, offenceNames = append(offences, v.OffenceTitle(code)), append(offenceNames, one("reports.offence."+code))
	}
	offences, offenceNames = append(offences, v.T("figures.unqualified")), append(offenceNames, one("reports.offence.unqualified"))
	section("offences", v.T("figures.offences"), reports, offences, offenceNames)

	outcomes := []string{"complied", "declined", "lifted", "withdrawn", "active"}
	var outcomeSeries []figureSeries
	for _, o := range outcomes {
		class := o
		if o == "active" {
			class = string(takedown.MeasureInForce)
		}
		outcomeSeries = append(outcomeSeries, figureSeries{class, v.E("outcome", o)})
	}
	var kinds []string
	var outcomeNames, deadlineNames, listNames [][]string
	var lists []string
	for _, k := range takedown.MeasureKinds {
		kinds = append(kinds, v.E("kind", k))
		var names []string
		for _, o := range outcomes {
			names = append(names, "measures.outcome."+string(k)+"."+o)
		}
		outcomeNames = append(outcomeNames, names)
		deadlineNames = append(deadlineNames, []string{"deadlines.met." + string(k), "deadlines.missed." + string(k)})
		if k.IsList() {
			lists = append(lists, v.E("kind", k))
			listNames = append(listNames, []string{"lists.added." + string(k), "lists.rechecked." + string(k), "lists.lifted." + string(k)})
		}
	}
	section("measures", v.T("figures.issued", f.Year), outcomeSeries, kinds, outcomeNames)
	section("deadlines", v.T("figures.deadlines"), []figureSeries{{"met", v.E("deadline", "met")}, {"missed", v.T("figures.late")}}, kinds, deadlineNames)
	section("lists", v.T("figures.lists"), []figureSeries{{"issued", v.T("figures.added")}, {"running", v.T("figures.rechecked")},
		{"lifted", v.E("measure", "lifted")}}, lists, listNames)
	section("oversight", v.T("figures.followups"), []figureSeries{{"reports", v.T("figures.received")}, {"complied", v.T("figures.answered.short")}},
		[]string{v.T("figures.complaints"), v.T("figures.recommendations")},
		[][]string{{"complaints.received", "complaints.answered"}, {"recommendations.made", "recommendations.followed"}})

	for _, name := range slices.Sorted(maps.Keys(f.Medians)) {
		what, kind, _ := strings.Cut(strings.TrimPrefix(name, "time."), ".")
		label := v.E("time", what)
		if kind != "" {
			label += " — " + v.E("kind", kind)
		}
		p.Times = append(p.Times, figuresTime{Label: label, Median: v.duration(f.Medians[name])})
	}
	v.Title = v.T("figures.title")
	return c.render(w, v, http.StatusOK, "figures", p)
}
