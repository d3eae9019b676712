package casework_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/evidence"
	"github.com/takedown-project/takedown/vault"
)

// TestEvidenceSealed: evidence is sealed to the vault and the controller; the SQLite files
// hold no plaintext; opening takes a reason, recorded with the user; the controller opens its
// sealed copy with its own identity, another identity cannot; a wrong server key, a damaged
// or an emptied blob are errors naming the evidence, and record nothing.
func TestEvidenceSealed(t *testing.T) {
	w := newWorld(t)
	v, err := vault.Load(filepath.Join(w.db.Dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctrl, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := evidence.NewSealer(v, ctrl.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	w.svc.SetEvidenceSealer(sealer)
	if _, err := evidence.NewSealer(v, "age1notakey"); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("a bad controller key: %v", err)
	}

	plain := []byte("SYNTHETIC-EVIDENCE-MARKER: a text praising an invented attack, for tests only.")
	r := must(w.svc.SubmitReport(w.as(w.flagger), takedown.ReportInput{URLs: []string{"https://video.host.test/v/1"}, Offence: "terrorism-apology",
		Description: "A text.", GoodFaith: true, Files: []takedown.ReportFile{{Name: "statement.txt", Data: plain}}}))(t)
	list, _ := must2(w.svc.CaseEvidence(w.as(w.officer), r.CaseIDs()[0]))(t)
	if len(list) != 1 {
		t.Fatalf("the case's evidence: %v", list)
	}
	id := list[0].ID

	// The database holds no plaintext: the sealed column, and on SQLite its files (with the
	// write-ahead log).
	var sealed []byte
	if err := w.db.SQL(t).QueryRow(`SELECT sealed FROM evidence WHERE id = ?`, id).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("SYNTHETIC-EVIDENCE-MARKER")) {
		t.Error("the evidence is stored in clear")
	}
	for _, name := range []string{"takedown.db", "takedown.db-wal"} {
		b, err := os.ReadFile(filepath.Join(w.db.Dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("SYNTHETIC-EVIDENCE-MARKER")) {
			t.Errorf("%s holds the evidence in clear", name)
		}
	}

	before := w.countEvents(takedown.EventEvidenceViewed)
	for reason, field := range map[string]string{"": "reason", "   ": "reason", strings.Repeat("x", takedown.MaxReasonsLength+1): "reason"} {
		_, err := w.svc.OpenEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: reason})
		wantInvalid(t, err, field)
	}
	content, exposure, err := opened(w.svc.OpenEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: "Check the qualification."}))
	if err != nil || !bytes.Equal(content, plain) || exposure.Today != 1 {
		t.Fatalf("opening: %q %v %v", content, exposure, err)
	}
	events := w.events()
	last := events[len(events)-1]
	if w.countEvents(takedown.EventEvidenceViewed) != before+1 || last.ActorID != w.officer.ID || !strings.Contains(string(last.Data), "Check the qualification.") {
		t.Errorf("the opening in the log: %+v", last)
	}

	// The controller's sealed copy; an officer may not take one, an operator sees nothing.
	_, err = w.svc.SealedEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: "x"})
	wantCode(t, err, takedown.EFORBIDDEN)
	_, _, err = w.svc.CaseEvidence(w.asOperator(w.host), r.CaseIDs()[0])
	wantCode(t, err, takedown.EFORBIDDEN)
	o := must(w.svc.SealedEvidence(w.as(w.controller), id, casework.EvidenceAccess{Reason: "Weekly review."}))(t)
	if got, err := evidence.Open(o.Sealed, ctrl); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("the controller's opening: %q %v", got, err)
	}
	other, _ := age.GenerateX25519Identity()
	_, err = evidence.Open(o.Sealed, other)
	wantCode(t, err, takedown.EFORBIDDEN)
	damaged := bytes.Clone(o.Sealed)
	damaged[len(damaged)-3] ^= 0xff
	_, err = evidence.Open(damaged, ctrl)
	wantCode(t, err, takedown.EINVALID)
	_, err = evidence.Open(nil, ctrl)
	wantCode(t, err, takedown.EINVALID)

	// A server started with another vault key cannot open it, and says which piece.
	other2, err := vault.Load(filepath.Join(t.TempDir(), "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	wrong := casework.New(w.db, w.svc.Profile(), other2)
	count := w.eventCount()
	_, err = wrong.OpenEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: "Check."})
	wantCode(t, err, takedown.EUNAVAILABLE)
	wantMessage(t, err, "evidence", "cannot be unsealed")

	// A damaged blob in the database, then an emptied one.
	sqlDB := w.db.SQL(t)
	if _, err := sqlDB.Exec(`UPDATE evidence SET sealed = substr(sealed, 1, 40) WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.OpenEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: "Check."})
	wantCode(t, err, takedown.EUNAVAILABLE)
	if _, err := sqlDB.Exec(`UPDATE evidence SET sealed = ? WHERE id = ?`, []byte{}, id); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.OpenEvidence(w.as(w.officer), id, casework.EvidenceAccess{Reason: "Check."})
	wantCode(t, err, takedown.ENOTFOUND)
	_, err = w.svc.OpenEvidence(w.as(w.officer), id+100, casework.EvidenceAccess{Reason: "Check."})
	wantCode(t, err, takedown.ENOTFOUND)
	if w.eventCount() != count {
		t.Errorf("failed openings were recorded")
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

// TestAttachEvidence: an officer attaches a file to an accepted case; its digest goes into
// the log, not its content; a new or closed case, an empty or oversized file are refused.
func TestAttachEvidence(t *testing.T) {
	w := newWorld(t)
	r := w.report("https://video.host.test/v/7")
	id := r.CaseIDs()[0]
	file := takedown.ReportFile{Name: "capture.txt", Data: []byte("SYNTHETIC-ATTACHED: a statement for tests.")}
	_, err := w.svc.AttachEvidence(w.as(w.officer), id, casework.AttachInput{Files: []takedown.ReportFile{file}})
	wantCode(t, err, takedown.ECONFLICT)
	must(w.svc.Accept(w.as(w.officer), id))(t)
	_, err = w.svc.AttachEvidence(w.as(w.officer), id, casework.AttachInput{})
	wantInvalid(t, err, "files")
	_, err = w.svc.AttachEvidence(w.as(w.officer), id, casework.AttachInput{Files: []takedown.ReportFile{{Name: "x"}}})
	wantInvalid(t, err, "files[0].data")
	_, err = w.svc.AttachEvidence(w.as(w.officer), id, casework.AttachInput{Files: []takedown.ReportFile{{Name: "x", Data: make([]byte, takedown.MaxReportFileSize+1)}}})
	wantInvalid(t, err, "files[0].data")
	_, err = w.svc.AttachEvidence(w.as(w.controller), id, casework.AttachInput{Files: []takedown.ReportFile{file}})
	wantCode(t, err, takedown.EFORBIDDEN)
	list := must(w.svc.AttachEvidence(w.as(w.officer), id, casework.AttachInput{Files: []takedown.ReportFile{file}}))(t)
	if len(list) != 1 || list[0].Source != takedown.EvidenceAttached || list[0].CaseID != id {
		t.Fatalf("attached: %+v", list)
	}
	events := mustList(w.svc.Events(w.as(w.controller), takedown.EventFilter{CaseID: id, Kind: takedown.EventEvidenceAttached}))(t)
	if len(events) != 1 || !strings.Contains(string(events[0].Data), list[0].SHA256) || strings.Contains(string(events[0].Data), "SYNTHETIC") {
		t.Errorf("the attachment in the log: %v", events)
	}
	content, _, err := opened(w.svc.OpenEvidence(w.as(w.supervisor), list[0].ID, casework.EvidenceAccess{Reason: "Check the attachment."}))
	if err != nil || !bytes.Equal(content, file.Data) {
		t.Errorf("opening the attachment: %q %v", content, err)
	}
}

// opened is what OpenEvidence gave: the content and the exposure, zero with an error.
func opened(o *casework.OpenedEvidence, err error) ([]byte, takedown.Exposure, error) {
	if o == nil {
		return nil, takedown.Exposure{}, err
	}
	return o.Content, o.Exposure, err
}
