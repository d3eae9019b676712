package webui

import (
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
)

// The controller's review sessions: a batch of active measures dealt to one or two
// reviewers in turn, gone through one item at a time with approve, question or recommend.

type reviewsPage struct {
	Sessions  []*takedown.ReviewSession
	Kinds     []takedown.MeasureKind
	Reviewers []*takedown.User // the controller's other users, to share a session with
}

func (c *Console) reviews(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showReviews(w, r, v, http.StatusOK)
}

func (c *Console) showReviews(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	ctx := v.ctx(r)
	p := reviewsPage{Kinds: takedown.MeasureKinds}
	var err error
	if p.Sessions, _, err = c.svc.ReviewSessions(ctx, takedown.Page{Limit: 50}); err != nil {
		return err
	}
	users, err := takedown.All(func(pg takedown.Page) ([]*takedown.User, string, error) { return c.svc.Users(ctx, pg) })
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Role == takedown.RoleController && !u.Disabled && u.ID != v.User.ID {
			p.Reviewers = append(p.Reviewers, u)
		}
	}
	v.Title = v.T("reviews.title")
	return c.render(w, v, status, "reviews", p)
}

func (c *Console) startReview(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.submit(w, r, v, func() (string, error) {
		in := takedown.ReviewSessionInput{Kind: takedown.MeasureKind(r.PostFormValue("kind")), Reviewers: []int64{v.User.ID}}
		if second := r.PostFormValue("second"); second != "" {
			id, err := strconv.ParseInt(second, 10, 64)
			if err != nil {
				return "", takedown.Invalid("second", "is not a user")
			}
			in.Reviewers = append(in.Reviewers, id)
		}
		if n := r.PostFormValue("limit"); n != "" {
			var err error
			if in.Limit, err = strconv.Atoi(n); err != nil {
				return "", takedown.Invalid("limit", "is not a number")
			}
		}
		session, err := c.svc.StartReview(v.ctx(r), in)
		if err != nil {
			return "", err
		}
		return "/console/reviews/" + strconv.FormatInt(session.ID, 10) + "/next", nil
	}, func(status int) error { return c.showReviews(w, r, v, status) })
}

type reviewPage struct {
	Session *takedown.ReviewSession
	Items   []*takedown.ReviewItem
	Next    string
}

func (c *Console) reviewPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var p reviewPage
	if p.Session, p.Items, p.Next, err = c.svc.ReviewSession(v.ctx(r), id, takedown.Page{Limit: 200, Cursor: r.URL.Query().Get("cursor")}); err != nil {
		return err
	}
	v.Title = v.T("review.title", p.Session.ID)
	return c.render(w, v, http.StatusOK, "review", p)
}

type reviewItemPage struct {
	Session *takedown.ReviewSession
	Item    *takedown.ReviewItem // nil when none is left for the reviewer
	Measure *takedown.Measure
	Case    *takedown.Case
	Reports []*takedown.Report
}

// nextItem shows the reviewer's next item.
func (c *Console) nextItem(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showItem(w, r, v, http.StatusOK)
}

func (c *Console) showItem(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := v.ctx(r)
	var p reviewItemPage
	if p.Session, _, _, err = c.svc.ReviewSession(ctx, id, takedown.Page{Limit: 1}); err != nil {
		return err
	}
	p.Item, err = c.svc.NextReviewItem(ctx, id)
	switch {
	case takedown.ErrorCode(err) == takedown.ENOTFOUND:
		p.Item = nil
	case err != nil:
		return err
	default:
		if p.Measure, err = c.svc.Measure(ctx, p.Item.MeasureID); err != nil {
			return err
		}
		if p.Case, err = c.svc.Case(ctx, p.Item.CaseID); err != nil {
			return err
		}
		if p.Reports, _, err = c.svc.Reports(ctx, takedown.ReportFilter{CaseID: p.Item.CaseID, Page: takedown.Page{Limit: 20}}); err != nil {
			return err
		}
	}
	v.done(r)
	v.Title = v.T("review.title", p.Session.ID)
	return c.render(w, v, status, "review-item", p)
}

// review records a verdict and goes on to the next item.
func (c *Console) review(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.submit(w, r, v, func() (string, error) {
		it, err := c.svc.Review(v.ctx(r), id, takedown.ReviewVerdictInput{Verdict: takedown.ReviewVerdict(r.PostFormValue("verdict")),
			Note: r.PostFormValue("note")})
		if err != nil {
			return "", err
		}
		return "/console/reviews/" + strconv.FormatInt(it.SessionID, 10) + "/next?done=review", nil
	}, func(status int) error {
		session, err := strconv.ParseInt(r.PostFormValue("session"), 10, 64)
		if err != nil {
			return takedown.Invalid("session", "is not a review session")
		}
		r.SetPathValue("id", strconv.FormatInt(session, 10))
		return c.showItem(w, r, v, status)
	})
}

// answerQuestion records the authority's answer to a reviewer's question.
func (c *Console) answerQuestion(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.submit(w, r, v, func() (string, error) {
		it, err := c.svc.AnswerQuestion(v.ctx(r), id, r.PostFormValue("reasons"))
		if err != nil {
			return "", err
		}
		return "/console/cases/" + strconv.FormatInt(it.CaseID, 10) + "?done=question#h-questions", nil
	}, func(status int) error {
		v.Errors["action"] = "question-" + strconv.FormatInt(id, 10)
		r.SetPathValue("id", r.URL.Query().Get("case")) // the page the form was on
		return c.showCase(w, r, v, status)
	})
}
