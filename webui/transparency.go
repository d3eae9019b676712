package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// The transparency page: for the authority and the controller, a year's reports and the
// standard exports; for an operator, the statements of reasons of the removals it made at
// the authority's request, to submit to the DSA Transparency Database.

type transparencyPage struct {
	Year  int
	Years []int
	// Reports is true when the user may read the reports: the authority and the controller.
	Reports bool
	// Notices is true when the user may export the notices for researchers.
	Notices bool
	// Kinds and Languages are the reports there are, and their languages.
	Kinds, Languages []string
}

func (c *Console) transparency(w http.ResponseWriter, r *http.Request, v *view) error {
	period, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	authority := v.User.Role != takedown.RoleOperator
	p := transparencyPage{Year: period.From.Year(), Years: c.recentYears(), Reports: authority, Notices: authority,
		Kinds: []string{transparency.Annual, transparency.Authority}, Languages: transparency.Languages}
	v.Title = v.T("transparency.title")
	return c.render(w, v, http.StatusOK, "transparency", p)
}

// report shows a year's report (report=annual or authority) in a language (lang=fr or en),
// as HTML or, with format=pdf, PDF: a document of its own, in which nothing runs or loads.
func (c *Console) report(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	if err := transparency.CheckFormat(q.Get("format")); err != nil {
		return err
	}
	p, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = v.Lang
	}
	rep, err := c.svc.TransparencyReport(v.ctx(r), q.Get("report"), p, lang)
	if err != nil {
		return err
	}
	body, contentType, name, err := rep.Document(q.Get("format"), p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s"`, name))
	if contentType != "application/pdf" {
		w.Header().Set("Content-Security-Policy", transparency.DocumentPolicy)
	}
	w.Write(body)
	return nil
}

// exportStatements downloads the year's statements of reasons, as the database takes them.
func (c *Console) exportStatements(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	list, err := c.svc.Statements(v.ctx(r), p)
	if err != nil {
		return err
	}
	return downloadJSON(w, fmt.Sprintf("statements-%d.json", p.From.Year()), map[string]any{"statements": list})
}

// exportNotices downloads the year's notices for researchers.
func (c *Console) exportNotices(w http.ResponseWriter, r *http.Request, v *view) error {
	p, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	list, err := c.svc.Notices(v.ctx(r), p)
	if err != nil {
		return err
	}
	return downloadJSON(w, fmt.Sprintf("notices-%d.json", p.From.Year()), map[string]any{"notices": list})
}

// pageYear reads the year a page asks for; 0, this year, when it asks for none.
func pageYear(r *http.Request) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return 0, nil
	}
	year, err := strconv.Atoi(y)
	if err != nil {
		return 0, takedown.Invalid("year", "%q is not a year", y)
	}
	return year, nil
}

// yearPeriod is the year a page asks for, in the authority's zone (this year by default).
func (c *Console) yearPeriod(r *http.Request) (transparency.Period, error) {
	year, err := pageYear(r)
	if err != nil {
		return transparency.Period{}, err
	}
	return c.svc.YearPeriod(r.Context(), year)
}

// recentYears are this year and the four before it, for a page's choice of year.
func (c *Console) recentYears() []int {
	this := c.cfg.Clock.Now().In(c.svc.Profile().Location()).Year()
	var out []int
	for y := this; y >= this-4; y-- {
		out = append(out, y)
	}
	return out
}

// downloadJSON writes v as a JSON file for the browser to save.
func downloadJSON(w http.ResponseWriter, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	download(w, name, "application/json", append(b, '\n'))
	return nil
}
