package webui

import (
	"net/http"
	"strconv"

	"github.com/takedown-project/takedown"
)

// The complaint form, public, which the stop page links to: a publisher, a host or a user
// contests a measure or reports an error; and the authority's screens to answer it, which
// the controller reads too.

type complaintFormPage struct{ From []takedown.Complainant }

func (c *Console) complaintForm(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("complaint.title")
	if a := r.URL.Query().Get("address"); a != "" {
		v.Form.Set("address", a)
	}
	return c.render(w, v, http.StatusOK, "complaint", complaintFormPage{From: takedown.Complainants})
}

func (c *Console) submitComplaint(w http.ResponseWriter, r *http.Request, v *view) error {
	form, done, err := c.claimForm(w, r)
	if done || err != nil {
		return err
	}
	v.Form = r.PostForm
	err = c.limitPublic(w, r, v)
	var complaint *takedown.Complaint
	if err == nil {
		complaint, err = c.svc.SubmitComplaint(r.Context(), takedown.ComplaintInput{Address: r.PostFormValue("address"),
			From: takedown.Complainant(r.PostFormValue("from")), Text: r.PostFormValue("text"), Contact: r.PostFormValue("contact")})
	}
	if err == nil {
		c.finishForm(r, form, "/complaint")
		v.Title = v.T("complaint.received")
		return c.render(w, v, http.StatusCreated, "complaint-receipt", complaint)
	}
	c.releaseForm(r, form)
	if !v.invalid(err) {
		return err
	}
	v.Title = v.T("complaint.title")
	return c.render(w, v, takedown.HTTPStatus(takedown.ErrorCode(err)), "complaint", complaintFormPage{From: takedown.Complainants})
}

type complaintsPage struct {
	Complaints []*takedown.Complaint
	Next       string
}

func (c *Console) complaints(w http.ResponseWriter, r *http.Request, v *view) error {
	var p complaintsPage
	var err error
	f := takedown.ComplaintFilter{State: takedown.ComplaintState(r.URL.Query().Get("state")), Page: takedown.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")}}
	if p.Complaints, p.Next, err = c.svc.Complaints(v.ctx(r), f); err != nil {
		return err
	}
	v.Title = v.T("complaints.title")
	return c.render(w, v, http.StatusOK, "complaints", p)
}

func (c *Console) complaintPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showComplaint(w, r, v, http.StatusOK)
}

func (c *Console) showComplaint(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	complaint, err := c.svc.Complaint(v.ctx(r), id)
	if err != nil {
		return err
	}
	v.done(r)
	v.Title = v.T("complaint.number", complaint.ID)
	return c.render(w, v, status, "complaint-page", complaint)
}

func (c *Console) answerComplaint(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.submit(w, r, v, func() (string, error) {
		_, err := c.svc.AnswerComplaint(v.ctx(r), id, r.PostFormValue("reasons"))
		return "/console/complaints/" + strconv.FormatInt(id, 10) + "?done=complaint", err
	}, func(status int) error { return c.showComplaint(w, r, v, status) })
}
