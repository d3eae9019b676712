package casework_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestComplainantContactRetention: a complainant's contact is kept two months after the
// answer, then purged and listed in the purge event; one whose case is under a legal hold is
// kept until the hold is released; the controller's verification agrees each time.
func TestComplainantContactRetention(t *testing.T) {
	w := newWorld(t)
	held := w.approvedCase("https://video.host.test/watch/held-complaint")
	complain := func(address string) *takedown.Complaint {
		return must(w.svc.SubmitComplaint(context.Background(), takedown.ComplaintInput{Address: address,
			From: takedown.ComplainantPublisher, Text: "This page is lawful satire.", Contact: "owner@site.example"}))(t)
	}
	free, kept := complain("https://video.host.test/watch/other"), complain(held.URLs[0])
	for _, c := range []*takedown.Complaint{free, kept} {
		must(w.svc.AnswerComplaint(w.as(w.officer), c.ID, "The measure stands: the page glorifies an attack."))(t)
	}
	hold := must(w.svc.PlaceLegalHold(w.as(w.controller), held.ID, takedown.LegalHoldInput{Reference: "TA-2026-0412",
		Reasons: "An appeal against the measure is before the administrative court."}))(t)
	contact := func(c *takedown.Complaint) string {
		return must(w.svc.Complaint(w.as(w.officer), c.ID))(t).Contact
	}
	verify := func() {
		t.Helper()
		rep := must(w.svc.VerifyRetention(w.as(w.controller)))(t)
		if len(rep.Discrepancies) != 0 || rep.Complaints != 2 {
			t.Errorf("verification: %+v", rep)
		}
	}

	w.tick(58 * 24 * time.Hour) // 12 January to 11 March: not yet two months
	if contact(free) == "" || contact(kept) == "" {
		t.Fatal("a contact purged before two months")
	}
	verify()
	w.tick(3 * 24 * time.Hour)
	if contact(free) != "" || contact(kept) == "" {
		t.Errorf("after two months: %q and %q, want the first gone and the held one kept", contact(free), contact(kept))
	}
	verify()
	must(w.svc.ReleaseLegalHold(w.as(w.controller), hold.ID, "The court ruled."))(t)
	w.tick(2 * time.Hour)
	if contact(kept) != "" {
		t.Error("the contact is kept after the hold's release")
	}
	verify()
	var listed []int64
	for _, e := range w.events() {
		if e.Kind == takedown.EventRetentionPurged {
			var d struct{ Complaints []int64 }
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			listed = append(listed, d.Complaints...)
		}
	}
	if len(listed) != 2 || listed[0] != free.ID || listed[1] != kept.ID {
		t.Errorf("the purge events list complaints %v, want %d then %d", listed, free.ID, kept.ID)
	}

	// A contact deleted behind the procedure's back is found.
	third := complain("https://video.host.test/watch/third")
	must(w.svc.AnswerComplaint(w.as(w.officer), third.ID, "The measure stands."))(t)
	if _, err := w.db.SQL(t).Exec(`UPDATE complaints SET contact = ? WHERE id = ?`, []byte{}, third.ID); err != nil {
		t.Fatal(err)
	}
	rep := must(w.svc.VerifyRetention(w.as(w.controller)))(t)
	if len(rep.Discrepancies) != 1 || rep.Discrepancies[0].ID != third.ID || rep.Discrepancies[0].Problem != "the contact is missing, and no purge is recorded" {
		t.Errorf("verification after a contact deleted by hand: %+v", rep.Discrepancies)
	}
}
