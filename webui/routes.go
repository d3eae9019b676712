package webui

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"
)

// routes lists every page, one a line.
func (c *Console) routes() {
	public, signedIn := false, true
	c.page("GET /{$}", public, c.home)
	c.page("GET /report", public, c.reportForm)
	c.pageUpTo("POST /report", public, maxReportBody, c.submitReport)
	c.page("GET /complaint", public, c.complaintForm)
	c.page("POST /complaint", public, c.submitComplaint)
	c.page("GET /figures", public, c.figures)
	c.page("GET /figures.csv", public, c.figuresCSV)
	c.page("GET /figures.json", public, c.figuresJSON)
	c.page("GET /lang", public, c.switchLanguage)
	c.page("GET /signin", public, c.signinPage)
	c.page("POST /signin", public, c.signinPassword)
	c.page("GET /signin/{secret}", public, c.signinLink)
	c.page("POST /signin/{secret}", public, c.signin)
	c.page("POST /signin/demo", public, c.demoSignin)
	c.page("POST /signout", public, c.signout)

	c.page("GET /console/{$}", signedIn, c.consoleHome)
	c.page("GET /console/cases", signedIn, c.queue)
	c.page("GET /console/cases/{id}", signedIn, c.casePage)
	c.page("POST /console/cases/{id}/{action}", signedIn, c.caseAction)
	c.page("GET /console/evidence/{id}/preview", signedIn, c.evidencePreview)
	c.page("POST /console/evidence/{id}/open", signedIn, c.openEvidence)
	c.page("GET /console/approvals", signedIn, c.approvals)
	c.page("POST /console/measures/{id}/{action}", signedIn, c.measureAction)
	c.page("GET /console/deliveries", signedIn, c.deliveries)
	c.page("GET /console/deliveries/{id}", signedIn, c.deliveryPage)
	c.page("GET /console/deliveries/{id}/form", signedIn, c.deliveryForm)
	c.page("POST /console/deliveries/{id}/answer", signedIn, c.answerDelivery)
	c.page("POST /console/deliveries/{id}/clarify", signedIn, c.clarifyDelivery)
	c.page("GET /console/recommendations", signedIn, c.recommendations)
	c.page("POST /console/recommendations", signedIn, c.recommend)
	c.page("POST /console/recommendations/{id}/answer", signedIn, c.answerRecommendation)
	c.page("POST /console/recommendations/{id}/{step}", signedIn, c.court)
	c.page("GET /console/dashboard", signedIn, c.dashboard)
	c.page("GET /console/transparency", signedIn, c.transparency)
	c.page("GET /console/transparency/report", signedIn, c.report)
	c.page("GET /console/transparency/statements.json", signedIn, c.exportStatements)
	c.page("GET /console/transparency/notices.json", signedIn, c.exportNotices)
	c.page("GET /console/lists", signedIn, c.lists)
	c.page("POST /console/lists/{list}/rollback", signedIn, c.rollback)
	c.page("GET /console/reports", signedIn, c.reports)
	c.page("GET /console/reviews", signedIn, c.reviews)
	c.page("POST /console/reviews", signedIn, c.startReview)
	c.page("GET /console/reviews/{id}", signedIn, c.reviewPage)
	c.page("GET /console/reviews/{id}/next", signedIn, c.nextItem)
	c.page("POST /console/review-items/{id}", signedIn, c.review)
	c.page("POST /console/review-items/{id}/answer", signedIn, c.answerQuestion)
	c.page("GET /console/complaints", signedIn, c.complaints)
	c.page("GET /console/complaints/{id}", signedIn, c.complaintPage)
	c.page("POST /console/complaints/{id}/answer", signedIn, c.answerComplaint)
}

// parsePages parses each page with the layout.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", name))
	}
	return pages
}

// funcs are the templates' helpers that need no view.
var funcs = template.FuncMap{
	"stamp":     Stamp,
	"hasPrefix": strings.HasPrefix,
	// safeURL lets a data: URI the console made itself (an opened picture) into an img.
	"safeURL": func(s string) template.URL { return template.URL(s) },
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
}

// When shows a time in the authority's zone, to the minute.
func (v *view) When(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	layout := "02/01/2006 15:04"
	if v.Lang == "en" {
		layout = "2 Jan 2006 15:04"
	}
	return t.In(v.console.svc.Profile().Location()).Format(layout)
}

// Left says how long until a deadline, or how late it is.
func (v *view) Left(deadline *time.Time) string {
	if deadline == nil {
		return ""
	}
	d := deadline.Sub(v.console.cfg.Clock.Now())
	if d < 0 {
		return v.T("late", v.duration(-d))
	}
	return v.T("left", v.duration(d))
}

// Late reports whether a deadline has passed.
func (v *view) Late(deadline *time.Time) bool {
	return deadline != nil && deadline.Before(v.console.cfg.Clock.Now())
}

// duration writes a duration in days, hours or minutes.
func (v *view) duration(d time.Duration) string {
	days, hours, minutes := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days >= 2:
		return v.T("duration.days", days)
	case d >= time.Hour:
		return v.T("duration.hours", days*24+hours, minutes)
	default:
		return v.T("duration.minutes", minutes)
	}
}
