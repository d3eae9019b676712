package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// The officer's queue and the case page, with the actions of the procedure: accept,
// dismiss, qualify, approve or return, take a measure.

// consoleHome sends each role to its first screen.
func (c *Console) consoleHome(w http.ResponseWriter, r *http.Request, v *view) error {
	switch v.User.Role {
	case takedown.RoleOperator:
		c.redirect(w, r, "/console/deliveries")
	case takedown.RoleController:
		c.redirect(w, r, "/console/dashboard")
	case takedown.RoleOfficer, takedown.RoleSupervisor:
		c.redirect(w, r, "/console/cases")
	case takedown.RoleFlagger:
		c.redirect(w, r, "/console/reports")
	default:
		return takedown.Errorf(takedown.EFORBIDDEN, "the %s role has no screen in the console yet; use the API or the CLI", v.User.Role)
	}
	return nil
}

type queuePage struct {
	Rows    []queueRow
	States  []takedown.CaseState
	State   string
	Overdue bool
	URL     string
	Next    string // the query string of the next page
}

type queueRow struct {
	*takedown.Case
	Deadline *time.Time // the nearest running deadline of its deliveries
}

func (c *Console) queue(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	f := takedown.CaseFilter{State: takedown.CaseState(q.Get("state")), Overdue: q.Get("overdue") == "yes", URL: strings.TrimSpace(q.Get("url")),
		Page: takedown.Page{Limit: 50, Cursor: q.Get("cursor")}}
	cases, next, err := c.svc.Cases(v.ctx(r), f)
	if err != nil {
		return err
	}
	p := queuePage{States: takedown.CaseStates,
		State: string(f.State), Overdue: f.Overdue, URL: f.URL}
	for _, cs := range cases {
		row := queueRow{Case: cs}
		if cs.State == takedown.CaseApproved {
			if row.Deadline, err = c.nearestDeadline(v, r, cs.ID); err != nil {
				return err
			}
		}
		p.Rows = append(p.Rows, row)
	}
	if next != "" {
		q.Set("cursor", next)
		p.Next = q.Encode()
	}
	v.Title = v.T("queue.title")
	return c.render(w, v, http.StatusOK, "queue", p)
}

// nearestDeadline is the earliest deadline still running among a case's deliveries.
func (c *Console) nearestDeadline(v *view, r *http.Request, caseID int64) (*time.Time, error) {
	ds, _, err := c.svc.Deliveries(v.ctx(r), takedown.DeliveryFilter{CaseID: caseID, Pending: true, Page: takedown.Page{Limit: 100}})
	if err != nil {
		return nil, err
	}
	var nearest *time.Time
	for _, d := range ds {
		if d.DeadlineAt != nil && (nearest == nil || d.DeadlineAt.Before(*nearest)) {
			nearest = d.DeadlineAt
		}
	}
	return nearest, nil
}

type casePage struct {
	Case       *takedown.Case
	Reports    []*takedown.Report
	Offence    *procedure.Offence // the offence whose elements the qualification form shows
	Offences   []procedure.Offence
	Measures   []*takedown.Measure
	Deliveries map[int64][]*takedown.Delivery // by measure
	Events     []*takedown.Event
	Operators  []*takedown.Operator
	Kinds      []takedown.MeasureKind
	Stale      bool
	Evidence   []*takedown.Evidence
	Exposure   takedown.Exposure
	Questions  []*takedown.ReviewItem // the controller's reviewers' questions about the case
	// LegalHolds suspend the purging of the case's records (a review, a court case).
	LegalHolds []*takedown.LegalHold
	// Suggested is the operator whose domains hold the case's first address: the host to
	// address a removal request to.
	Suggested int64
}

// Clarifiable is, by measure, whether one of its deliveries waits for the authority's
// clarification (the operator cannot comply or disputes).
func (p casePage) Clarifiable() map[int64]bool {
	out := map[int64]bool{}
	for id, ds := range p.Deliveries {
		for _, d := range ds {
			if d.AwaitsClarification() {
				out[id] = true
			}
		}
	}
	return out
}

// OperatorName names an operator of the page.
func (p casePage) OperatorName(id int64) string {
	for _, o := range p.Operators {
		if o.ID == id {
			return o.Name
		}
	}
	return "#" + strconv.FormatInt(id, 10)
}

// Element is the value the qualification gave an element, as the form shows it.
func (p casePage) Element(id string) string {
	if p.Case.Qualification == nil {
		return ""
	}
	switch e := p.Case.Qualification.Elements[id].(type) {
	case bool:
		if e {
			return "yes"
		}
	case string:
		return e
	}
	return ""
}

func (c *Console) casePage(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.showCase(w, r, v, http.StatusOK)
}

// showCase renders the case page, with the form errors already in v.
func (c *Console) showCase(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := v.ctx(r)
	cs, err := c.svc.Case(ctx, id)
	if err != nil {
		return err
	}
	p := casePage{Case: cs, Offences: c.svc.Profile().Offences, Kinds: takedown.MeasureKinds, Deliveries: map[int64][]*takedown.Delivery{},
		Stale: v.Errors["updated_at"] != ""}
	code := v.Value("offence", r.URL.Query().Get("offence"))
	if code == "" {
		code = cs.Offence
	}
	if o, ok := c.svc.Profile().Offence(code); ok {
		p.Offence = o
	}
	if p.Reports, _, err = c.svc.Reports(ctx, takedown.ReportFilter{CaseID: id, Page: takedown.Page{Limit: 100}}); err != nil {
		return err
	}
	if p.Measures, _, err = c.svc.Measures(ctx, takedown.MeasureFilter{CaseID: id, Page: takedown.Page{Limit: 100}}); err != nil {
		return err
	}
	ds, _, err := c.svc.Deliveries(ctx, takedown.DeliveryFilter{CaseID: id, Page: takedown.Page{Limit: 500}})
	if err != nil {
		return err
	}
	for _, d := range ds {
		p.Deliveries[d.MeasureID] = append(p.Deliveries[d.MeasureID], d)
	}
	if p.Events, _, err = c.svc.Events(ctx, takedown.EventFilter{CaseID: id, Page: takedown.Page{Limit: 500}}); err != nil {
		return err
	}
	if p.Operators, _, err = c.svc.Operators(ctx, takedown.OperatorFilter{Page: takedown.Page{Limit: 500}}); err != nil {
		return err
	}
	if p.Evidence, p.Exposure, err = c.svc.CaseEvidence(ctx, id); err != nil {
		return err
	}
	if p.Questions, err = c.svc.ReviewQuestions(ctx, id); err != nil {
		return err
	}
	if p.LegalHolds, err = c.svc.LegalHolds(ctx, id); err != nil {
		return err
	}
	p.Suggested = hostOf(p.Operators, cs.URLs)
	v.done(r)
	v.Title = v.T("case.title", cs.ID)
	return c.render(w, v, status, "case", p)
}

// hostOf returns the operator whose domains hold the host of the first URL, or 0.
func hostOf(operators []*takedown.Operator, urls []string) int64 {
	if len(urls) == 0 {
		return 0
	}
	u, err := url.Parse(urls[0])
	if err != nil {
		return 0
	}
	host := u.Hostname()
	for _, o := range operators {
		for _, d := range o.Domains {
			if host == d || strings.HasSuffix(host, "."+d) {
				return o.ID
			}
		}
	}
	return 0
}

// caseAction runs one step of the procedure on a case from its page. The page sends the
// case's updated_at: a case changed since the page was shown is shown again, with a
// warning, rather than acted on blindly.
func (c *Console) caseAction(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := v.ctx(r)
	action := r.PathValue("action")
	return c.submit(w, r, v, func() (string, error) {
		if err := c.checkFresh(v, r, id); err != nil {
			return "", err
		}
		reasons := r.PostFormValue("reasons")
		var err error
		switch action {
		case "accept":
			_, err = c.svc.Accept(ctx, id)
		case "dismiss":
			_, err = c.svc.Dismiss(ctx, id, reasons)
		case "qualify":
			_, err = c.svc.Qualify(ctx, id, c.qualification(r))
		case "approve":
			_, err = c.svc.Approve(ctx, id)
		case "return":
			_, err = c.svc.Return(ctx, id, reasons)
		case "hold":
			_, err = c.svc.PlaceHold(ctx, id, takedown.HoldInput{Reference: r.PostFormValue("reference"), Reasons: reasons})
		case "release":
			_, err = c.svc.ReleaseHold(ctx, id, reasons)
		case "legal-hold":
			_, err = c.svc.PlaceLegalHold(ctx, id, takedown.LegalHoldInput{Reference: r.PostFormValue("reference"), Reasons: reasons})
		case "release-legal-hold":
			var hold int64
			if hold, err = strconv.ParseInt(r.PostFormValue("hold_id"), 10, 64); err != nil {
				err = takedown.Invalid("hold_id", "choose a legal hold to release")
			} else {
				_, err = c.svc.ReleaseLegalHold(ctx, hold, reasons)
			}
		case "close":
			_, err = c.svc.Close(ctx, id, reasons)
		case "measure":
			var in takedown.MeasureInput
			if in, err = measureInput(r); err == nil {
				_, err = c.svc.IssueMeasure(ctx, id, in)
			}
		default:
			err = takedown.Errorf(takedown.ENOTFOUND, "there is no %s", r.URL.Path)
		}
		return "/console/cases/" + strconv.FormatInt(id, 10) + "?done=" + url.QueryEscape(action), err
	}, func(status int) error {
		if _, ok := v.Errors["updated_at"]; !ok {
			v.Errors["action"] = action
		}
		return c.showCase(w, r, v, status)
	})
}

// checkFresh refuses an action sent from a page older than the case's last change.
func (c *Console) checkFresh(v *view, r *http.Request, id int64) error {
	sent := r.PostFormValue("updated_at")
	cs, err := c.svc.Case(v.ctx(r), id)
	if err != nil {
		return err
	}
	if sent != cs.UpdatedAt.UTC().Format(time.RFC3339Nano) {
		return takedown.Invalid("updated_at", "case %d changed on %s, after this page was shown", id, v.When(cs.UpdatedAt))
	}
	return nil
}

// qualification reads the qualification form: each element of the chosen offence as a
// confirmation, a description or a choice.
func (c *Console) qualification(r *http.Request) takedown.QualificationInput {
	in := takedown.QualificationInput{Offence: r.PostFormValue("offence"), Reasons: r.PostFormValue("reasons"), Elements: map[string]any{}}
	o, ok := c.svc.Profile().Offence(in.Offence)
	if !ok {
		return in
	}
	for _, e := range o.Elements {
		value := strings.TrimSpace(r.PostFormValue("element-" + e.ID))
		switch {
		case e.Type == procedure.Confirm && value == "yes":
			in.Elements[e.ID] = true
		case e.Type != procedure.Confirm && value != "":
			in.Elements[e.ID] = value
		}
	}
	return in
}

func measureInput(r *http.Request) (takedown.MeasureInput, error) {
	in := takedown.MeasureInput{Kind: takedown.MeasureKind(r.PostFormValue("kind")), Targets: lines(r.PostFormValue("targets")),
		PublisherUnidentified: r.PostFormValue("publisher_unidentified")}
	if op := r.PostFormValue("operator_id"); op != "" {
		id, err := strconv.ParseInt(op, 10, 64)
		if err != nil {
			return in, takedown.Invalid("operator_id", "is not an operator")
		}
		in.OperatorID = id
	}
	return in, nil
}

// Stamp is the value a form sends back to prove it shows the case's latest version.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
