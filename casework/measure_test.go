package casework_test

import (
	"slices"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestRemovalOrderAdvanceInformation proves TCO art. 3(2) as the profile sets it (1-hour
// deadline, 12-hour advance information): a provider's first order waits 12 hours after the
// advance information, later orders and emergencies go at once, a scheduled order can be
// withdrawn, and an investigation hold stops the scheduler from issuing it.
func TestRemovalOrderAdvanceInformation(t *testing.T) {
	order := func(op *takedown.Operator) takedown.MeasureInput {
		return takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: op.ID}
	}

	t.Run("first order scheduled, issued after 12 hours, later orders at once", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/tco-1", "https://social.platform.test/v/tco-1")
		issuedAt := w.clock.Now()
		m := w.issue(c.ID, order(w.host))
		if got, want := m.State, takedown.MeasureScheduled; got != want {
			t.Fatalf("first order state = %s, want %s", got, want)
		}
		if m.IssueAt == nil || !m.IssueAt.Equal(issuedAt.Add(12*time.Hour)) {
			t.Fatalf("issue_at = %v, want %v", m.IssueAt, issuedAt.Add(12*time.Hour))
		}
		info := w.deliveryTo(m.ID, w.host, takedown.PurposeAdvanceInformation)
		if !info.SentAt.Equal(issuedAt) || info.HasDeadline {
			t.Errorf("advance information sent %v with deadline %v, want sent %v without deadline", info.SentAt, info.HasDeadline, issuedAt)
		}
		if got := len(w.deliveries(m.ID)); got != 1 {
			t.Errorf("deliveries of the scheduled order = %d, want only the advance information", got)
		}
		op := must(w.svc.Operator(w.as(w.officer), w.host.ID))(t)
		if op.TCOInformedAt == nil || !op.TCOInformedAt.Equal(issuedAt) {
			t.Errorf("operator informed at %v, want %v", op.TCOInformedAt, issuedAt)
		}

		if res := w.tick(11 * time.Hour); res.Issued != 0 {
			t.Fatalf("issued after 11 h = %d, want 0", res.Issued)
		}
		if got := w.measure(m.ID).State; got != takedown.MeasureScheduled {
			t.Fatalf("state after 11 h = %s, want scheduled", got)
		}
		if res := w.tick(time.Hour + time.Minute); res.Issued != 1 {
			t.Fatalf("issued after 12 h 1 min = %d, want 1", res.Issued)
		}
		m = w.measure(m.ID)
		if m.State != takedown.MeasureIssued || m.IssuedAt == nil {
			t.Fatalf("after the advance period: state %s issued_at %v", m.State, m.IssuedAt)
		}
		action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
		if action.DeadlineAt != nil || action.Deadline != takedown.DeadlineAwaitingReceipt {
			t.Errorf("order deadline before receipt = %v (%s), want none, awaiting receipt", action.DeadlineAt, action.Deadline)
		}
		w.clock.Advance(10 * time.Minute)
		receivedAt := w.clock.Now()
		action = w.receive(m.ID, w.host)
		if got, want := *action.DeadlineAt, receivedAt.Add(time.Hour); !got.Equal(want) || action.ReceivedVia != takedown.ViaAPI {
			t.Errorf("order deadline = %v via %s, want one hour after receipt %v via api", got, action.ReceivedVia, want)
		}
		if res := w.tick(time.Minute); res.Issued != 0 {
			t.Errorf("a second pass issued the order again: %d", res.Issued)
		}

		// The provider has had its first order: the next one goes at once.
		c2 := w.approvedCase("https://video.host.test/v/tco-2", "https://social.platform.test/v/tco-2")
		m2 := w.issue(c2.ID, order(w.host))
		if m2.State != takedown.MeasureIssued {
			t.Fatalf("second order state = %s, want issued", m2.State)
		}
		w.deliveryTo(m2.ID, w.host, takedown.PurposeAction)
		for _, d := range w.deliveries(m2.ID) {
			if d.Purpose == takedown.PurposeAdvanceInformation {
				t.Errorf("second order sent advance information again: delivery %d", d.ID)
			}
		}
	})

	t.Run("emergency order to a fresh operator goes at once", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://social.platform.test/p/tco-3")
		in := order(w.platform)
		in.Emergency = "Live-streamed attack in progress; the content shows imminent threat to life."
		m := w.issue(c.ID, in)
		if m.State != takedown.MeasureIssued {
			t.Fatalf("emergency order state = %s, want issued", m.State)
		}
		for _, d := range w.deliveries(m.ID) {
			if d.Purpose == takedown.PurposeAdvanceInformation {
				t.Errorf("emergency order sent an advance information")
			}
		}
		w.deliveryTo(m.ID, w.isp1, takedown.PurposeInformation) // ISPs are informed of orders too
		if d := w.receive(m.ID, w.platform); !d.DeadlineAt.Equal(w.clock.Now().Add(time.Hour)) {
			t.Errorf("emergency order deadline = %v, want one hour", d.DeadlineAt)
		}
		if op := must(w.svc.Operator(w.as(w.officer), w.platform.ID))(t); op.TCOInformedAt != nil {
			t.Errorf("operator marked as informed at %v by an emergency order", op.TCOInformedAt)
		}

		// The emergency order was the provider's first: the next order goes at once too.
		c2 := w.approvedCase("https://social.platform.test/p/tco-3b")
		m2 := w.issue(c2.ID, order(w.platform))
		if m2.State != takedown.MeasureIssued {
			t.Errorf("order after an emergency order = %s, want issued", m2.State)
		}
		for _, d := range w.deliveries(m2.ID) {
			if d.Purpose == takedown.PurposeAdvanceInformation {
				t.Errorf("order after an emergency order sent advance information: delivery %d", d.ID)
			}
		}
	})

	t.Run("withdrawing a scheduled order tells the informed operator", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/tco-4", "https://social.platform.test/v/tco-4")
		m := w.issue(c.ID, order(w.host))
		w.clock.Advance(time.Hour)
		m = must(w.svc.WithdrawMeasure(w.as(w.officer), m.ID, "The video was removed by the host on its own initiative."))(t)
		if m.State != takedown.MeasureWithdrawn {
			t.Fatalf("state = %s, want withdrawn", m.State)
		}
		w.deliveryTo(m.ID, w.host, takedown.PurposeWithdrawal)
		if res := w.tick(12 * time.Hour); res.Issued != 0 {
			t.Errorf("the scheduler issued a withdrawn order: %d", res.Issued)
		}
	})

	t.Run("a hold stops the scheduler until it is released", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/tco-5", "https://social.platform.test/v/tco-5")
		m := w.issue(c.ID, order(w.host))
		must(w.svc.PlaceHold(w.as(w.officer), c.ID, takedown.HoldInput{Reference: "INV-2026-0042",
			Reasons: "The account is under surveillance by the investigating service."}))(t)
		if res := w.tick(13 * time.Hour); res.Issued != 0 {
			t.Fatalf("issued on hold = %d, want 0", res.Issued)
		}
		if got := w.measure(m.ID).State; got != takedown.MeasureScheduled {
			t.Fatalf("state on hold = %s, want scheduled", got)
		}
		must(w.svc.ReleaseHold(w.as(w.officer), c.ID, "The investigating service has finished."))(t)
		if res := w.tick(time.Minute); res.Issued != 1 {
			t.Fatalf("issued after release = %d, want 1", res.Issued)
		}
		if got := w.measure(m.ID).State; got != takedown.MeasureIssued {
			t.Errorf("state after release = %s, want issued", got)
		}
	})
}

// TestHolds proves deconfliction: a hold blocks issuing and approving measures with a
// precondition error that names the investigating service's reference, holds do not stack,
// and once released measures work again.
func TestHolds(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/hold-1")
	proposed := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: "No legal notice on the site."})

	_, err := w.svc.ReleaseHold(w.as(w.officer), c.ID, "Nothing to release.")
	wantCode(t, err, takedown.ECONFLICT)

	hold := takedown.HoldInput{Reference: "INV-2026-0107", Reasons: "Ongoing investigation by the counter-terrorism service."}
	must(w.svc.PlaceHold(w.as(w.officer), c.ID, hold))(t)
	_, err = w.svc.PlaceHold(w.as(w.officer2), c.ID, takedown.HoldInput{Reference: "INV-2026-0108", Reasons: "Another service."})
	wantCode(t, err, takedown.ECONFLICT)
	wantMessage(t, err, "INV-2026-0107")

	_, err = w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	wantCode(t, err, takedown.EPRECONDITION)
	wantMessage(t, err, "INV-2026-0107")
	_, err = w.svc.ApproveMeasure(w.as(w.supervisor2), proposed.ID)
	wantCode(t, err, takedown.EPRECONDITION)
	wantMessage(t, err, "INV-2026-0107")
	if got := w.measure(proposed.ID).State; got != takedown.MeasureProposed {
		t.Fatalf("proposal state on hold = %s, want proposed", got)
	}

	c = must(w.svc.ReleaseHold(w.as(w.officer), c.ID, "The investigating service has what it needs."))(t)
	if c.Hold != nil {
		t.Fatalf("hold still set after release: %+v", c.Hold)
	}
	_, err = w.svc.ReleaseHold(w.as(w.officer), c.ID, "Again.")
	wantCode(t, err, takedown.ECONFLICT)
	w.removalRequest(c.ID)
	if m := must(w.svc.ApproveMeasure(w.as(w.supervisor2), proposed.ID))(t); m.State != takedown.MeasureInForce {
		t.Errorf("approved after release: state %s, want in_force", m.State)
	}
}

// TestFourEyes proves that every approval needs a second person: a supervisor cannot approve
// a qualification or a list measure they made, and an officer cannot approve at all.
func TestFourEyes(t *testing.T) {
	w := newWorld(t)
	r := w.report("https://video.host.test/v/eyes-1")
	id := r.URLs[0].CaseID
	must(w.svc.Accept(w.as(w.supervisor), id))(t)
	must(w.svc.Qualify(w.as(w.supervisor), id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: apologyElements(), Reasons: "The video glorifies the attackers."}))(t)

	_, err := w.svc.Approve(w.as(w.supervisor), id)
	wantCode(t, err, takedown.EFORBIDDEN)
	wantMessage(t, err, "four eyes")
	_, err = w.svc.Approve(w.as(w.officer), id)
	wantCode(t, err, takedown.EFORBIDDEN)
	if got := w.caseByID(id).State; got != takedown.CaseAwaitingApproval {
		t.Fatalf("case state after refused approvals = %s", got)
	}
	must(w.svc.Approve(w.as(w.supervisor2), id))(t)

	m := must(w.svc.IssueMeasure(w.as(w.supervisor), id, takedown.MeasureInput{Kind: takedown.Blocking,
		PublisherUnidentified: "The site has no legal notice."}))(t)
	_, err = w.svc.ApproveMeasure(w.as(w.supervisor), m.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
	wantMessage(t, err, "four eyes")
	_, err = w.svc.ApproveMeasure(w.as(w.officer2), m.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
	m = must(w.svc.ApproveMeasure(w.as(w.supervisor2), m.ID))(t)
	if m.State != takedown.MeasureInForce || m.ApprovedBy != w.supervisor2.ID {
		t.Errorf("after approval: state %s approved by %d", m.State, m.ApprovedBy)
	}
}

// TestListMeasures proves the rules of blocking and dereferencing lists: they come after an
// overdue removal unless the publisher is unidentified; blocking targets are host names of
// the case; proposals can be refused; a measure is not taken twice; dereferencing and its
// restoration have 48 hours; withdrawing tells everyone who was told.
func TestListMeasures(t *testing.T) {
	unidentified := "The site has no legal notice and no contact address."

	t.Run("blocking needs an overdue removal first", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-1", "https://social.platform.test/v/list-1")
		for _, kind := range []takedown.MeasureKind{takedown.Blocking, takedown.Dereferencing} {
			_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: kind})
			wantCode(t, err, takedown.EPRECONDITION)
			wantMessage(t, err, "publisher_unidentified")
		}
		w.removalRequest(c.ID)
		w.tick(23 * time.Hour)
		_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
		wantCode(t, err, takedown.EPRECONDITION)
		w.tick(2 * time.Hour)
		m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
		if m.State != takedown.MeasureProposed {
			t.Errorf("blocking after overdue removal = %s, want proposed", m.State)
		}
	})

	t.Run("unidentified publisher allows listing directly", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-2", "https://social.platform.test/v/list-2")
		m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		if m.State != takedown.MeasureProposed || m.PublisherUnidentified != unidentified {
			t.Errorf("blocking = %s justified by %q", m.State, m.PublisherUnidentified)
		}
	})

	t.Run("blocking targets", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-3", "https://video.host.test/v/list-4",
			"https://social.platform.test/p/list-5")
		m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		if got, want := m.Targets, []string{"video.host.test", "social.platform.test"}; !slices.Equal(got, want) {
			t.Errorf("default targets = %v, want the case's hosts %v", got, want)
		}
		must(w.svc.RefuseMeasure(w.as(w.supervisor), m.ID, "Too wide: the platform hosts other content."))(t)

		m = w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, Targets: []string{"VIDEO.Host.test."},
			PublisherUnidentified: unidentified})
		if got, want := m.Targets, []string{"video.host.test"}; !slices.Equal(got, want) {
			t.Errorf("explicit targets = %v, want %v", got, want)
		}
		must(w.svc.RefuseMeasure(w.as(w.supervisor), m.ID, "Not needed."))(t)

		for _, tc := range []struct {
			name, target string
			want         []string
		}{
			{"not a host of the case", "other.host.test", []string{"not the host of one of the case's URLs"}},
			{"a URL", "https://video.host.test/v/list-3", []string{"DNS cannot block a path"}},
			{"a host and path", "video.host.test/v/list-3", []string{"DNS cannot block a path"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := w.snapshot()
				_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Blocking,
					Targets: []string{tc.target}, PublisherUnidentified: unidentified})
				wantCode(t, err, takedown.EINVALID)
				wantMessage(t, err, tc.want...)
				if got := takedown.ErrorField(err); got != "targets[0]" {
					t.Errorf("field = %q, want targets[0]", got)
				}
				if w.snapshot() != before {
					t.Error("a refused blocking wrote something")
				}
			})
		}

		_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Dereferencing,
			Subtree: true, PublisherUnidentified: unidentified})
		wantCode(t, err, takedown.EINVALID)
		if got := takedown.ErrorField(err); got != "subtree" {
			t.Errorf("subtree on dereferencing: field %q, want subtree", got)
		}
	})

	t.Run("approval checks again that the removal is still overdue", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-late", "https://social.platform.test/v/list-late")
		removal := w.overdueRemoval(c.ID)
		blocking := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
		d := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction)
		must(w.svc.Answer(w.asOperator(w.host), d.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
		_, err := w.svc.ApproveMeasure(w.as(w.supervisor), blocking.ID)
		wantCode(t, err, takedown.EPRECONDITION)
		if got := w.measure(blocking.ID).State; got != takedown.MeasureProposed {
			t.Errorf("blocking after a refused approval = %s, want proposed", got)
		}
	})

	t.Run("only an overdue removal opens the way to lists", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-deref", "https://social.platform.test/v/list-deref")
		w.listInForce(c.ID, takedown.Dereferencing) // published on the publisher_unidentified ground
		w.tick(49 * time.Hour)                      // the search engines miss their deadline
		if !w.caseByID(c.ID).Overdue {
			t.Fatal("the dereferencing's missed deadline does not make the case overdue")
		}
		_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
		wantCode(t, err, takedown.EPRECONDITION)
	})

	t.Run("an IP address is never a blocking target", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("http://192.0.2.10/videos/list-ip")
		_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Blocking, Targets: []string{"192.0.2.10"},
			PublisherUnidentified: unidentified})
		wantCode(t, err, takedown.EINVALID)
		m, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		if err == nil {
			t.Fatalf("default blocking targets of an IP-address case = %v, want an invalid error", m.Targets)
		}
		wantCode(t, err, takedown.EINVALID)
	})

	t.Run("a lookalike name is listed only when named in its xn-- form", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://gооgle-video.example/v/1") // two Cyrillic o among Latin letters
		for _, in := range []takedown.MeasureInput{
			{Kind: takedown.Blocking, PublisherUnidentified: unidentified},
			{Kind: takedown.Blocking, Targets: []string{"gооgle-video.example"}, PublisherUnidentified: unidentified},
		} {
			before := w.snapshot()
			_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, in)
			wantCode(t, err, takedown.EINVALID)
			wantMessage(t, err, "mixes Latin and Cyrillic letters", "xn--ggle-video-evia.example")
			if w.snapshot() != before {
				t.Error("a refused blocking wrote something")
			}
		}
		m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, Targets: []string{"xn--ggle-video-evia.example"}, PublisherUnidentified: unidentified})
		if m.Targets[0] != "xn--ggle-video-evia.example" {
			t.Errorf("targets %v", m.Targets)
		}
	})

	t.Run("refusing a proposal records the refusal", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-6", "https://social.platform.test/v/list-6")
		m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		_, err := w.svc.RefuseMeasure(w.as(w.officer2), m.ID, "An officer cannot refuse.")
		wantCode(t, err, takedown.EFORBIDDEN)
		m = must(w.svc.RefuseMeasure(w.as(w.supervisor2), m.ID, "The legal notice names a publisher; send a removal request first."))(t)
		if m.State != takedown.MeasureRefused || m.Refusal == nil || m.Refusal.By != w.supervisor2.ID ||
			m.Refusal.Reasons != "The legal notice names a publisher; send a removal request first." {
			t.Fatalf("refused measure = %s %+v", m.State, m.Refusal)
		}
		if got := w.deliveries(m.ID); len(got) != 0 {
			t.Errorf("a refused proposal sent %d deliveries", len(got))
		}
		if got := w.countEvents(takedown.EventMeasureRefused); got != 1 {
			t.Errorf("measure.refused events = %d, want 1", got)
		}
		_, err = w.svc.ApproveMeasure(w.as(w.supervisor), m.ID)
		wantCode(t, err, takedown.ECONFLICT)
		// A refused proposal is not active: a new one may be made.
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
	})

	t.Run("no duplicate active measure", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-7", "https://social.platform.test/v/list-7")
		w.removalRequest(c.ID)
		_, err := w.svc.IssueMeasure(w.as(w.officer2), c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
		wantCode(t, err, takedown.ECONFLICT)
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		_, err = w.svc.IssueMeasure(w.as(w.officer2), c.ID, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: unidentified})
		wantCode(t, err, takedown.ECONFLICT)
		// Another kind, or another operator, is not a duplicate.
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.host.ID})
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.platform.ID})
	})

	t.Run("dereferencing reaches every search engine; restoration has 48 hours", func(t *testing.T) {
		w := newWorld(t)
		search2 := w.operator(w.as(w.admin), "Search Engine Two", takedown.KindSearchEngine)
		c := w.approvedCase("https://video.host.test/v/list-8", "https://social.platform.test/v/list-8")
		m := w.listInForce(c.ID, takedown.Dereferencing)
		if m.State != takedown.MeasureInForce {
			t.Fatalf("dereferencing state = %s", m.State)
		}
		if got, want := m.Targets, c.URLs; !slices.Equal(got, want) {
			t.Errorf("dereferencing targets = %v, want the case's URLs %v", got, want)
		}
		for _, se := range []*takedown.Operator{w.search, search2} {
			d := w.deliveryTo(m.ID, se, takedown.PurposeAction)
			if got, want := *d.DeadlineAt, w.clock.Now().Add(48*time.Hour); !got.Equal(want) {
				t.Errorf("dereferencing deadline at %s = %v, want %v", se.Name, got, want)
			}
		}
		if got := len(w.deliveries(m.ID)); got != 2 {
			t.Errorf("dereferencing deliveries = %d, want one per search engine", got)
		}
		w.clock.Advance(24 * time.Hour)
		m = must(w.svc.Recheck(w.as(w.officer), m.ID, takedown.RecheckInput{Outcome: takedown.RecheckLift,
			Reasons: "The page is gone."}))(t)
		if m.State != takedown.MeasureLifted {
			t.Fatalf("after lifting: %s", m.State)
		}
		for _, se := range []*takedown.Operator{w.search, search2} {
			d := w.deliveryTo(m.ID, se, takedown.PurposeRestoration)
			if got, want := *d.DeadlineAt, w.clock.Now().Add(48*time.Hour); !got.Equal(want) {
				t.Errorf("restoration deadline at %s = %v, want %v", se.Name, got, want)
			}
		}
	})

	t.Run("withdrawing tells everyone who was told", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/list-9")
		removal := w.removalRequest(c.ID)
		blocking := w.listInForce(c.ID, takedown.Blocking)

		blocking = must(w.svc.WithdrawMeasure(w.as(w.officer), blocking.ID, "Blocked by mistake."))(t)
		if blocking.State != takedown.MeasureWithdrawn {
			t.Fatalf("blocking after withdrawal = %s", blocking.State)
		}
		for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
			if d := w.deliveryTo(blocking.ID, isp, takedown.PurposeAction); d.State != takedown.DeliveryCancelled {
				t.Errorf("blocking action at %s = %s, want cancelled", isp.Name, d.State)
			}
			d := w.deliveryTo(blocking.ID, isp, takedown.PurposeRestoration)
			if !d.HasDeadline || !d.DeadlineAt.Equal(w.clock.Now().Add(24*time.Hour)) {
				t.Errorf("restoration at %s: deadline %v, want 24 h", isp.Name, d.DeadlineAt)
			}
		}

		removal = must(w.svc.WithdrawMeasure(w.as(w.officer), removal.ID, "The host removed it before the request."))(t)
		if removal.State != takedown.MeasureWithdrawn {
			t.Fatalf("removal after withdrawal = %s", removal.State)
		}
		for _, op := range []*takedown.Operator{w.host, w.isp1, w.isp2} {
			if d := w.deliveryTo(removal.ID, op, takedown.PurposeWithdrawal); d.HasDeadline {
				t.Errorf("withdrawal to %s has a deadline", op.Name)
			}
		}
		for _, d := range w.deliveries(removal.ID) {
			if d.OperatorID == w.search.ID || d.OperatorID == w.platform.ID {
				t.Errorf("withdrawal sent to operator %d, which never received the request", d.OperatorID)
			}
		}
		_, err := w.svc.WithdrawMeasure(w.as(w.officer), removal.ID, "Again.")
		wantCode(t, err, takedown.ECONFLICT)
	})
}

// TestRecipients proves that an addressed measure goes only to an operator of a kind the
// profile allows for it.
func TestRecipients(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/recipients-1")
	for _, tc := range []struct {
		name string
		in   takedown.MeasureInput
		want []string
	}{
		{"removal request to an ISP", takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.isp1.ID},
			[]string{"is of kind isp", "operators of kind host, platform or publisher"}},
		{"removal order to a search engine", takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.search.ID},
			[]string{"host or platform"}},
		{"removal request to an unknown operator", takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: 9999},
			[]string{"no operator 9999"}},
		{"blocking to one operator", takedown.MeasureInput{Kind: takedown.Blocking, OperatorID: w.isp1.ID},
			[]string{"every operator"}},
		{"removal request to a platform that hosts none of the URLs", takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.platform.ID},
			[]string{"none of the case's URLs", "social.platform.test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, tc.in)
			wantCode(t, err, takedown.EINVALID)
			wantMessage(t, err, tc.want...)
			if got := takedown.ErrorField(err); got != "operator_id" {
				t.Errorf("field = %q, want operator_id", got)
			}
			if w.snapshot() != before {
				t.Error("a refused measure wrote something")
			}
		})
	}
}

// TestMeasureNamesOnlyTheAddresseesURLs: an addressed measure carries only the case's URLs on
// its operator's registered domains (subdomains included), so it reaches the operator that
// can act and discloses no other operator's URLs; naming another operator's URL is refused.
func TestMeasureNamesOnlyTheAddresseesURLs(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/mixed", "https://cdn.video.host.test/v/mixed.mp4", "https://social.platform.test/p/mixed")
	removal := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	if want := []string{"https://video.host.test/v/mixed", "https://cdn.video.host.test/v/mixed.mp4"}; !slices.Equal(removal.Targets, want) {
		t.Errorf("removal request targets = %v, want %v", removal.Targets, want)
	}
	referral := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	if want := []string{"https://social.platform.test/p/mixed"}; !slices.Equal(referral.Targets, want) {
		t.Errorf("referral targets = %v, want %v", referral.Targets, want)
	}
	before := w.snapshot()
	_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID,
		Targets: []string{"https://video.host.test/v/mixed"}, Emergency: "A live-streamed attack."})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "not on a domain of operator")
	if w.snapshot() != before {
		t.Error("the refused measure wrote something")
	}
}
