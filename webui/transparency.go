package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/takedown-project/takedown"
)

// The transparency page: for the authority and the controller, a year's reports and the
// standard exports; for an operator, the statements of reasons of the removals it made at
// the authority's request, to submit to the DSA Transparency Database.

type transparencyPage struct {
	Year  int
	Years []int
	// Notices is true when the user may export the notices for researchers.
	Notices bool
}

func (c *Console) transparency(w http.ResponseWriter, r *http.Request, v *view) error {
	year, err := c.pageYear(r)
	if err != nil {
		return err
	}
	p := transparencyPage{Year: year, Years: c.recentYears(), Notices: v.User.Role != takedown.RoleOperator}
	v.Title = v.T("transparency.title")
	return c.render(w, v, http.StatusOK, "transparency", p)
}

// exportStatements downloads the year's statements of reasons, as the database takes them.
func (c *Console) exportStatements(w http.ResponseWriter, r *http.Request, v *view) error {
	from, before, year, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	list, err := c.svc.Statements(v.ctx(r), from, before)
	if err != nil {
		return err
	}
	return downloadJSON(w, fmt.Sprintf("statements-%d.json", year), map[string]any{"statements": list})
}

// exportNotices downloads the year's notices for researchers.
func (c *Console) exportNotices(w http.ResponseWriter, r *http.Request, v *view) error {
	from, before, year, err := c.yearPeriod(r)
	if err != nil {
		return err
	}
	list, err := c.svc.Notices(v.ctx(r), from, before)
	if err != nil {
		return err
	}
	return downloadJSON(w, fmt.Sprintf("notices-%d.json", year), map[string]any{"notices": list})
}

// pageYear reads the year a page asks for: this year, in the authority's zone, by default.
func (c *Console) pageYear(r *http.Request) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return c.cfg.Clock.Now().In(c.svc.Profile().Location()).Year(), nil
	}
	this := c.cfg.Clock.Now().In(c.svc.Profile().Location()).Year()
	year, err := strconv.Atoi(y)
	if err != nil || year < 2000 || year > this {
		return 0, takedown.Invalid("year", "%q is not a year from 2000 to %d", y, this)
	}
	return year, nil
}

// yearPeriod is the period of the year a page asks for, in the authority's zone.
func (c *Console) yearPeriod(r *http.Request) (from, before time.Time, year int, err error) {
	if year, err = c.pageYear(r); err != nil {
		return
	}
	loc := c.svc.Profile().Location()
	return time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc), year, nil
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
