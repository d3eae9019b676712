package webui

import (
	"net/http"

	"github.com/takedown-project/takedown"
)

// The reports: a trusted flagger follows its own (and reports through the same form as the
// public, with priority); the authority and the controller see them all.

type reportsPage struct {
	Reports []*takedown.Report
	Next    string
}

func (c *Console) reports(w http.ResponseWriter, r *http.Request, v *view) error {
	var p reportsPage
	var err error
	if p.Reports, p.Next, err = c.svc.Reports(v.ctx(r), takedown.ReportFilter{Page: takedown.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")}}); err != nil {
		return err
	}
	v.Title = v.T("reports.title")
	return c.render(w, v, http.StatusOK, "reports", p)
}
