package webui

import (
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
)

// The controller's recommendations: the controller recommends ending a measure, a
// supervisor follows or declines it, with reasons.

type recommendationsPage struct {
	Recommendations []*takedown.Recommendation
	InForce         []*takedown.Measure // what the controller may recommend ending
}

func (c *Console) recommendations(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showRecommendations(w, r, v, http.StatusOK)
}

func (c *Console) showRecommendations(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	ctx := v.ctx(r)
	var p recommendationsPage
	var err error
	if p.Recommendations, _, err = c.svc.Recommendations(ctx, takedown.RecommendationFilter{Page: takedown.Page{Limit: 200}}); err != nil {
		return err
	}
	if v.User.Role == takedown.RoleController {
		if p.InForce, _, err = c.svc.Measures(ctx, takedown.MeasureFilter{Active: true, Page: takedown.Page{Limit: 500}}); err != nil {
			return err
		}
	}
	v.done(r)
	v.Title = v.T("recs.title")
	return c.render(w, v, status, "recommendations", p)
}

func (c *Console) recommend(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.submit(w, r, v, func() (string, error) {
		measure, err := strconv.ParseInt(r.PostFormValue("measure_id"), 10, 64)
		if err != nil {
			return "", takedown.Invalid("measure_id", "choose a measure in force")
		}
		_, err = c.svc.Recommend(v.ctx(r), measure, r.PostFormValue("reasons"))
		return "/console/recommendations?done=recommendation", err
	}, c.againRecommendations(w, r, v, "recommend"))
}

func (c *Console) answerRecommendation(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.submit(w, r, v, func() (string, error) {
		_, err := c.svc.AnswerRecommendation(v.ctx(r), id, takedown.RecommendationAnswer{Follow: r.PostFormValue("follow") == "yes",
			Reasons: r.PostFormValue("reasons")})
		return "/console/recommendations?done=recommendation", err
	}, c.againRecommendations(w, r, v, "answer-"+strconv.FormatInt(id, 10)))
}

// court records the referral of a declined recommendation to the court, or the court's
// decision (the controller).
func (c *Console) court(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	step := r.PathValue("step")
	return c.submit(w, r, v, func() (string, error) {
		var err error
		switch step {
		case "court":
			_, err = c.svc.ReferToCourt(v.ctx(r), id, takedown.CourtReferralInput{Court: r.PostFormValue("court"), Reference: r.PostFormValue("reference")})
		case "outcome":
			_, err = c.svc.RecordCourtOutcome(v.ctx(r), id, takedown.CourtOutcomeInput{Outcome: takedown.CourtOutcome(r.PostFormValue("outcome")),
				Summary: r.PostFormValue("summary")})
		default:
			err = takedown.Errorf(takedown.ENOTFOUND, "there is no %s", r.URL.Path)
		}
		return "/console/recommendations?done=recommendation", err
	}, c.againRecommendations(w, r, v, step+"-"+strconv.FormatInt(id, 10)))
}

// againRecommendations shows the recommendations again, the error beside the form of action.
func (c *Console) againRecommendations(w http.ResponseWriter, r *http.Request, v *view, action string) func(int) error {
	return func(status int) error {
		v.Errors["action"] = action
		return c.showRecommendations(w, r, v, status)
	}
}
