package webui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	// Download links the year's figures as CSV and JSON.
	Download template.HTML
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
	year, err := c.pageYear(r)
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
	p := figuresPage{Figures: f, Kinds: takedown.MeasureKinds, MinPublic: takedown.MinPublicCount}
	link := func(ext string) string {
		return fmt.Sprintf(`<a href="/figures.%s?year=%d" download>%s</a>`, ext, f.Year, strings.ToUpper(ext))
	}
	p.Download = template.HTML(v.T("figures.download", link("csv"), link("json")))
	p.Years = c.recentYears()
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
