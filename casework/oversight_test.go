package casework_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/takedown-project/takedown/casework"

	"github.com/takedown-project/takedown"
)

// TestRecommendations proves the independent controller's powers and their limits: only the
// controller recommends, one open recommendation per measure, never on an ended measure;
// following ends the measure (withdrawn or lifted), declining needs reasons, court referral
// comes only after a decline, and an upheld measure stays in force.
func TestRecommendations(t *testing.T) {
	reasons := "The predicate act was not a terrorist act in law."

	t.Run("only the controller recommends, once at a time, on an active measure", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/rec-1")
		m := w.removalRequest(c.ID)
		for _, u := range []*takedown.User{w.officer, w.supervisor, w.admin, w.flagger, w.operatorUser[w.host.ID]} {
			_, err := w.svc.Recommend(w.as(u), m.ID, reasons)
			wantCode(t, err, takedown.EFORBIDDEN)
		}
		_, err := w.svc.Recommend(context.Background(), m.ID, reasons)
		wantCode(t, err, takedown.EUNAUTHORIZED)
		_, err = w.svc.Recommend(w.as(w.controller), m.ID, " ")
		wantCode(t, err, takedown.EINVALID)
		_, err = w.svc.Recommend(w.as(w.controller), 9999, reasons)
		wantCode(t, err, takedown.EINVALID)

		r := must(w.svc.Recommend(w.as(w.controller), m.ID, reasons))(t)
		if r.State != takedown.RecommendationOpen || r.By != w.controller.ID || r.CaseID != c.ID {
			t.Fatalf("recommendation = %+v", r)
		}
		_, err = w.svc.Recommend(w.as(w.controller), m.ID, "A second opinion.")
		wantCode(t, err, takedown.ECONFLICT)

		// Once answered, the controller may recommend again on the same measure.
		must(w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{Reasons: "The act was terrorist."}))(t)
		must(w.svc.Recommend(w.as(w.controller), m.ID, "New facts: the prosecutor dropped the terrorism charge."))(t)

		ended := w.removalRequest(w.approvedCase("https://video.host.test/v/rec-2").ID)
		must(w.svc.Answer(w.asOperator(w.host), w.deliveryTo(ended.ID, w.host, takedown.PurposeAction).ID,
			takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
		_, err = w.svc.Recommend(w.as(w.controller), ended.ID, reasons)
		wantCode(t, err, takedown.ECONFLICT)
	})

	t.Run("following withdraws a removal request", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/rec-3")
		m := w.removalRequest(c.ID)
		r := must(w.svc.Recommend(w.as(w.controller), m.ID, reasons))(t)
		_, err := w.svc.AnswerRecommendation(w.as(w.officer), r.ID, takedown.RecommendationAnswer{Follow: true, Reasons: "Agreed."})
		wantCode(t, err, takedown.EFORBIDDEN)
		_, err = w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{Follow: true})
		wantCode(t, err, takedown.EINVALID)
		r = must(w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{Follow: true,
			Reasons: "We agree with the controller."}))(t)
		if r.State != takedown.RecommendationFollowed || r.Answer == nil || r.Answer.By != w.supervisor.ID {
			t.Fatalf("recommendation = %s %+v", r.State, r.Answer)
		}
		if got := w.measure(m.ID).State; got != takedown.MeasureWithdrawn {
			t.Errorf("removal request after a followed recommendation = %s, want withdrawn", got)
		}
		for _, op := range []*takedown.Operator{w.host, w.isp1, w.isp2} {
			w.deliveryTo(m.ID, op, takedown.PurposeWithdrawal)
		}
		_, err = w.svc.AnswerRecommendation(w.as(w.supervisor2), r.ID, takedown.RecommendationAnswer{Reasons: "Second answer."})
		wantCode(t, err, takedown.ECONFLICT)
		_, err = w.svc.ReferToCourt(w.as(w.controller), r.ID, takedown.CourtReferralInput{Court: "Tribunal administratif d'Exemple", Reference: "2600001"})
		wantCode(t, err, takedown.ECONFLICT)
	})

	t.Run("following lifts a list", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/rec-4")
		m := w.listInForce(c.ID, takedown.Blocking)
		r := must(w.svc.Recommend(w.as(w.controller), m.ID, reasons))(t)
		must(w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{Follow: true, Reasons: "Agreed."}))(t)
		if got := w.measure(m.ID).State; got != takedown.MeasureLifted {
			t.Errorf("blocking after a followed recommendation = %s, want lifted", got)
		}
		for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
			if d := w.deliveryTo(m.ID, isp, takedown.PurposeRestoration); !d.HasDeadline {
				t.Errorf("restoration to %s has no deadline", isp.Name)
			}
		}
	})

	t.Run("declined, referred, upheld", func(t *testing.T) {
		w := newWorld(t)
		c := w.approvedCase("https://video.host.test/v/rec-5")
		m := w.listInForce(c.ID, takedown.Blocking)
		r := must(w.svc.Recommend(w.as(w.controller), m.ID, reasons))(t)
		court := takedown.CourtReferralInput{Court: "Tribunal administratif d'Exemple", Reference: "2600002"}
		_, err := w.svc.ReferToCourt(w.as(w.controller), r.ID, court)
		wantCode(t, err, takedown.ECONFLICT)
		_, err = w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{Reasons: "   "})
		wantCode(t, err, takedown.EINVALID)
		r = must(w.svc.AnswerRecommendation(w.as(w.supervisor), r.ID, takedown.RecommendationAnswer{
			Reasons: "The prosecutor qualified the act as terrorist."}))(t)
		if r.State != takedown.RecommendationDeclined {
			t.Fatalf("state = %s, want declined", r.State)
		}
		if got := w.measure(m.ID).State; got != takedown.MeasureInForce {
			t.Fatalf("declining ended the measure: %s", got)
		}
		_, err = w.svc.RecordCourtOutcome(w.as(w.controller), r.ID, takedown.CourtOutcomeInput{Outcome: takedown.CourtUpheld, Summary: "Upheld."})
		wantCode(t, err, takedown.ECONFLICT)
		_, err = w.svc.ReferToCourt(w.as(w.supervisor), r.ID, court)
		wantCode(t, err, takedown.EFORBIDDEN)
		r = must(w.svc.ReferToCourt(w.as(w.controller), r.ID, court))(t)
		if r.State != takedown.RecommendationReferred || r.Court == nil || r.Court.Reference != "2600002" {
			t.Fatalf("after referral: %s %+v", r.State, r.Court)
		}
		_, err = w.svc.ReferToCourt(w.as(w.controller), r.ID, court)
		wantCode(t, err, takedown.ECONFLICT)
		_, err = w.svc.RecordCourtOutcome(w.as(w.supervisor), r.ID, takedown.CourtOutcomeInput{Outcome: takedown.CourtUpheld, Summary: "Upheld."})
		wantCode(t, err, takedown.EFORBIDDEN)
		r = must(w.svc.RecordCourtOutcome(w.as(w.controller), r.ID, takedown.CourtOutcomeInput{Outcome: takedown.CourtUpheld,
			Summary: "The court found the content to be apology of terrorism."}))(t)
		if r.State != takedown.RecommendationDecided || r.Court.Outcome != takedown.CourtUpheld || r.Court.DecidedAt == nil {
			t.Fatalf("after the ruling: %s %+v", r.State, r.Court)
		}
		if got := w.measure(m.ID); got.State != takedown.MeasureInForce || got.EndedAt != nil {
			t.Errorf("an upheld measure was ended: %s", got.State)
		}
		for _, d := range w.deliveries(m.ID) {
			if d.Purpose == takedown.PurposeRestoration || d.State == takedown.DeliveryCancelled {
				t.Errorf("an upheld measure sent or cancelled delivery %d (%s, %s)", d.ID, d.Purpose, d.State)
			}
		}
		_, err = w.svc.RecordCourtOutcome(w.as(w.controller), r.ID, takedown.CourtOutcomeInput{Outcome: takedown.CourtAnnulled, Summary: "Again."})
		wantCode(t, err, takedown.ECONFLICT)
	})
}

// TestRecordCannotBeErased proves that the schema itself keeps the record: with plain SQL on
// the database file, events can be neither deleted nor changed, and recommendations can be
// neither deleted nor have their text or author changed.
func TestRecordCannotBeErased(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/erase-1")
	m := w.removalRequest(c.ID)
	must(w.svc.Recommend(w.as(w.controller), m.ID, "The content is journalism."))(t)
	before := w.snapshot()

	db := w.db.SQL(t)
	for _, tc := range []struct{ stmt, want string }{
		{`DELETE FROM events`, "events are append-only"},
		{`DELETE FROM events WHERE id = (SELECT MAX(id) FROM events)`, "events are append-only"},
		{`UPDATE events SET kind = 'x'`, "events are append-only"},
		{`UPDATE events SET data = '{}' WHERE id = 1`, "events are append-only"},
		{`DELETE FROM recommendations`, "recommendations are never deleted"},
		{`UPDATE recommendations SET reasons = 'x'`, "never change"},
		{`UPDATE recommendations SET by_user = 0`, "never change"},
		{`UPDATE recommendations SET measure_id = measure_id`, "never change"},
	} {
		t.Run(tc.stmt, func(t *testing.T) {
			_, err := db.Exec(tc.stmt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one saying %q", tc.stmt, err, tc.want)
			}
		})
	}
	if w.snapshot() != before {
		t.Error("the record changed")
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM recommendations`).Scan(&n); err != nil || n != 1 {
		t.Errorf("recommendations = %d (%v), want 1", n, err)
	}
}

// TestStaffAccountsAreManagedOffline: an API administrator registers operators' users and
// trusted flaggers, but cannot create, unlock (issue a token for) or disable an officer,
// supervisor, controller or administrator; the local administrator can, and it is recorded.
func TestStaffAccountsAreManagedOffline(t *testing.T) {
	w := newWorld(t)
	api := w.as(w.admin)
	local := takedown.NewContextWithUser(context.Background(), casework.LocalAdmin)
	for _, staff := range []*takedown.User{w.officer, w.supervisor, w.controller} {
		before := w.snapshot()
		_, err := w.svc.IssueToken(api, staff.ID, false)
		wantCode(t, err, takedown.EFORBIDDEN)
		_, err = w.svc.DisableUser(api, staff.ID)
		wantCode(t, err, takedown.EFORBIDDEN)
		if w.snapshot() != before {
			t.Errorf("refused changes to %s wrote something", staff.Name)
		}
	}
	for _, role := range []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleAdmin} {
		_, _, err := w.svc.CreateUser(api, takedown.UserInput{Name: "Second " + string(role), Role: role})
		wantCode(t, err, takedown.EFORBIDDEN)
		wantMessage(t, err, "takedown admin user")
	}
	if _, _, err := w.svc.CreateUser(api, takedown.UserInput{Name: "Golf Trust & Safety", Role: takedown.RoleFlagger}); err != nil {
		t.Fatalf("the API administrator cannot add a trusted flagger: %v", err)
	}
	token := must(w.svc.IssueToken(local, w.supervisor.ID, true))(t)
	if u := must(w.svc.Authenticate(context.Background(), token))(t); u.ID != w.supervisor.ID {
		t.Errorf("the local administrator's token belongs to user %d", u.ID)
	}
	if n := w.countEvents(takedown.EventTokenIssued); n == 0 {
		t.Error("no token.issued event")
	}
}

// TestTokensAreStoredHashed: the database holds a token's SHA-256, never the token itself, so a
// copy of the file opens no account.
func TestTokensAreStoredHashed(t *testing.T) {
	w := newWorld(t)
	_, secret, err := w.svc.CreateUser(w.as(w.admin), takedown.UserInput{Name: "Hash Trust & Safety", Role: takedown.RoleFlagger})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := w.db.SQL(t).Query(`SELECT hash FROM tokens`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var hash []byte
		if err := rows.Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(hash), secret) {
			t.Fatal("a token is stored in clear")
		}
		found = found || bytes.Equal(hash, takedown.HashToken(secret))
	}
	if !found {
		t.Error("the new token's hash is not stored")
	}
	if got := sha256.Sum256([]byte(secret)); !bytes.Equal(takedown.HashToken(secret), got[:]) {
		t.Error("HashToken is not SHA-256")
	}
}
