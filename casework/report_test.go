package casework_test

import (
	"context"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestReportIntake proves who may report and how: the public and trusted flaggers report,
// officers report their own findings with priority; administrators, the controller and
// operators cannot; several spellings of one address in a report count once.
func TestReportIntake(t *testing.T) {
	w := newWorld(t)
	in := func(urls ...string) takedown.ReportInput {
		return takedown.ReportInput{URLs: urls, Offence: "terrorism-provocation", Description: "A call to attack.", GoodFaith: true}
	}

	t.Run("one content, several spellings", func(t *testing.T) {
		r := must(w.svc.SubmitReport(context.Background(), in("https://video.host.test/v/dup",
			"HTTPS://VIDEO.host.test:443/v/./dup#t=10", "https://video.host.test/v/x/../dup")))(t)
		if len(r.URLs) != 1 || r.URLs[0].Canonical != "https://video.host.test/v/dup" || r.URLs[0].URL != "https://video.host.test/v/dup" {
			t.Fatalf("report URLs = %+v, want the one address as first given", r.URLs)
		}
		c := w.caseByID(r.URLs[0].CaseID)
		if len(c.URLs) != 1 || c.Reports != 1 {
			t.Errorf("case URLs %v reports %d, want one of each", c.URLs, c.Reports)
		}
		if r.Channel != takedown.ChannelPublic || c.Priority != takedown.PriorityPublic {
			t.Errorf("public report: channel %s priority %d", r.Channel, c.Priority)
		}
	})

	t.Run("roles that cannot report", func(t *testing.T) {
		for _, u := range []*takedown.User{w.admin, w.controller, w.operatorUser[w.host.ID]} {
			before := w.snapshot()
			_, err := w.svc.SubmitReport(w.as(u), in("https://video.host.test/v/not-allowed"))
			wantCode(t, err, takedown.EFORBIDDEN)
			wantMessage(t, err, string(u.Role))
			if w.snapshot() != before {
				t.Errorf("a refused report by the %s wrote something", u.Role)
			}
		}
	})

	t.Run("an officer's own finding", func(t *testing.T) {
		for _, u := range []*takedown.User{w.officer, w.supervisor} {
			url := "https://video.host.test/v/own-" + string(u.Role)
			r := must(w.svc.SubmitReport(w.as(u), in(url)))(t)
			if r.Channel != takedown.ChannelAuthority || r.Flagger != 0 {
				t.Errorf("%s report: channel %s flagger %d, want authority", u.Role, r.Channel, r.Flagger)
			}
			if got := w.caseByID(r.URLs[0].CaseID).Priority; got != takedown.PriorityFlagger {
				t.Errorf("%s report priority = %d, want %d", u.Role, got, takedown.PriorityFlagger)
			}
		}
	})

	t.Run("a trusted flagger", func(t *testing.T) {
		r := must(w.svc.SubmitReport(w.as(w.flagger), in("https://video.host.test/v/flagged")))(t)
		if r.Channel != takedown.ChannelFlagger || r.Flagger != w.flagger.ID {
			t.Errorf("flagger report: channel %s flagger %d", r.Channel, r.Flagger)
		}
		mine := mustList(w.svc.Reports(w.as(w.flagger), takedown.ReportFilter{}))(t)
		if len(mine) != 1 || mine[0].ID != r.ID {
			t.Errorf("flagger sees %d reports, want only its own", len(mine))
		}
	})

	t.Run("unknown offence", func(t *testing.T) {
		bad := in("https://video.host.test/v/defamation")
		bad.Offence = "defamation"
		_, err := w.svc.SubmitReport(context.Background(), bad)
		wantCode(t, err, takedown.EINVALID)
		wantMessage(t, err, "terrorism-provocation, terrorism-apology, csam")
	})
}

// TestReportPrivacy proves that reports are not public and that a reporter's contact never
// reaches the record: the public cannot read reports, and no event holds a contact.
func TestReportPrivacy(t *testing.T) {
	w := newWorld(t)
	contacts := []string{"reporter.one@mail.example", "+33 1 00 00 00 00", "flagger.desk@ngo.example", "officer.alpha@authority.example"}
	submit := func(ctx context.Context, url, contact string) *takedown.Report {
		return must(w.svc.SubmitReport(ctx, takedown.ReportInput{URLs: []string{url}, Offence: "csam",
			Description: "Found while browsing.", Contact: contact, GoodFaith: true}))(t)
	}
	r := submit(context.Background(), "https://video.host.test/v/priv-1", contacts[0])
	submit(context.Background(), "https://video.host.test/v/priv-1", contacts[1]) // joins the case
	submit(w.as(w.flagger), "https://video.host.test/v/priv-2", contacts[2])
	submit(w.as(w.officer), "https://video.host.test/v/priv-3", contacts[3])
	c := w.approvedCase("https://video.host.test/v/priv-1")
	w.removalRequest(c.ID)

	_, err := w.svc.Report(context.Background(), r.ID)
	wantCode(t, err, takedown.EUNAUTHORIZED)
	_, _, err = w.svc.Reports(context.Background(), takedown.ReportFilter{})
	wantCode(t, err, takedown.EUNAUTHORIZED)
	for _, u := range []*takedown.User{w.admin, w.operatorUser[w.host.ID]} {
		_, err = w.svc.Report(w.as(u), r.ID)
		wantCode(t, err, takedown.EFORBIDDEN)
	}
	if got := must(w.svc.Report(w.as(w.controller), r.ID))(t); got.Contact != contacts[0] {
		t.Errorf("controller sees contact %q", got.Contact)
	}

	events := w.events()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	for _, e := range events {
		for _, contact := range contacts {
			if strings.Contains(string(e.Data), contact) {
				t.Errorf("event %d (%s) holds the contact %q: %s", e.ID, e.Kind, contact, e.Data)
			}
		}
	}
}
