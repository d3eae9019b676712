package webui

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
)

// The operator portal: the measures addressed to the operator, each with its official
// form and the answer forms of Annex II and III.

type deliveriesPage struct {
	Operator   *takedown.Operator
	Deliveries []*takedown.Delivery
	Next       string
}

func (c *Console) deliveries(w http.ResponseWriter, r *http.Request, v *view) error {
	ctx := v.ctx(r)
	f := takedown.DeliveryFilter{Page: takedown.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")}}
	var p deliveriesPage
	var err error
	if v.User.OperatorID != 0 {
		if p.Operator, err = c.svc.Operator(ctx, v.User.OperatorID); err != nil {
			return err
		}
	}
	if p.Deliveries, p.Next, err = c.svc.Deliveries(ctx, f); err != nil {
		return err
	}
	name := ""
	if p.Operator != nil {
		name = p.Operator.Name
	}
	v.Title = v.T("deliveries.title", name)
	return c.render(w, v, http.StatusOK, "deliveries", p)
}

type deliveryPage struct {
	Delivery *takedown.Delivery
	Measure  *takedown.Measure
	Reasons  []takedown.CannotComplyReason
}

func (c *Console) deliveryPage(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showDelivery(w, r, v, http.StatusOK)
}

func (c *Console) showDelivery(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, m, err := c.svc.Notice(v.ctx(r), id)
	if err != nil {
		return err
	}
	v.done(r)
	v.Title = v.T("delivery.title", d.ID, v.E("kind", d.Kind))
	return c.render(w, v, status, "delivery", deliveryPage{Delivery: d, Measure: m,
		Reasons: []takedown.CannotComplyReason{takedown.ReasonForceMajeure, takedown.ReasonManifestError, takedown.ReasonInsufficientInformation}})
}

// deliveryForm shows the official form, as the operator received it, in HTML or PDF.
func (c *Console) deliveryForm(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := c.svc.Form(v.ctx(r), id)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch r.URL.Query().Get("format") {
	case "", "html":
		if err := forms.HTML(&b, *n); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	case "pdf":
		if err := forms.PDF(&b, *n); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="`+n.Reference+`.pdf"`)
	default:
		return takedown.Invalid("format", "must be html or pdf")
	}
	_, err = w.Write(b.Bytes())
	return err
}

// answerDelivery records the operator's answer.
func (c *Console) answerDelivery(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return c.submit(w, r, v, func() (string, error) {
		in := takedown.AnswerInput{Kind: takedown.AnswerKind(r.PostFormValue("kind")), Reason: takedown.CannotComplyReason(r.PostFormValue("reason")), Text: r.PostFormValue("text")}
		if at := strings.TrimSpace(r.PostFormValue("acted_at")); at != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", at, c.svc.Profile().Location())
			if err != nil {
				return "", takedown.Invalid("acted_at", "must be a date and time, such as 2026-03-01T14:30")
			}
			in.ActedAt = &t
		}
		_, err := c.svc.Answer(v.ctx(r), id, in)
		return "/console/deliveries/" + strconv.FormatInt(id, 10) + "?done=answer", err
	}, func(status int) error {
		v.Errors["action"] = v.Form.Get("kind")
		return c.showDelivery(w, r, v, status)
	})
}

// clarifyDelivery is the authority's reply to an operator that cannot comply or disputes;
// a stopped deadline restarts. It is sent from the case page.
func (c *Console) clarifyDelivery(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	caseID := r.URL.Query().Get("case")
	return c.submit(w, r, v, func() (string, error) {
		_, err := c.svc.Clarify(v.ctx(r), id, r.PostFormValue("reasons"))
		return "/console/cases/" + caseID + "?done=clarify#h-measures", err
	}, func(status int) error {
		v.Errors["action"] = "clarify-" + strconv.FormatInt(id, 10)
		r.SetPathValue("id", caseID)
		return c.showCase(w, r, v, status)
	})
}
