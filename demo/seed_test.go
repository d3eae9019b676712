package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/demo"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
)

// TestSeed: the demo world shows every case state, the measures and deadlines a newcomer
// should see, and something waiting for every role; every account's token works.
func TestSeed(t *testing.T) {
	dir := t.TempDir()
	clock := takedown.NewSimClock(time.Now().Add(-demo.History), time.Now)
	db := storetest.Open(t, clock)
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	world, err := demo.Seed(context.Background(), svc, clock)
	if err != nil {
		t.Fatal(err)
	}
	if world.Reports < 30 {
		t.Errorf("%d reports; the demo promises a few dozen", world.Reports)
	}
	for _, a := range world.Accounts {
		if u, err := svc.Authenticate(context.Background(), a.Token); err != nil || u.ID != a.User.ID {
			t.Errorf("token of %s (%s) does not authenticate: %v", a.Env, a.User.Name, err)
		}
	}
	ctx := takedown.NewContextWithUser(context.Background(), world.Accounts[1].User) // an officer
	all := takedown.Page{Limit: takedown.MaxPageLimit}
	cases, _, err := svc.Cases(ctx, takedown.CaseFilter{Page: all})
	if err != nil {
		t.Fatal(err)
	}
	caseStates := map[takedown.CaseState]bool{}
	for _, c := range cases {
		caseStates[c.State] = true
	}
	for _, st := range takedown.CaseStates {
		if !caseStates[st] {
			t.Errorf("no case is %s", st)
		}
	}
	measures, _, err := svc.Measures(ctx, takedown.MeasureFilter{Page: all})
	if err != nil {
		t.Fatal(err)
	}
	measureStates := map[takedown.MeasureState]bool{}
	for _, m := range measures {
		measureStates[m.State] = true
	}
	for _, st := range []takedown.MeasureState{takedown.MeasureScheduled, takedown.MeasureProposed, takedown.MeasureIssued,
		takedown.MeasureInForce, takedown.MeasureComplied, takedown.MeasureDeclined} {
		if !measureStates[st] {
			t.Errorf("no measure is %s", st)
		}
	}
	counts, err := svc.DeadlineCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []takedown.DeadlineStatus{takedown.DeadlineRunning, takedown.DeadlinePaused, takedown.DeadlineMet, takedown.DeadlineOverdue} {
		if counts[st] == 0 {
			t.Errorf("no delivery's deadline is %s: %v", st, counts)
		}
	}
	recs, _, err := svc.Recommendations(ctx, takedown.RecommendationFilter{Page: all})
	if err != nil {
		t.Fatal(err)
	}
	recStates := map[takedown.RecommendationState]bool{}
	for _, r := range recs {
		recStates[r.State] = true
	}
	if !recStates[takedown.RecommendationOpen] || !recStates[takedown.RecommendationReferred] {
		t.Errorf("recommendations %v: want one open for the authority and one referred to court", recStates)
	}
	due, _, err := svc.Measures(ctx, takedown.MeasureFilter{RecheckDue: true, Page: all})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) == 0 {
		t.Error("no list is due for re-check")
	}
}
