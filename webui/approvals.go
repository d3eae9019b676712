package webui

import (
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
)

// The supervisor's approvals: qualifications waiting for a second pair of eyes, and the
// proposed lists; and the controller's recommendations waiting for an answer.

type approvalsPage struct {
	Cases           []*takedown.Case
	Measures        []*takedown.Measure
	Recommendations []*takedown.Recommendation
	Questions       []*takedown.ReviewItem // the reviewers' questions not yet answered
}

func (c *Console) approvals(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showApprovals(w, r, v, http.StatusOK)
}

func (c *Console) showApprovals(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	ctx := v.ctx(r)
	var p approvalsPage
	var err error
	if p.Cases, _, err = c.svc.Cases(ctx, takedown.CaseFilter{State: takedown.CaseAwaitingApproval, Page: takedown.Page{Limit: 200}}); err != nil {
		return err
	}
	if p.Measures, _, err = c.svc.Measures(ctx, takedown.MeasureFilter{State: takedown.MeasureProposed, Page: takedown.Page{Limit: 200}}); err != nil {
		return err
	}
	if p.Recommendations, _, err = c.svc.Recommendations(ctx, takedown.RecommendationFilter{State: takedown.RecommendationOpen, Page: takedown.Page{Limit: 200}}); err != nil {
		return err
	}
	if p.Questions, err = c.svc.ReviewQuestions(ctx, 0); err != nil {
		return err
	}
	v.done(r)
	v.Title = v.T("approvals.title")
	return c.render(w, v, status, "approvals", p)
}

// measureAction acts on a measure: approve or refuse a proposed list, withdraw a measure,
// record a list's re-check (confirm or lift), override a safety gate. From a case page (the
// form sends its case), the browser goes back to the case; from the approvals, to them.
func (c *Console) measureAction(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	caseID := r.URL.Query().Get("case")
	return c.submit(w, r, v, func() (string, error) {
		ctx, reasons := v.ctx(r), r.PostFormValue("reasons")
		var err error
		switch action {
		case "approve":
			_, err = c.svc.ApproveMeasure(ctx, id)
		case "refuse":
			_, err = c.svc.RefuseMeasure(ctx, id, reasons)
		case "withdraw":
			_, err = c.svc.WithdrawMeasure(ctx, id, reasons)
		case "recheck":
			_, err = c.svc.Recheck(ctx, id, takedown.RecheckInput{Outcome: takedown.RecheckOutcome(r.PostFormValue("outcome")), Reasons: reasons})
		case "override":
			_, err = c.svc.Override(ctx, id, takedown.OverrideInput{Gate: takedown.Gate(r.PostFormValue("gate")), Reasons: reasons})
		default:
			err = takedown.Errorf(takedown.ENOTFOUND, "there is no %s", r.URL.Path)
		}
		if caseID != "" {
			return "/console/cases/" + caseID + "?done=measure-" + action + "#h-measures", err
		}
		return "/console/approvals?done=measure-" + action, err
	}, func(status int) error {
		v.Errors["action"] = "measure-" + strconv.FormatInt(id, 10) + "-" + action
		if caseID != "" {
			r.SetPathValue("id", caseID)
			return c.showCase(w, r, v, status)
		}
		return c.showApprovals(w, r, v, status)
	})
}
