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
	form, done := c.claimForm(w, r)
	if done {
		return nil
	}
	v.Form = r.PostForm
	measure, err := strconv.ParseInt(r.PostFormValue("measure_id"), 10, 64)
	if err != nil {
		err = takedown.Invalid("measure_id", "choose a measure in force")
	} else {
		_, err = c.svc.Recommend(v.ctx(r), measure, r.PostFormValue("reasons"))
	}
	return c.recommendationDone(w, r, v, form, "recommend", err)
}

func (c *Console) answerRecommendation(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, done := c.claimForm(w, r)
	if done {
		return nil
	}
	v.Form = r.PostForm
	_, err = c.svc.AnswerRecommendation(v.ctx(r), id, takedown.RecommendationAnswer{Follow: r.PostFormValue("follow") == "yes",
		Reasons: r.PostFormValue("reasons")})
	return c.recommendationDone(w, r, v, form, "answer-"+strconv.FormatInt(id, 10), err)
}

// recommendationDone redirects after a recommendation's form, or shows its errors.
func (c *Console) recommendationDone(w http.ResponseWriter, r *http.Request, v *view, form, action string, err error) error {
	if err == nil {
		to := "/console/recommendations?done=recommendation"
		c.once.done(form, to)
		c.redirect(w, r, to)
		return nil
	}
	c.once.release(form)
	if !v.invalid(err) {
		return err
	}
	v.Errors["action"] = action
	return c.showRecommendations(w, r, v, takedown.HTTPStatus(takedown.ErrorCode(err)))
}
