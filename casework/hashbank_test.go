package casework_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// syntheticImage draws a generated picture (rings and bars, no real content) and encodes it
// as PNG, or as JPEG when jpegQuality > 0: the same picture re-encoded, as a re-upload is.
func syntheticImage(t *testing.T, seed float64, jpegQuality int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			d := math.Hypot(float64(x)-160, float64(y)-120)
			v := 128 + 100*math.Sin(d/(6+seed)) + 20*math.Cos(float64(x)/(17+seed))
			img.Set(x, y, color.RGBA{uint8(v), uint8(255 - v), uint8(x * 255 / 320), 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if jpegQuality > 0 {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (w *world) reportWithFile(url string, data []byte) *takedown.Report {
	w.t.Helper()
	return must(w.svc.SubmitReport(w.as(w.flagger), takedown.ReportInput{URLs: []string{url}, Offence: "terrorism-apology",
		Description: "A picture praising an attack.", GoodFaith: true, Files: []takedown.ReportFile{{Name: "picture", Data: data}}}))(w.t)
}

// approve takes a case through triage, qualification and approval.
func (w *world) approve(id int64) {
	w.t.Helper()
	must(w.svc.Accept(w.as(w.officer), id))(w.t)
	must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: apologyElements(), Reasons: "The picture glorifies the authors of the attack and calls them heroes."}))(w.t)
	must(w.svc.Approve(w.as(w.supervisor), id))(w.t)
}

// TestReportsGroupedByHash walks the intake: a report carrying an image is hashed, a later
// report of the same image re-encoded elsewhere finds the first case, the officer sees the
// match and its distance, the reporter does not.
func TestReportsGroupedByHash(t *testing.T) {
	w := newWorld(t)
	original := syntheticImage(t, 0, 0)
	first := w.reportWithFile("https://video.host.test/watch/1", original)
	if len(first.Hashes) != 3 || first.Hashes[0].Type != takedown.HashPDQ || *first.Hashes[0].Quality < 50 {
		t.Fatalf("first report's hashes: %+v, want PDQ of quality ≥ 50, SHA-256, MD5", first.Hashes)
	}
	caseA := first.URLs[0].CaseID

	second := w.reportWithFile("https://social.platform.test/p/2", syntheticImage(t, 0, 70))
	caseB := second.URLs[0].CaseID
	if caseB == caseA {
		t.Fatal("a report about another URL joined the first case; it should open its own case, related to the first")
	}
	if len(second.Matches) != 0 {
		t.Errorf("the flagger sees what its report matched: %+v", second.Matches)
	}
	r := must(w.svc.Report(w.as(w.officer), second.ID))(t)
	if len(r.Matches) != 1 || r.Matches[0].Type != takedown.HashPDQ || r.Matches[0].Distance > 31 || r.Matches[0].CaseIDs[0] != caseA {
		t.Fatalf("the officer sees matches %+v, want the first report's PDQ hash (case %d) within 31", r.Matches, caseA)
	}
	c := w.caseByID(caseB)
	if len(c.Related) != 1 || c.Related[0].CaseID != caseA || c.Related[0].Distance != r.Matches[0].Distance || c.Related[0].ReportID != second.ID {
		t.Errorf("case %d related %+v, want case %d at distance %d", caseB, c.Related, caseA, r.Matches[0].Distance)
	}

	// The same file again, at another URL: every hash matches exactly; both cases are related.
	third := w.reportWithFile("https://social.platform.test/p/3", original)
	r = must(w.svc.Report(w.as(w.officer), third.ID))(t)
	if len(r.Matches) != 4 || r.Matches[2].Distance != 0 || r.Matches[3].CaseIDs[0] != caseB {
		t.Errorf("the same file: matches %+v, want its three hashes exactly, then the re-encoded copy's PDQ hash", r.Matches)
	}
	if related := w.caseByID(third.URLs[0].CaseID).Related; len(related) != 2 || related[0].CaseID != caseA || related[0].Distance != 0 {
		t.Errorf("third case related %+v, want case %d at 0 first, then case %d", related, caseA, caseB)
	}

	// A report that gives a hash it computed itself.
	sha := first.Hashes[1]
	own := must(w.svc.SubmitReport(w.as(w.officer), takedown.ReportInput{URLs: []string{"https://video.host.test/watch/4"},
		Offence: "terrorism-apology", Description: "Found by monitoring.", GoodFaith: true,
		Hashes: []takedown.HashValue{{Type: sha.Type, Value: sha.Value}}}))(t)
	if len(own.Matches) != 1 || own.Matches[0].Type != takedown.HashSHA256 {
		t.Errorf("a report giving a SHA-256: matches %+v", own.Matches)
	}
	if n := w.countEvents(takedown.EventBankCreated); n != 1 {
		t.Errorf("%d hashbank.bank_created events, want 1 (the reports bank, made once)", n)
	}
}

func TestReportFilesBadInput(t *testing.T) {
	w := newWorld(t)
	in := func(files []takedown.ReportFile, hashes []takedown.HashValue) takedown.ReportInput {
		return takedown.ReportInput{URLs: []string{"https://video.host.test/x"}, Offence: "terrorism-apology",
			Description: "x", GoodFaith: true, Files: files, Hashes: hashes}
	}
	for name, tc := range map[string]struct {
		in    takedown.ReportInput
		parts []string
	}{
		"empty file":   {in([]takedown.ReportFile{{Name: "a"}}, nil), []string{"files[0].data", "empty"}},
		"short hash":   {in(nil, []takedown.HashValue{{Type: "pdq", Value: "abcd"}}), []string{"hashes[0]", "64 hex digits, not 4"}},
		"not hex":      {in(nil, []takedown.HashValue{{Type: "md5", Value: "zz" + string(bytes.Repeat([]byte("0"), 30))}}), []string{"hashes[0]", "not a hex digit"}},
		"unknown type": {in(nil, []takedown.HashValue{{Type: "sha1", Value: "00"}}), []string{"hashes[0]", "not a hash type"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := w.svc.SubmitReport(w.as(w.flagger), tc.in)
			wantInvalid(t, err, tc.parts[0], tc.parts[1:]...)
		})
	}
	// A file that is no image is still hashed exactly; a corrupt image too.
	r := must(w.svc.SubmitReport(w.as(w.flagger), in([]takedown.ReportFile{{Name: "notes.txt", Data: []byte("not an image")},
		{Name: "broken.png", Data: syntheticImage(t, 1, 0)[:200]}}, nil)))(t)
	if len(r.Hashes) != 4 {
		t.Errorf("hashes of a text file and a truncated PNG: %+v, want their SHA-256 and MD5 only", r.Hashes)
	}
}

func TestBanksLookupAndFeed(t *testing.T) {
	w := newWorld(t)
	officer := w.as(w.officer)
	picture := syntheticImage(t, 2, 0)
	rep := w.reportWithFile("https://video.host.test/watch/10", picture)
	caseID := rep.URLs[0].CaseID

	_, err := w.svc.CreateBank(officer, takedown.BankInput{Name: "x", Offence: "terrorism-apology", Source: takedown.SourceEvidence,
		Platforms: []int64{w.host.ID}})
	wantInvalid(t, err, "platforms[0]", "only platforms")
	_, err = w.svc.CreateBank(w.as(w.controller), takedown.BankInput{Name: "x", Offence: "terrorism-apology", Source: takedown.SourceEvidence})
	wantCode(t, err, takedown.EFORBIDDEN)
	bank := must(w.svc.CreateBank(officer, takedown.BankInput{Name: "apology evidence", Offence: "terrorism-apology",
		Source: takedown.SourceEvidence, Platforms: []int64{w.platform.ID}}))(t)
	if bank.Radius != 31 || bank.MinQuality != 50 {
		t.Errorf("bank defaults: radius %d, min quality %d; want 31, 50", bank.Radius, bank.MinQuality)
	}

	_, err = w.svc.AddCaseEvidence(officer, caseID, bank.ID)
	wantCode(t, err, takedown.EPRECONDITION) // not approved yet
	w.approve(caseID)
	added := must(w.svc.AddCaseEvidence(officer, caseID, bank.ID))(t)
	if added.Added != 3 || added.Digest == "" {
		t.Errorf("case evidence added %+v, want its 3 hashes", added)
	}

	// Lookup with a rotated, re-encoded copy: found through a dihedral variant.
	results := must(w.svc.Lookup(w.as(w.controller), casework.LookupInput{Files: []takedown.ReportFile{{Name: "copy.png", Data: rotated(t, picture)}}}))(t)
	var evidence *takedown.Match
	for _, m := range results[0].Matches {
		if m.BankID == bank.ID {
			evidence = &m
		}
	}
	if evidence == nil || evidence.Variant == 0 || evidence.CaseIDs[0] != caseID {
		t.Fatalf("lookup of a rotated copy: %+v, want the evidence bank's entry through a dihedral variant", results[0])
	}
	_, err = w.svc.Lookup(w.asOperator(w.platform), casework.LookupInput{Hashes: rep.Hashes[1:2]})
	wantCode(t, err, takedown.EFORBIDDEN)

	// The platform's feed: the whole bank, then the changes after its cursor.
	platform := w.asOperator(w.platform)
	feed := must(w.svc.HashFeed(platform, 0, 0))(t)
	if len(feed.Banks) != 1 || len(feed.Entries) != 3 || feed.Cursor != feed.Entries[2].Seq {
		t.Fatalf("first pull: %d banks, %d entries, cursor %d", len(feed.Banks), len(feed.Entries), feed.Cursor)
	}
	if again := must(w.svc.HashFeed(platform, feed.Cursor, 0))(t); len(again.Entries) != 0 || again.Cursor != feed.Cursor {
		t.Errorf("a pull with nothing new: %d entries, cursor %d", len(again.Entries), again.Cursor)
	}
	_, err = w.svc.HashFeed(w.asOperator(w.host), 0, 0)
	wantCode(t, err, takedown.EFORBIDDEN)

	md5 := feed.Entries[2]
	_, err = w.svc.ChangeEntry(officer, md5.ID, takedown.EntryChange{State: takedown.EntryTombstoned})
	wantInvalid(t, err, "reasons", "say why")
	must(w.svc.ChangeEntry(officer, md5.ID, takedown.EntryChange{State: takedown.EntryTombstoned, Reasons: "MD5 alone is too weak for this bank."}))(t)
	_, err = w.svc.ChangeEntry(officer, md5.ID, takedown.EntryChange{State: takedown.EntryActive, Reasons: "back"})
	wantCode(t, err, takedown.EPRECONDITION)
	delta := must(w.svc.HashFeed(platform, feed.Cursor, 0))(t)
	if len(delta.Entries) != 1 || delta.Entries[0].ID != md5.ID || delta.Entries[0].State != takedown.EntryTombstoned {
		t.Errorf("delta after a tombstone: %+v", delta.Entries)
	}

	// A bank shared later: its entries come in the next delta.
	imported := must(w.svc.CreateBank(officer, takedown.BankInput{Name: "partner list", Offence: "terrorism-apology", Source: takedown.SourceImported}))(t)
	res := must(w.svc.AddEntries(officer, imported.ID, []takedown.EntryInput{
		{HashValue: takedown.HashValue{Type: "md5", Value: "00112233445566778899AABBCCDDEEFF"}, Labels: []string{" Propaganda "}},
		{HashValue: takedown.HashValue{Type: "md5", Value: "00112233445566778899aabbccddeeff"}, Labels: []string{"video"}},
	}))(t)
	if res.Added != 1 || res.Merged != 1 {
		t.Errorf("adding a hash twice: %+v, want 1 added and 1 merged", res)
	}
	_, err = w.svc.AddEntries(officer, imported.ID, []takedown.EntryInput{{HashValue: takedown.HashValue{Type: "pdq", Value: "00"}}})
	wantInvalid(t, err, "entries[0]", "64 hex digits")
	must(w.svc.UpdateBank(officer, imported.ID, takedown.BankChange{Platforms: []int64{w.platform.ID}}))(t)
	delta = must(w.svc.HashFeed(platform, delta.Cursor, 0))(t)
	if len(delta.Banks) != 2 || len(delta.Entries) != 1 || delta.Entries[0].Labels[0] != "propaganda" {
		t.Errorf("after sharing a second bank: %d banks, entries %+v", len(delta.Banks), delta.Entries)
	}

	// Feedback on the shared entries; none on what is not shared.
	fb := must(w.svc.SubmitFeedback(platform, []takedown.FeedbackInput{{EntryID: feed.Entries[0].ID, Kind: takedown.FeedbackMatch, Count: 1200},
		{EntryID: feed.Entries[0].ID, Kind: takedown.FeedbackDisagree, Labels: []string{"news"}, Note: "A news report about the attack."}}))(t)
	if len(fb) != 2 {
		t.Fatal(fb)
	}
	if e := must(w.svc.Entry(officer, feed.Entries[0].ID))(t); e.Feedback.Matches != 1200 || e.Feedback.Disagrees != 1 {
		t.Errorf("entry feedback counts %+v", e.Feedback)
	}
	reports := rep.Hashes[0]
	reportEntry := mustList(w.svc.Entries(officer, takedown.EntryFilter{Type: reports.Type, CaseID: caseID}))(t)
	for _, e := range reportEntry {
		if e.BankID != bank.ID {
			_, err = w.svc.SubmitFeedback(platform, []takedown.FeedbackInput{{EntryID: e.ID, Kind: takedown.FeedbackConfirm}})
			wantInvalid(t, err, "feedback[0].entry_id", "none of the banks shared with you")
		}
	}

	// A negative bank: a known false positive suppresses every match.
	negative := must(w.svc.CreateBank(officer, takedown.BankInput{Name: "false positives", Source: takedown.SourceImported, Negative: true}))(t)
	must(w.svc.AddEntries(officer, negative.ID, []takedown.EntryInput{{HashValue: rep.Hashes[0]}}))(t)
	results = must(w.svc.Lookup(officer, casework.LookupInput{Hashes: rep.Hashes[:1]}))(t)
	if len(results[0].Matches) != 0 || len(results[0].Suppressed) != 1 || results[0].Suppressed[0].BankID != negative.ID {
		t.Errorf("lookup near a known false positive: %+v", results[0])
	}

	for kind, want := range map[takedown.EventKind]int{takedown.EventBankCreated: 4, takedown.EventBankUpdated: 1,
		takedown.EventEntriesAdded: 3, takedown.EventEntryChanged: 1, takedown.EventHashFeedback: 1} {
		if n := w.countEvents(kind); n != want {
			t.Errorf("%d %s events, want %d", n, kind, want)
		}
	}
}

// wantInvalid checks that err is EINVALID on field, with a message holding parts.
func wantInvalid(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	wantCode(t, err, takedown.EINVALID)
	if e, _ := err.(*takedown.Error); e.Field != field {
		t.Errorf("error on field %q (%v), want %q", e.Field, err, field)
	}
	wantMessage(t, err, parts...)
}

// rotated returns the picture turned a quarter.
func rotated(t *testing.T, data []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			out.Set(y, b.Dx()-1-x, img.At(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
