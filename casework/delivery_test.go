package casework_test

import (
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestCannotComply proves TCO art. 3(7)–(8) as applied to every deadline: an operator's
// cannot_comply stops the deadline (nothing becomes overdue), the authority's clarification
// restarts the full deadline from the clarification, and the answer must carry a reason and
// an explanation and fit the measure.
func TestCannotComply(t *testing.T) {
	t.Run("stops the deadline until clarified, which restarts it in full", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/cc-1", "https://social.platform.test/v/cc-1")
		m := w.removalRequest(c.ID)
		action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
		w.clock.Advance(2 * time.Hour)
		d := must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply,
			Reason: takedown.ReasonInsufficientInformation, Text: "The URL points to a playlist of 40 videos; which one?"}))(t)
		if d.State != takedown.DeliveryCannotComply || d.DeadlineAt != nil || d.Deadline != takedown.DeadlinePaused {
			t.Fatalf("after cannot_comply: state %s deadline_at %v status %s", d.State, d.DeadlineAt, d.Deadline)
		}
		if d.Answer == nil || d.Answer.Reason != takedown.ReasonInsufficientInformation {
			t.Errorf("answer = %+v", d.Answer)
		}
		if got := w.delivery(action.ID).Deadline; got != takedown.DeadlinePaused {
			t.Errorf("deadline status read back = %s, want paused", got)
		}
		if res := w.tick(48 * time.Hour); res.Overdue != 0 {
			t.Fatalf("overdue while stopped = %d, want 0", res.Overdue)
		}
		if w.caseByID(c.ID).Overdue {
			t.Fatal("case overdue while the deadline is stopped")
		}
		d = must(w.svc.Clarify(w.as(w.officer), action.ID, "The video is the third item of the playlist, titled 'Example'."))(t)
		if d.State != takedown.DeliverySent || d.DeadlineAt != nil || d.Deadline != takedown.DeadlineAwaitingReceipt || d.Clarification == nil {
			t.Errorf("after clarification: state %s deadline %v status %s clarification %+v", d.State, d.DeadlineAt, d.Deadline, d.Clarification)
		}
		var sent *takedown.Transmission
		for _, m := range mustList(w.svc.Transmissions(w.as(w.officer), takedown.TransmissionFilter{DeliveryID: action.ID}))(t) {
			if m.Clarification {
				sent = m
			}
		}
		if sent == nil || sent.Transport != takedown.TransportEmail {
			t.Fatalf("the clarification was not queued for the host's e-mail: %+v", sent)
		}
		// Art. 3(8): the deadline runs again, in full, from the receipt of the clarification.
		w.clock.Advance(time.Hour)
		receivedAt := w.clock.Now()
		d = w.receive(m.ID, w.host)
		if got, want := *d.DeadlineAt, receivedAt.Add(24*time.Hour); !got.Equal(want) || d.Deadline != takedown.DeadlineRunning {
			t.Fatalf("deadline after the clarification's receipt = %v (%s), want %v", got, d.Deadline, want)
		}
		if res := w.tick(23 * time.Hour); res.Overdue != 0 {
			t.Fatalf("overdue 23 h after the receipt = %d, want 0", res.Overdue)
		}
		if res := w.tick(2 * time.Hour); res.Overdue != 1 {
			t.Fatalf("overdue 25 h after the receipt = %d, want 1", res.Overdue)
		}
	})

	t.Run("a missed deadline cannot be stopped afterwards", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/cc-2", "https://social.platform.test/v/cc-2")
		m := w.removalRequest(c.ID)
		action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
		if res := w.tick(25 * time.Hour); res.Overdue != 1 {
			t.Fatalf("first deadline: overdue = %d, want 1", res.Overdue)
		}
		before := w.snapshot()
		_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply,
			Reason: takedown.ReasonForceMajeure, Text: "Our data centre is flooded."})
		wantCode(t, err, takedown.EPRECONDITION)
		wantMessage(t, err, "deadline", "passed", "before it")
		if w.snapshot() != before {
			t.Error("the refused cannot_comply changed the store")
		}
		if !w.caseByID(c.ID).Overdue {
			t.Error("the case is no longer overdue")
		}
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
	})

	t.Run("no dispute while waiting for the clarification", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/cc-4", "https://social.platform.test/v/cc-4")
		m := w.removalRequest(c.ID)
		action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
		must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply,
			Reason: takedown.ReasonInsufficientInformation, Text: "Which video?"}))(t)
		_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDispute, Text: "We contest it."})
		wantCode(t, err, takedown.ECONFLICT)
		w.clock.Advance(3 * time.Hour)
		clarifiedAt := w.clock.Now()
		must(w.svc.Clarify(w.as(w.officer), action.ID, "The video at the URL given."))(t)
		d := must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDispute, Text: "We contest it."}))(t)
		if d.DeadlineAt == nil || !d.DeadlineAt.Equal(clarifiedAt.Add(24*time.Hour)) {
			t.Fatalf("deadline after clarify then dispute = %v, want %v", d.DeadlineAt, clarifiedAt.Add(24*time.Hour))
		}
		if res := w.tick(25 * time.Hour); res.Overdue != 1 {
			t.Errorf("a dispute after clarification stopped the deadline: overdue = %d", res.Overdue)
		}
	})

	t.Run("invalid answers", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/cc-3", "https://social.platform.test/v/cc-3")
		removal := w.removalRequest(c.ID)
		referral := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
		onRemoval := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction)
		onReferral := w.deliveryTo(referral.ID, w.platform, takedown.PurposeAction)
		for _, tc := range []struct {
			name     string
			op       *takedown.Operator
			delivery int64
			in       takedown.AnswerInput
			field    string
		}{
			{"no reason", w.host, onRemoval.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply, Text: "We cannot."}, "reason"},
			{"unknown reason", w.host, onRemoval.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply, Reason: "busy", Text: "We cannot."}, "reason"},
			{"no text", w.host, onRemoval.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply, Reason: takedown.ReasonForceMajeure, Text: "  "}, "text"},
			{"on a referral", w.platform, onReferral.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply,
				Reason: takedown.ReasonManifestError, Text: "Not our content."}, "kind"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := w.snapshot()
				_, err := w.svc.Answer(w.asOperator(tc.op), tc.delivery, tc.in)
				wantCode(t, err, takedown.EINVALID)
				if got := takedown.ErrorField(err); got != tc.field {
					t.Errorf("field = %q, want %q", got, tc.field)
				}
				if w.snapshot() != before {
					t.Error("an invalid answer wrote something")
				}
			})
		}
	})
}

// TestDisputeKeepsDeadline proves that contesting a measure does not suspend it: a disputed
// removal request becomes overdue after 24 hours, and the authority's answer to the dispute
// leaves the deadline where it was.
func TestDisputeKeepsDeadline(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/dispute-1")
	m := w.removalRequest(c.ID)
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	deadline := *action.DeadlineAt
	w.clock.Advance(time.Hour)
	d := must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDispute,
		Text: "This is a news report about the attack, not an apology."}))(t)
	if d.State != takedown.DeliveryDisputed || !d.DeadlineAt.Equal(deadline) || d.Deadline != takedown.DeadlineRunning {
		t.Fatalf("after dispute: state %s deadline %v status %s", d.State, d.DeadlineAt, d.Deadline)
	}
	_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDispute, Text: "Again."})
	wantCode(t, err, takedown.ECONFLICT)

	d = must(w.svc.Clarify(w.as(w.officer), action.ID, "The video's commentary calls the attackers martyrs; it is apology."))(t)
	if d.State != takedown.DeliveryAcknowledged || !d.DeadlineAt.Equal(deadline) || d.Clarification == nil {
		t.Fatalf("after clarification: state %s deadline %v (want %v)", d.State, d.DeadlineAt, deadline)
	}
	if res := w.tick(22*time.Hour + 59*time.Minute); res.Overdue != 0 {
		t.Fatalf("overdue before the deadline = %d", res.Overdue)
	}

	// A dispute made late does not stop the clock either.
	must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDispute, Text: "We still disagree."}))(t)
	if res := w.tick(2 * time.Minute); res.Overdue != 1 {
		t.Fatalf("overdue after 24 h while disputed = %d, want 1", res.Overdue)
	}
	if got := w.delivery(action.ID).Deadline; got != takedown.DeadlineOverdue {
		t.Errorf("deadline status = %s, want overdue", got)
	}
	if !w.caseByID(c.ID).Overdue {
		t.Error("case not overdue with a disputed removal past its deadline")
	}
	d = must(w.svc.Clarify(w.as(w.supervisor), action.ID, "Our position is unchanged; you may apply to the court."))(t)
	if !d.DeadlineAt.Equal(deadline) || d.Deadline != takedown.DeadlineOverdue {
		t.Errorf("clarifying a late dispute moved the deadline to %v (%s), want %v", d.DeadlineAt, d.Deadline, deadline)
	}
	_, err = w.svc.Clarify(w.as(w.officer), action.ID, "Nothing to clarify.")
	wantCode(t, err, takedown.ECONFLICT)
}

// TestReferral proves that a referral is voluntary: it has no deadline and never becomes
// overdue, the platform may decline it (the measure is then declined) or comply with it, and
// only a referral can be declined.
func TestReferral(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://social.platform.test/p/ref-1", "https://video.host.test/v/ref-2")
	declined := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	complied := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.host.ID})
	for _, m := range []*takedown.Measure{declined, complied} {
		if m.State != takedown.MeasureIssued {
			t.Fatalf("referral state = %s", m.State)
		}
		for _, d := range w.deliveries(m.ID) {
			if d.Purpose != takedown.PurposeAction {
				t.Errorf("referral sent a %s delivery to operator %d", d.Purpose, d.OperatorID)
			}
			if d.HasDeadline || d.DeadlineAt != nil || d.Deadline != takedown.DeadlineNone {
				t.Errorf("referral delivery has deadline %v status %s", d.DeadlineAt, d.Deadline)
			}
		}
	}
	if res := w.tick(30 * 24 * time.Hour); res.Overdue != 0 {
		t.Fatalf("referrals overdue after 30 days = %d", res.Overdue)
	}
	if w.caseByID(c.ID).Overdue {
		t.Error("case overdue with only referrals")
	}

	toPlatform := w.deliveryTo(declined.ID, w.platform, takedown.PurposeAction)
	_, err := w.svc.Answer(w.asOperator(w.platform), toPlatform.ID, takedown.AnswerInput{Kind: takedown.AnswerDecline})
	wantCode(t, err, takedown.EINVALID)
	d := must(w.svc.Answer(w.asOperator(w.platform), toPlatform.ID, takedown.AnswerInput{Kind: takedown.AnswerDecline,
		Text: "The content does not break our community guidelines."}))(t)
	if d.State != takedown.DeliveryDeclined {
		t.Errorf("delivery after decline = %s", d.State)
	}
	if got := w.measure(declined.ID); got.State != takedown.MeasureDeclined || got.EndedAt == nil {
		t.Errorf("referral after decline = %s ended %v, want declined", got.State, got.EndedAt)
	}

	toHost := w.deliveryTo(complied.ID, w.host, takedown.PurposeAction)
	must(w.svc.Answer(w.asOperator(w.host), toHost.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	if got := w.measure(complied.ID); got.State != takedown.MeasureComplied || got.EndedAt == nil {
		t.Errorf("referral after comply = %s ended %v, want complied", got.State, got.EndedAt)
	}

	removal := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.platform.ID})
	action := w.deliveryTo(removal.ID, w.platform, takedown.PurposeAction)
	_, err = w.svc.Answer(w.asOperator(w.platform), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDecline, Text: "We decline."})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "not optional")
}

// TestAnswersByPurposeAndState proves who may answer what: information, advance information
// and withdrawals can only be acknowledged; a second acknowledgement writes nothing; a
// finished or withdrawn delivery takes no answer; an operator answers only its own
// deliveries, and only operators answer.
func TestAnswersByPurposeAndState(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/ans-1", "https://social.platform.test/v/ans-1")
	removal := w.removalRequest(c.ID)
	order := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID})
	c2 := w.approvedCase("https://video.host.test/v/ans-2", "https://social.platform.test/v/ans-2")
	withdrawn := w.removalRequest(c2.ID)
	must(w.svc.WithdrawMeasure(w.as(w.officer), withdrawn.ID, "Sent by mistake."))(t)

	information := w.deliveryTo(removal.ID, w.isp1, takedown.PurposeInformation)
	advance := w.deliveryTo(order.ID, w.platform, takedown.PurposeAdvanceInformation)
	withdrawal := w.deliveryTo(withdrawn.ID, w.host, takedown.PurposeWithdrawal)
	cancelled := w.deliveryTo(withdrawn.ID, w.host, takedown.PurposeAction)

	t.Run("only acknowledged", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			op   *takedown.Operator
			d    *takedown.Delivery
		}{
			{"information", w.isp1, information},
			{"advance information", w.platform, advance},
			{"withdrawal", w.host, withdrawal},
		} {
			for _, in := range []takedown.AnswerInput{
				{Kind: takedown.AnswerComply},
				{Kind: takedown.AnswerDispute, Text: "We disagree."},
				{Kind: takedown.AnswerCannotComply, Reason: takedown.ReasonManifestError, Text: "Wrong address."},
			} {
				t.Run(tc.name+" "+string(in.Kind), func(t *testing.T) {
					_, err := w.svc.Answer(w.asOperator(tc.op), tc.d.ID, in)
					wantCode(t, err, takedown.EINVALID)
					wantMessage(t, err, "can only be acknowledged")
				})
			}
			t.Run(tc.name+" acknowledged", func(t *testing.T) {
				d := must(w.svc.Answer(w.asOperator(tc.op), tc.d.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}))(t)
				if d.State != takedown.DeliveryAcknowledged || d.AcknowledgedAt == nil {
					t.Errorf("after acknowledgement: state %s at %v", d.State, d.AcknowledgedAt)
				}
			})
		}
	})

	t.Run("acknowledging twice writes nothing", func(t *testing.T) {
		w.clock.Advance(time.Minute)
		before, events := w.snapshot(), w.eventCount()
		d := must(w.svc.Answer(w.asOperator(w.isp1), information.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}))(t)
		if got := w.eventCount(); got != events {
			t.Errorf("events after a second acknowledgement = %d, want %d", got, events)
		}
		if w.snapshot() != before {
			t.Error("a second acknowledgement changed the store")
		}
		if d.State != takedown.DeliveryAcknowledged {
			t.Errorf("state = %s", d.State)
		}
	})

	t.Run("after complied is a conflict", func(t *testing.T) {
		action := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction)
		must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
		for _, in := range []takedown.AnswerInput{
			{Kind: takedown.AnswerComply},
			{Kind: takedown.AnswerDispute, Text: "On reflection we disagree."},
			{Kind: takedown.AnswerCannotComply, Reason: takedown.ReasonManifestError, Text: "Wrong address."},
		} {
			_, err := w.svc.Answer(w.asOperator(w.host), action.ID, in)
			wantCode(t, err, takedown.ECONFLICT)
		}
	})

	t.Run("a withdrawn measure's delivery is a conflict", func(t *testing.T) {
		if cancelled.State != takedown.DeliveryCancelled {
			t.Fatalf("action of the withdrawn request = %s, want cancelled", cancelled.State)
		}
		for _, k := range []takedown.AnswerKind{takedown.AnswerAcknowledge, takedown.AnswerComply} {
			_, err := w.svc.Answer(w.asOperator(w.host), cancelled.ID, takedown.AnswerInput{Kind: k})
			wantCode(t, err, takedown.ECONFLICT)
			wantMessage(t, err, "withdrawn")
		}
	})

	t.Run("another operator's delivery is forbidden", func(t *testing.T) {
		action := w.deliveryTo(order.ID, w.platform, takedown.PurposeAdvanceInformation)
		for _, op := range []*takedown.Operator{w.host, w.isp1, w.search} {
			_, err := w.svc.Answer(w.asOperator(op), action.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
			wantCode(t, err, takedown.EFORBIDDEN)
			_, _, err = w.svc.Notice(w.asOperator(op), action.ID)
			wantCode(t, err, takedown.EFORBIDDEN)
		}
	})

	t.Run("only operators answer", func(t *testing.T) {
		for _, u := range []*takedown.User{w.officer, w.supervisor, w.controller, w.flagger, w.admin} {
			_, err := w.svc.Answer(w.as(u), information.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
			wantCode(t, err, takedown.EFORBIDDEN)
		}
		_, err := w.svc.Answer(t.Context(), information.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
		wantCode(t, err, takedown.EUNAUTHORIZED)
	})
}
