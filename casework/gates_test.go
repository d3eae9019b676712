package casework_test

import (
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/safety"
)

// gatedWorld is a world whose gates protect protected.example and hold a version of more
// than two changes.
func gatedWorld(t *testing.T) *world {
	w := newWorld(t)
	c, err := safety.Parse([]byte(`{"never_block": [{"name": "protected.example", "why": "a major service"}],
		"shared_hosts": [{"name": "links.example", "why": "a link shortener"}], "max_changes": 2, "max_share": 1, "share_floor": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	w.svc.WithGates(c)
	return w
}

// propose proposes blocking on a new case of the URLs, with the given targets.
func (w *world) propose(targets []string, subtree bool, urls ...string) *takedown.Measure {
	w.t.Helper()
	return w.issue(w.approvedCase(urls...).ID, takedown.MeasureInput{Kind: takedown.Blocking, Targets: targets, Subtree: subtree,
		PublisherUnidentified: "No legal notice."})
}

func gates(objections []takedown.Objection) []takedown.Gate {
	var out []takedown.Gate
	for _, o := range objections {
		out = append(out, o.Gate)
	}
	return out
}

// TestNeverBlockNeedsTwoSupervisors: a name under a never-block name is proposed with the
// objection; approving it holds it, recorded, until two different supervisors have overridden
// the gate, with reasons; an officer cannot override, nor a supervisor twice.
func TestNeverBlockNeedsTwoSupervisors(t *testing.T) {
	w := gatedWorld(t)
	m := w.propose(nil, false, "https://www.protected.example/page")
	if got := gates(m.Objections); len(got) != 1 || got[0] != takedown.GateNeverBlock {
		t.Fatalf("objections on proposal = %v, want never_block", m.Objections)
	}
	wantMessage(t, errorOf(m.Objections), "www.protected.example is under protected.example", "a major service")

	m = must(w.svc.ApproveMeasure(w.as(w.supervisor), m.ID))(t)
	if m.State != takedown.MeasureProposed || w.countEvents(takedown.EventMeasureHeld) != 1 {
		t.Fatalf("after approval: %s with %d held events, want held", m.State, w.countEvents(takedown.EventMeasureHeld))
	}
	if _, v := w.listChanges(takedown.Blocking); v != 0 {
		t.Fatalf("a held measure published version %d", v)
	}
	override := takedown.OverrideInput{Gate: takedown.GateNeverBlock, Reasons: "The page is on a subdomain the service lets users create."}
	_, err := w.svc.Override(w.as(w.officer), m.ID, override)
	wantCode(t, err, takedown.EFORBIDDEN)
	_, err = w.svc.Override(w.as(w.supervisor), m.ID, takedown.OverrideInput{Gate: takedown.GateSharedHost, Reasons: "Wrong gate."})
	wantCode(t, err, takedown.EPRECONDITION)
	must(w.svc.Override(w.as(w.supervisor), m.ID, override))(t)
	_, err = w.svc.Override(w.as(w.supervisor), m.ID, override)
	wantCode(t, err, takedown.ECONFLICT)
	if m = must(w.svc.ApproveMeasure(w.as(w.supervisor), m.ID))(t); m.State != takedown.MeasureProposed {
		t.Fatalf("after one override: %s, want still held", m.State)
	}
	must(w.svc.Override(w.as(w.supervisor2), m.ID, override))(t)
	if m = must(w.svc.ApproveMeasure(w.as(w.supervisor), m.ID))(t); m.State != takedown.MeasureInForce {
		t.Fatalf("after two overrides: %s, want in force", m.State)
	}
	if n := w.countEvents(takedown.EventMeasureOverridden); n != 2 {
		t.Errorf("%d overrides recorded, want 2", n)
	}
}

// errorOf joins objections' reasons into an error, for wantMessage.
func errorOf(objections []takedown.Objection) error {
	var msg string
	for _, o := range objections {
		msg += o.Reason + "\n"
	}
	return takedown.Errorf(takedown.EPRECONDITION, "%s", msg)
}

// TestSharedHost: a platform of the registry, a configured link shortener, or a subtree
// holding one is objected to; the offending host name under it is not.
func TestSharedHost(t *testing.T) {
	w := gatedWorld(t)
	for name, m := range map[string]*takedown.Measure{
		"a platform's domain":     w.propose(nil, false, "https://social.platform.test/p/1"),
		"a link shortener":        w.propose(nil, false, "https://links.example/abc"),
		"a subtree holding a one": w.propose([]string{"platform.test"}, true, "https://platform.test/x", "https://social.platform.test/p/2"),
	} {
		if got := gates(m.Objections); len(got) != 1 || got[0] != takedown.GateSharedHost {
			t.Errorf("%s: objections %v, want shared_host", name, m.Objections)
		}
		if m = must(w.svc.ApproveMeasure(w.as(w.supervisor), m.ID))(t); m.State != takedown.MeasureProposed {
			t.Errorf("%s: approved into %s, want held", name, m.State)
		}
	}
	narrowed := w.propose(nil, false, "https://someone.social.platform.test/p/3")
	if len(narrowed.Objections) != 0 {
		t.Errorf("a user's host name under the platform: objections %v", narrowed.Objections)
	}
	if m := must(w.svc.ApproveMeasure(w.as(w.supervisor), narrowed.ID))(t); m.State != takedown.MeasureInForce {
		t.Errorf("the narrowed measure is %s, want in force", m.State)
	}
}

// TestDiffSizeNeedsSecondApproval: a version of more changes than allowed waits for a second
// supervisor's approval; ending it needs a supervisor other than the one ending it to let it
// through first.
func TestDiffSizeNeedsSecondApproval(t *testing.T) {
	w := gatedWorld(t)
	m := w.propose(nil, false, "https://a.bad.example/1", "https://b.bad.example/1", "https://c.bad.example/1")
	m = must(w.svc.ApproveMeasure(w.as(w.supervisor), m.ID))(t)
	if got := gates(m.Objections); m.State != takedown.MeasureProposed || len(got) != 1 || got[0] != takedown.GateDiffSize {
		t.Fatalf("after the first approval: %s %v, want held by diff_size", m.State, m.Objections)
	}
	wantMessage(t, errorOf(m.Objections), "changes 3 entries of a list of 0")
	_, err := w.svc.ApproveMeasure(w.as(w.supervisor), m.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
	if m = must(w.svc.ApproveMeasure(w.as(w.supervisor2), m.ID))(t); m.State != takedown.MeasureInForce {
		t.Fatalf("after the second approval: %s, want in force", m.State)
	}

	_, err = w.svc.WithdrawMeasure(w.as(w.supervisor), m.ID, "Listed by mistake.")
	wantCode(t, err, takedown.EPRECONDITION)
	wantMessage(t, err, "ending measure", "is held", "diff_size")
	_, err = w.svc.Override(w.as(w.supervisor2), m.ID, takedown.OverrideInput{Gate: takedown.GateNeverBlock, Reasons: "No."})
	wantCode(t, err, takedown.EPRECONDITION)
	must(w.svc.Override(w.as(w.supervisor2), m.ID, takedown.OverrideInput{Gate: takedown.GateDiffSize, Reasons: "The three names go together."}))(t)
	if m = must(w.svc.WithdrawMeasure(w.as(w.supervisor), m.ID, "Listed by mistake."))(t); m.State != takedown.MeasureWithdrawn {
		t.Fatalf("after the override: %s, want withdrawn", m.State)
	}
	if _, v := w.listChanges(takedown.Blocking); v != 2 {
		t.Errorf("the list is at version %d, want 2", v)
	}
}

// TestRollback: one command returns the list to its previous version, whichever way the
// latest went, with the deliveries that follow, recorded; only a supervisor can.
func TestRollback(t *testing.T) {
	w := newWorld(t)
	kept := w.listInForce(w.approvedCase("https://kept.example/a").ID, takedown.Blocking)
	bad := w.listInForce(w.approvedCase("https://wrong.example/b").ID, takedown.Blocking)
	_, err := w.svc.Rollback(w.as(w.officer), takedown.Blocking, "Wrong name.")
	wantCode(t, err, takedown.EFORBIDDEN)

	v := must(w.svc.Rollback(w.as(w.supervisor), takedown.Blocking, "The name was listed by mistake."))(t)
	if v.Version != 3 || v.Removed != 1 || v.Added != 0 || v.MeasureID != bad.ID {
		t.Fatalf("rollback made %+v, want version 3 removing measure %d's name", v, bad.ID)
	}
	if m := w.measure(bad.ID); m.State != takedown.MeasureWithdrawn {
		t.Errorf("the rolled-back measure is %s, want withdrawn", m.State)
	}
	restoration := w.deliveryTo(bad.ID, w.isp1, takedown.PurposeRestoration)
	if restoration.ListVersion != 3 || !restoration.HasDeadline {
		t.Errorf("the restoration to ISP One: %+v", restoration)
	}

	// Rolling back the rollback puts the measure back in force and cancels the restorations.
	v = must(w.svc.Rollback(w.as(w.supervisor2), takedown.Blocking, "The listing was right after all."))(t)
	if v.Version != 4 || v.Added != 1 {
		t.Fatalf("second rollback made %+v", v)
	}
	if m := w.measure(bad.ID); m.State != takedown.MeasureInForce || m.Ending != nil {
		t.Errorf("the restored measure is %s (ending %v), want in force", m.State, m.Ending)
	}
	if d := w.delivery(restoration.ID); d.State != takedown.DeliveryCancelled {
		t.Errorf("the restoration is %s, want cancelled", d.State)
	}
	if n := w.countEvents(takedown.EventListRolledBack); n != 2 {
		t.Errorf("%d rollbacks recorded, want 2", n)
	}
	got, _ := w.listChanges(takedown.Blocking)
	if want := "1 +kept.example"; got[:len(want)] != want {
		t.Errorf("list history:\n%s", got)
	}
	if m := w.measure(kept.ID); m.State != takedown.MeasureInForce {
		t.Errorf("the other measure is %s", m.State)
	}
	_, err = w.svc.Rollback(w.as(w.supervisor), takedown.Dereferencing, "Nothing to undo.")
	wantCode(t, err, takedown.ENOTFOUND)
}
