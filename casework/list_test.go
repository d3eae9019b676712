package casework_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
)

// listChanges returns the changes of a list's versions, one line each, and its latest
// version.
func (w *world) listChanges(list takedown.MeasureKind) (string, int64) {
	w.t.Helper()
	var out string
	var latest int64
	err := w.db.View(w.t.Context(), func(tx takedown.Tx) error {
		v, err := tx.LatestListVersion(list)
		if takedown.ErrorCode(err) == takedown.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		latest = v.Version
		changes, err := tx.ListChanges(list, 0, v.Version)
		for _, c := range changes {
			sign := "-"
			if c.Added {
				sign = "+"
			}
			out += fmt.Sprintf("%d %s%s subtree=%v measure=%d %s\n", c.Version, sign, c.Target, c.Subtree, c.MeasureID, c.Offence)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out, latest
}

// TestListVersions: each measure coming into force or ending that changes its list makes a
// new version, recorded in the log; a name that two measures list stays listed until both
// have ended, and is listed with its subtree while either asks for it.
func TestListVersions(t *testing.T) {
	w := newWorld(t)
	a := w.listInForce(w.approvedCase("https://bad.example/a").ID, takedown.Blocking)
	c := w.approvedCase("https://bad.example/b")
	b := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, Subtree: true, PublisherUnidentified: "No legal notice."})
	must(w.svc.ApproveMeasure(w.as(w.supervisor2), b.ID))(t)
	if got, v := w.listChanges(takedown.Blocking); v != 2 || got != fmt.Sprintf(
		"1 +bad.example subtree=false measure=%[1]d terrorism-apology\n"+
			"2 -bad.example subtree=false measure=%[1]d terrorism-apology\n"+
			"2 +bad.example subtree=true measure=%[1]d terrorism-apology\n", a.ID) {
		t.Fatalf("after two measures, version %d:\n%s", v, got)
	}
	must(w.svc.WithdrawMeasure(w.as(w.supervisor), a.ID, "Listed by mistake twice."))(t)
	got, v := w.listChanges(takedown.Blocking)
	if want := fmt.Sprintf("\n3 -bad.example subtree=true measure=%d terrorism-apology\n3 +bad.example subtree=true measure=%d terrorism-apology\n", a.ID, b.ID); v != 3 || !strings.HasSuffix(got, want) {
		t.Fatalf("after the first ended, version %d:\n%s", v, got)
	}
	must(w.svc.Recheck(w.as(w.officer), b.ID, takedown.RecheckInput{Outcome: takedown.RecheckLift, Reasons: "The content is gone."}))(t)
	if got, v := w.listChanges(takedown.Blocking); v != 4 || !strings.HasSuffix(got, fmt.Sprintf("\n4 -bad.example subtree=true measure=%d terrorism-apology\n", b.ID)) {
		t.Fatalf("after both ended, version %d:\n%s", v, got)
	}
	if n := w.countEvents(takedown.EventListPublished); n != 4 {
		t.Errorf("%d list.published events, want 4", n)
	}
	if _, v := w.listChanges(takedown.Dereferencing); v != 0 {
		t.Errorf("the dereferencing list has version %d, want none", v)
	}
	w.listInForce(w.approvedCase("https://other.example/c").ID, takedown.Dereferencing)
	if got, v := w.listChanges(takedown.Dereferencing); v != 1 || got == "" {
		t.Errorf("dereferencing list: version %d:\n%s", v, got)
	}
}
