package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/casework"
)

// TestRetentionYear runs a simulated year: a dismissed case's contact goes at closure and its
// evidence six months later, on the right day; a case under the controller's legal hold keeps
// everything until the controller releases it; an open case keeps everything; the purges are
// events of the log, proved by receipts; the verification finds nothing wrong, then finds a
// planted discrepancy.
func TestRetentionYear(t *testing.T) {
	w := newWorld(t)
	checkpoint, key := w.signing()
	file := func(url, contact string) *takedown.Report {
		return must(w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{url}, Offence: "terrorism-apology",
			Description: "A text.", GoodFaith: true, Contact: contact,
			Files: []takedown.ReportFile{{Name: "statement.txt", Data: []byte("synthetic statement " + url)}}}))(t)
	}
	ra := file("https://a.host.test/1", "a@reporter.example")
	rb := file("https://b.host.test/1", "b@reporter.example")
	rc := file("https://c.host.test/1", "c@reporter.example")
	a, b, c := ra.CaseIDs()[0], rb.CaseIDs()[0], rc.CaseIDs()[0]
	evidenceOf := func(caseID int64) *takedown.Evidence {
		list, _ := must2(w.svc.CaseEvidence(w.as(w.officer), caseID))(t)
		return list[0]
	}

	// Bad input on holds.
	_, err := w.svc.PlaceLegalHold(w.as(w.controller), 999, takedown.LegalHoldInput{Reference: "R-1", Reasons: "Review."})
	wantCode(t, err, takedown.ENOTFOUND)
	_, err = w.svc.PlaceLegalHold(w.as(w.controller), b, takedown.LegalHoldInput{Reasons: "Review."})
	wantInvalid(t, err, "reference")
	_, err = w.svc.PlaceLegalHold(w.as(w.controller), b, takedown.LegalHoldInput{Reference: strings.Repeat("r", 201), Reasons: "Review."})
	wantInvalid(t, err, "reference")
	_, err = w.svc.PlaceLegalHold(w.as(w.controller), b, takedown.LegalHoldInput{Reference: "R-1"})
	wantInvalid(t, err, "reasons")
	_, err = w.svc.PlaceLegalHold(w.asOperator(w.host), b, takedown.LegalHoldInput{Reference: "R-1", Reasons: "Review."})
	wantCode(t, err, takedown.EFORBIDDEN)

	hold := must(w.svc.PlaceLegalHold(w.as(w.controller), b, takedown.LegalHoldInput{Reference: "REVIEW-2026-07", Reasons: "Under review by the controller."}))(t)
	for _, id := range []int64{a, b} {
		must(w.svc.Dismiss(w.as(w.officer), id, "Not an offence in law."))(t)
	}
	closedAt := w.clock.Now()

	// A direct purge of held evidence is refused; the officer cannot end the controller's hold.
	_, err = w.svc.PurgeOneEvidence(w.as(w.supervisor), evidenceOf(b).ID, "Sent by mistake.")
	wantCode(t, err, takedown.EPRECONDITION)
	wantMessage(t, err, "legal hold", "REVIEW-2026-07")
	_, err = w.svc.ReleaseLegalHold(w.as(w.officer), hold.ID, "Done.")
	wantCode(t, err, takedown.EFORBIDDEN)

	// Day 1: A's contact goes (kept until closure); B's is held; C is open.
	if res := w.tick(time.Hour); res.Purged != 1 {
		t.Errorf("purged at closure: %d, want A's contact", res.Purged)
	}
	if r := must(w.svc.Report(w.as(w.officer), ra.ID))(t); r.HasContact {
		t.Errorf("A's contact is still kept")
	}
	dry := must(w.svc.Purge(w.as(w.supervisor), true))(t)
	if len(dry.Evidence) != 0 || len(dry.Held) != 1 || dry.Held[0] != hold.ID {
		t.Errorf("dry run: %+v", dry)
	}

	// Day by day: A's evidence goes on the day six months after closure.
	wantDay := closedAt.AddDate(0, 6, 0)
	var released bool
	for day := 1; day <= 365; day++ {
		w.tick(24 * time.Hour)
		now := w.clock.Now()
		ea := evidenceOf(a)
		switch {
		case now.Before(wantDay) && ea.PurgedAt != nil:
			t.Fatalf("A's evidence purged on %s, before %s", ea.PurgedAt, wantDay)
		case !now.Before(wantDay.Add(24*time.Hour)) && ea.PurgedAt == nil:
			t.Fatalf("A's evidence still kept on %s, due %s", now, wantDay)
		}
		if eb := evidenceOf(b); eb.PurgedAt != nil && !released {
			t.Fatalf("B's evidence purged under hold on %s", eb.PurgedAt)
		}
		if day == 250 {
			must(w.svc.ReleaseLegalHold(w.as(w.controller), hold.ID, "The review found the dismissal right."))(t)
			released = true
		}
	}
	eb := evidenceOf(b)
	if eb.PurgedAt == nil || eb.PurgedAt.Before(closedAt.AddDate(0, 0, 250)) || eb.HasContent {
		t.Errorf("B's evidence after the release: %+v", eb)
	}
	if r := must(w.svc.Report(w.as(w.officer), rb.ID))(t); r.HasContact {
		t.Errorf("B's contact is still kept after the release")
	}
	if ec := evidenceOf(c); ec.PurgedAt != nil || !ec.HasContent {
		t.Errorf("the open case's evidence: %+v", ec)
	}
	if r := must(w.svc.Report(w.as(w.officer), rc.ID))(t); !r.HasContact {
		t.Errorf("the open case's contact was purged")
	}
	_, err = w.svc.OpenEvidence(w.as(w.officer), evidenceOf(a).ID, casework.EvidenceAccess{Reason: "Check."})
	wantCode(t, err, takedown.ENOTFOUND)

	// The purges are in the log, with the digests, proved by receipts; so is the first event.
	checkpoint()
	purges := mustList(w.svc.Events(w.as(w.controller), takedown.EventFilter{Kind: takedown.EventRetentionPurged}))(t)
	if len(purges) != 3 { // A's contact; A's evidence; B's evidence and contact
		t.Fatalf("purge events: %d, want 3", len(purges))
	}
	var found bool
	for _, ev := range purges {
		found = found || strings.Contains(string(ev.Data), evidenceOf(a).SHA256)
		if strings.Contains(string(ev.Data), "reporter.example") {
			t.Errorf("a purge event holds a contact: %s", ev.Data)
		}
	}
	if !found {
		t.Errorf("no purge event lists A's evidence digest")
	}
	for _, ev := range append(purges, w.events()[0]) {
		p := must(w.svc.EventProof(w.as(w.controller), ev.ID))(t)
		if _, _, err := auditlog.VerifyReceipt(p.Marshal(), []note.Verifier{key}, nil); err != nil {
			t.Errorf("event %d does not verify: %v", ev.ID, err)
		}
	}

	rep := must(w.svc.VerifyRetention(w.as(w.controller)))(t)
	if len(rep.Discrepancies) != 0 || rep.Evidence != 3 || rep.Purged != 2 || rep.Contacts != 3 {
		t.Errorf("verification: %+v", rep)
	}
	// Planted: the open case's evidence deleted behind the system's back.
	if _, err := w.db.SQL(t).Exec(`UPDATE evidence SET sealed = ? WHERE id = ?`, []byte{}, evidenceOf(c).ID); err != nil {
		t.Fatal(err)
	}
	rep = must(w.svc.VerifyRetention(w.as(w.controller)))(t)
	if len(rep.Discrepancies) != 1 || rep.Discrepancies[0].ID != evidenceOf(c).ID || !strings.Contains(rep.Discrepancies[0].Problem, "missing") {
		t.Errorf("the planted discrepancy: %+v", rep.Discrepancies)
	}
	_, err = w.svc.PlaceLegalHold(w.as(w.controller), a, takedown.LegalHoldInput{Reference: "COURT-1", Reasons: "Court case."})
	wantCode(t, err, takedown.EPRECONDITION)
}
