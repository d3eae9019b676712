package casework_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestCaseTransitions proves the order of the procedure: each transition is allowed from its
// own state only, and a refusal is a conflict that names the state the case is in.
func TestCaseTransitions(t *testing.T) {
	w := newWorld(t)
	qualify := func(id int64) error {
		_, err := w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
			Elements: apologyElements(), Reasons: "Glorifies the attackers."})
		return err
	}
	accept := func(id int64) error { _, err := w.svc.Accept(w.as(w.officer), id); return err }
	approve := func(id int64) error { _, err := w.svc.Approve(w.as(w.supervisor), id); return err }
	ret := func(id int64) error {
		_, err := w.svc.Return(w.as(w.supervisor), id, "Name the predicate act.")
		return err
	}
	closeCase := func(id int64) error { _, err := w.svc.Close(w.as(w.officer), id, "Done."); return err }
	dismiss := func(id int64) error { _, err := w.svc.Dismiss(w.as(w.officer), id, "Not illegal."); return err }

	fresh := w.report("https://video.host.test/v/tr-new").URLs[0].CaseID
	qualifying := w.report("https://video.host.test/v/tr-qualifying").URLs[0].CaseID
	must(w.svc.Accept(w.as(w.officer), qualifying))(t)
	awaiting := w.report("https://video.host.test/v/tr-awaiting").URLs[0].CaseID
	must(w.svc.Accept(w.as(w.officer), awaiting))(t)
	if err := qualify(awaiting); err != nil {
		t.Fatal(err)
	}
	approved := w.approvedCase("https://video.host.test/v/tr-approved").ID
	closed := w.report("https://video.host.test/v/tr-closed").URLs[0].CaseID
	must(w.svc.Dismiss(w.as(w.officer), closed, "A news report."))(t)

	for _, tc := range []struct {
		name  string
		id    int64
		op    func(int64) error
		state takedown.CaseState
	}{
		{"qualify a new case", fresh, qualify, takedown.CaseNew},
		{"approve a new case", fresh, approve, takedown.CaseNew},
		{"return a new case", fresh, ret, takedown.CaseNew},
		{"close a new case", fresh, closeCase, takedown.CaseNew},
		{"accept a qualifying case", qualifying, accept, takedown.CaseQualifying},
		{"approve a qualifying case", qualifying, approve, takedown.CaseQualifying},
		{"accept an awaiting case", awaiting, accept, takedown.CaseAwaitingApproval},
		{"qualify an awaiting case", awaiting, qualify, takedown.CaseAwaitingApproval},
		{"close an awaiting case", awaiting, closeCase, takedown.CaseAwaitingApproval},
		{"accept an approved case", approved, accept, takedown.CaseApproved},
		{"qualify an approved case", approved, qualify, takedown.CaseApproved},
		{"approve an approved case", approved, approve, takedown.CaseApproved},
		{"return an approved case", approved, ret, takedown.CaseApproved},
		{"dismiss an approved case", approved, dismiss, takedown.CaseApproved},
		{"accept a closed case", closed, accept, takedown.CaseClosed},
		{"dismiss a closed case", closed, dismiss, takedown.CaseClosed},
		{"close a closed case", closed, closeCase, takedown.CaseClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			err := tc.op(tc.id)
			wantCode(t, err, takedown.ECONFLICT)
			wantMessage(t, err, fmt.Sprintf("case %d is %s", tc.id, tc.state))
			if w.snapshot() != before {
				t.Error("a refused transition changed the store")
			}
		})
	}

	t.Run("return and requalify", func(t *testing.T) {
		c := must(w.svc.Return(w.as(w.supervisor2), awaiting, "Name the predicate act precisely."))(t)
		if c.State != takedown.CaseQualifying || c.Returned == nil || c.Returned.By != w.supervisor2.ID {
			t.Fatalf("returned case: %s %+v", c.State, c.Returned)
		}
		if err := qualify(awaiting); err != nil {
			t.Fatal(err)
		}
		if c := w.caseByID(awaiting); c.State != takedown.CaseAwaitingApproval || c.Returned != nil {
			t.Errorf("requalified case: %s returned %+v", c.State, c.Returned)
		}
	})
}

// TestDismissAndClose proves how a case ends: dismissed before approval (from any earlier
// state), closed after approval only once no measure is active, and its URLs then open a new
// case when reported again.
func TestDismissAndClose(t *testing.T) {
	w := newWorld(t)
	for _, steps := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("dismiss after %d steps", steps), func(t *testing.T) {
			id := w.report(fmt.Sprintf("https://video.host.test/v/dismiss-%d", steps)).URLs[0].CaseID
			if steps >= 1 {
				must(w.svc.Accept(w.as(w.officer), id))(t)
			}
			if steps >= 2 {
				must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
					Elements: apologyElements(), Reasons: "Glorifies the attackers."}))(t)
			}
			_, err := w.svc.Dismiss(w.as(w.officer), id, "  ")
			wantCode(t, err, takedown.EINVALID)
			c := must(w.svc.Dismiss(w.as(w.officer2), id, "A documentary about the attack, not an apology."))(t)
			if c.State != takedown.CaseClosed || c.Closure == nil || c.Closure.By != w.officer2.ID {
				t.Errorf("dismissed case: %s %+v", c.State, c.Closure)
			}
		})
	}

	t.Run("close needs every measure ended", func(t *testing.T) {
		url := "https://video.host.test/v/close-1"
		c := w.approvedCase(url)
		m := w.removalRequest(c.ID)
		_, err := w.svc.Close(w.as(w.officer), c.ID, "Done.")
		wantCode(t, err, takedown.EPRECONDITION)
		wantMessage(t, err, fmt.Sprintf("measure %d (removal_request)", m.ID), "issued")
		must(w.svc.Answer(w.asOperator(w.host), w.deliveryTo(m.ID, w.host, takedown.PurposeAction).ID,
			takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
		c = must(w.svc.Close(w.as(w.officer), c.ID, "The host removed the video."))(t)
		if c.State != takedown.CaseClosed {
			t.Fatalf("state = %s", c.State)
		}
		again := w.report("https://VIDEO.host.test/v/close-1#replay")
		if got := again.URLs[0].CaseID; got == c.ID {
			t.Fatal("a new report joined the closed case")
		}
		if nc := w.caseByID(again.URLs[0].CaseID); nc.State != takedown.CaseNew || !slices.Equal(nc.URLs, []string{url}) {
			t.Errorf("new case: %s %v", nc.State, nc.URLs)
		}
	})
}

// TestCaseQueue proves the officers' queue: a flagger's report raises a case's priority, the
// filters select by state, overdue deadline and URL (canonicalised first), and pages follow
// one another through their cursors without duplicates or gaps.
func TestCaseQueue(t *testing.T) {
	w := newWorld(t)
	flag := func(url string) *takedown.Report {
		return must(w.svc.SubmitReport(w.as(w.flagger), takedown.ReportInput{URLs: []string{url},
			Offence: "terrorism-apology", Description: "Flagged by our moderation team.", GoodFaith: true}))(t)
	}

	t.Run("a flagger raises the priority", func(t *testing.T) {
		id := w.report("https://video.host.test/v/q-raise").URLs[0].CaseID
		if got := w.caseByID(id).Priority; got != takedown.PriorityPublic {
			t.Fatalf("public priority = %d", got)
		}
		flag("https://video.host.test/v/q-raise")
		c := w.caseByID(id)
		if c.Priority != takedown.PriorityFlagger || c.Reports != 2 {
			t.Errorf("after a flagger's report: priority %d reports %d", c.Priority, c.Reports)
		}
		w.report("https://video.host.test/v/q-raise")
		if got := w.caseByID(id).Priority; got != takedown.PriorityFlagger {
			t.Errorf("a later public report lowered the priority to %d", got)
		}
	})

	for i := range 6 {
		url := fmt.Sprintf("https://video.host.test/v/q-%d", i)
		if i%3 == 2 {
			flag(url)
		} else {
			w.report(url)
		}
		w.clock.Advance(time.Minute)
	}
	overdue := w.approvedCase("https://video.host.test/v/q-overdue")
	w.overdueRemoval(overdue.ID)

	all := mustList(w.svc.Cases(w.as(w.officer), takedown.CaseFilter{}))(t)
	if len(all) != 8 {
		t.Fatalf("cases = %d, want 8", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Priority < b.Priority || a.Priority == b.Priority && a.ID > b.ID {
			t.Errorf("queue order: case %d (priority %d) before case %d (priority %d)", a.ID, a.Priority, b.ID, b.Priority)
		}
	}

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    takedown.CaseFilter
			want []int64
		}{
			{"state approved", takedown.CaseFilter{State: takedown.CaseApproved}, []int64{overdue.ID}},
			{"overdue", takedown.CaseFilter{Overdue: true}, []int64{overdue.ID}},
			{"URL canonicalised", takedown.CaseFilter{URL: "HTTPS://Video.Host.TEST:443/v/./q-overdue#t=1"}, []int64{overdue.ID}},
			{"unknown URL", takedown.CaseFilter{URL: "https://video.host.test/v/nowhere"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				list := mustList(w.svc.Cases(w.as(w.controller), tc.f))(t)
				var got []int64
				for _, c := range list {
					got = append(got, c.ID)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("cases = %v, want %v", got, tc.want)
				}
			})
		}
		newCases := mustList(w.svc.Cases(w.as(w.officer), takedown.CaseFilter{State: takedown.CaseNew}))(t)
		if len(newCases) != 7 {
			t.Errorf("new cases = %d, want 7", len(newCases))
		}
		for _, bad := range []takedown.CaseFilter{{State: "open"}, {URL: "ftp://video.host.test/x"}, {Page: takedown.Page{Limit: -1}},
			{Page: takedown.Page{Cursor: "not-a-cursor"}}} {
			_, _, err := w.svc.Cases(w.as(w.officer), bad)
			wantCode(t, err, takedown.EINVALID)
		}
	})

	t.Run("pages", func(t *testing.T) {
		for _, f := range []takedown.CaseFilter{{}, {State: takedown.CaseNew}} {
			want := ids(mustList(w.svc.Cases(w.as(w.officer), f))(t), func(c *takedown.Case) int64 { return c.ID })
			for _, limit := range []int{1, 2, 3} {
				got := pagesOf(t, limit, func(p takedown.Page) ([]int64, string, error) {
					f.Page = p
					list, next, err := w.svc.Cases(w.as(w.officer), f)
					return ids(list, func(c *takedown.Case) int64 { return c.ID }), next, err
				})
				if !slices.Equal(got, want) {
					t.Errorf("state %q, limit %d: paged queue = %v, want %v", f.State, limit, got, want)
				}
			}
		}
	})
}

// TestEventAndMeasurePages proves that the record and the measure list page through their
// cursors without duplicates or gaps, with and without filters.
func TestEventAndMeasurePages(t *testing.T) {
	w := newWorld(t)
	var caseID int64
	for i := range 3 {
		c := w.approvedCase(fmt.Sprintf("https://video.host.test/v/pages-%d", i), fmt.Sprintf("https://social.platform.test/p/pages-%d", i))
		w.removalRequest(c.ID)
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
		caseID = c.ID
	}

	for _, f := range []takedown.EventFilter{{}, {CaseID: caseID}} {
		f.Limit = takedown.MaxPageLimit
		want := ids(mustList(w.svc.Events(w.as(w.controller), f))(t), func(e *takedown.Event) int64 { return e.ID })
		got := pages(t, func(p takedown.Page) ([]int64, string, error) {
			f.Page = p
			list, next, err := w.svc.Events(w.as(w.controller), f)
			return ids(list, func(e *takedown.Event) int64 { return e.ID }), next, err
		})
		if len(want) < 5 || !slices.Equal(got, want) {
			t.Errorf("case %d: paged events = %v, want %v", f.CaseID, got, want)
		}
	}

	for _, f := range []takedown.MeasureFilter{{}, {Kind: takedown.Referral}, {OperatorID: w.isp1.ID}} {
		f.Limit = takedown.MaxPageLimit
		want := ids(mustList(w.svc.Measures(w.as(w.officer), f))(t), func(m *takedown.Measure) int64 { return m.ID })
		got := pages(t, func(p takedown.Page) ([]int64, string, error) {
			f.Page = p
			list, next, err := w.svc.Measures(w.as(w.officer), f)
			return ids(list, func(m *takedown.Measure) int64 { return m.ID }), next, err
		})
		if len(want) < 3 || !slices.Equal(got, want) {
			t.Errorf("filter %+v: paged measures = %v, want %v", f, got, want)
		}
	}
	// An operator pages through its own measures only.
	mine := pages(t, func(p takedown.Page) ([]int64, string, error) {
		list, next, err := w.svc.Measures(w.asOperator(w.platform), takedown.MeasureFilter{Page: p})
		return ids(list, func(m *takedown.Measure) int64 { return m.ID }), next, err
	})
	if len(mine) != 3 {
		t.Errorf("platform's measures = %v, want its 3 referrals", mine)
	}
}

// pages follows a list's cursors with pages of 2 and returns the ids in order.
func pages(t *testing.T, list func(takedown.Page) ([]int64, string, error)) []int64 {
	t.Helper()
	return pagesOf(t, 2, list)
}

// pagesOf follows a list's cursors with pages of limit and returns the ids in order, failing
// on a repeated id or a page over the limit.
func pagesOf(t *testing.T, limit int, list func(takedown.Page) ([]int64, string, error)) []int64 {
	t.Helper()
	var all []int64
	cursor := ""
	for {
		page, next, err := list(takedown.Page{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > limit {
			t.Fatalf("page of %d with limit %d", len(page), limit)
		}
		for _, id := range page {
			if slices.Contains(all, id) {
				t.Fatalf("id %d on two pages (%v)", id, all)
			}
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		if len(page) == 0 {
			t.Fatalf("empty page with a next cursor %q", next)
		}
		cursor = next
	}
}

// ids maps a list to its ids.
func ids[T any](list []T, id func(T) int64) []int64 {
	var out []int64
	for _, v := range list {
		out = append(out, id(v))
	}
	return out
}

// TestCaseReadAccess proves that only the authority and the controller read cases and the
// record.
func TestCaseReadAccess(t *testing.T) {
	w := newWorld(t)
	id := w.report("https://video.host.test/v/read-1").URLs[0].CaseID
	for _, u := range []*takedown.User{w.flagger, w.admin, w.operatorUser[w.host.ID]} {
		_, err := w.svc.Case(w.as(u), id)
		wantCode(t, err, takedown.EFORBIDDEN)
		_, _, err = w.svc.Cases(w.as(u), takedown.CaseFilter{})
		wantCode(t, err, takedown.EFORBIDDEN)
		_, _, err = w.svc.Events(w.as(u), takedown.EventFilter{})
		wantCode(t, err, takedown.EFORBIDDEN)
		if !strings.Contains(takedown.ErrorMessage(err), string(u.Role)) {
			t.Errorf("message %q does not name the role %s", takedown.ErrorMessage(err), u.Role)
		}
	}
	for _, u := range []*takedown.User{w.officer, w.supervisor, w.controller} {
		must(w.svc.Case(w.as(u), id))(t)
	}
}
