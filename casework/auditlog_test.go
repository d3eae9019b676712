package casework_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
)

// signing gives the world a checkpointer and returns a function that publishes a checkpoint,
// and the log's verifier.
func (w *world) signing() (func() *takedown.Checkpoint, note.Verifier) {
	w.t.Helper()
	file := filepath.Join(w.t.TempDir(), "log.key")
	vkey, err := publisher.CreateKey(file, "authority.example/log")
	if err != nil {
		w.t.Fatal(err)
	}
	keys, err := publisher.LoadKeys(file, "")
	if err != nil {
		w.t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		w.t.Fatal(err)
	}
	c := publisher.New(w.db, keys, nil, w.clock, time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry())
	return func() *takedown.Checkpoint {
		w.t.Helper()
		cp, err := c.Cut(w.t.Context())
		if err != nil {
			w.t.Fatal(err)
		}
		return cp
	}, v
}

// TestDeliveryReceipt: the operator's receipt proves, with the log's public key alone, what
// was sent to it and when; before a checkpoint covers the sending, it is not yet available;
// another operator gets none.
func TestDeliveryReceipt(t *testing.T) {
	w := newWorld(t)
	checkpoint, key := w.signing()
	c := w.approvedCase("https://video.host.test/v/1")
	m := w.removalRequest(c.ID)
	d := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)

	_, err := w.svc.DeliveryReceipt(w.asOperator(w.host), d.ID)
	wantCode(t, err, takedown.EUNAVAILABLE)
	checkpoint()
	p := must(w.svc.DeliveryReceipt(w.asOperator(w.host), d.ID))(t)
	e, cp, err := auditlog.VerifyReceipt(p.Marshal(), []note.Verifier{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		DeliveryID int64    `json:"delivery_id"`
		Targets    []string `json:"targets"`
		Kind       string   `json:"kind"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil {
		t.Fatal(err)
	}
	if e.Kind != takedown.EventDeliverySent || data.DeliveryID != d.ID || data.Kind != string(takedown.RemovalRequest) ||
		len(data.Targets) != 1 || data.Targets[0] != "https://video.host.test/v/1" || !e.At.Equal(d.SentAt) || e.OperatorID != w.host.ID {
		t.Errorf("the receipt proves %s %s at %s, want the sending of delivery %d", e.Kind, e.Data, e.At, d.ID)
	}
	if cp.Size <= auditlog.LeafIndex(e.ID) {
		t.Errorf("checkpoint of size %d cannot hold leaf %d", cp.Size, auditlog.LeafIndex(e.ID))
	}

	_, err = w.svc.DeliveryReceipt(w.asOperator(w.platform), d.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
}

// TestAdvanceInformationReceiptNamesNoAddress: the receipt of the advance information that
// precedes a provider's first TCO order must not reveal the order's addresses early.
func TestAdvanceInformationReceiptNamesNoAddress(t *testing.T) {
	w := newWorld(t)
	checkpoint, key := w.signing()
	c := w.approvedCase("https://video.host.test/v/2")
	m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.host.ID})
	if m.State != takedown.MeasureScheduled {
		t.Fatalf("the first order is %s, want scheduled", m.State)
	}
	d := w.deliveryTo(m.ID, w.host, takedown.PurposeAdvanceInformation)
	checkpoint()
	p := must(w.svc.DeliveryReceipt(w.asOperator(w.host), d.ID))(t)
	e, _, err := auditlog.VerifyReceipt(p.Marshal(), []note.Verifier{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(e.Data), "video.host.test") {
		t.Errorf("the advance information's receipt names the order's address: %s", e.Data)
	}
}

// TestRecommendationReceiptAndProofs: the controller's recommendation has a receipt; every
// event has one for the authority; consistency proofs link published checkpoints only.
func TestRecommendationReceiptAndProofs(t *testing.T) {
	w := newWorld(t)
	checkpoint, key := w.signing()
	c := w.approvedCase("https://video.host.test/v/3")
	m := w.removalRequest(c.ID)
	first := checkpoint()
	r := must(w.svc.Recommend(w.as(w.controller), m.ID, "The content is not apology of terrorism in law."))(t)
	second := checkpoint()

	p := must(w.svc.RecommendationReceipt(w.as(w.controller), r.ID))(t)
	e, _, err := auditlog.VerifyReceipt(p.Marshal(), []note.Verifier{key}, nil)
	if err != nil || e.Kind != takedown.EventRecommendationMade || !strings.Contains(string(e.Data), "not apology of terrorism") {
		t.Errorf("recommendation receipt: %v, %v", e, err)
	}
	for _, ev := range w.events() {
		p := must(w.svc.EventProof(w.as(w.officer), ev.ID))(t)
		if _, _, err := auditlog.VerifyReceipt(p.Marshal(), []note.Verifier{key}, nil); err != nil {
			t.Errorf("event %d: %v", ev.ID, err)
		}
	}
	_, err = w.svc.EventProof(w.asOperator(w.host), 1)
	wantCode(t, err, takedown.EFORBIDDEN)

	cons := must(w.svc.Consistency(t.Context(), casework.ConsistencyQuery{Old: first.Size, New: second.Size}))(t)
	old, err := auditlog.Open([]byte(cons.Old.Note), []note.Verifier{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := auditlog.Open([]byte(cons.New.Note), []note.Verifier{key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := auditlog.CheckConsistency(cons.Proof, old.Checkpoint, latest.Checkpoint); err != nil {
		t.Error(err)
	}
	for _, q := range []casework.ConsistencyQuery{{Old: 0, New: second.Size}, {Old: second.Size, New: first.Size}} {
		_, err := w.svc.Consistency(t.Context(), q)
		wantCode(t, err, takedown.EINVALID)
	}
	_, err = w.svc.Consistency(t.Context(), casework.ConsistencyQuery{Old: first.Size, New: second.Size + 1})
	wantCode(t, err, takedown.ENOTFOUND)
}

// TestRecordVerification: the controller's verification goes into the log itself and shows
// in the log's status; nobody else can record one, and a failure without its problem, or a
// size that is not the checkpoint's, is refused.
func TestRecordVerification(t *testing.T) {
	w := newWorld(t)
	checkpoint, _ := w.signing()
	cp := checkpoint()
	v := takedown.Verification{Checkpoint: cp.Note, Size: cp.Size, OK: true, Bodies: cp.Size}
	_, err := w.svc.RecordVerification(w.as(w.supervisor), v)
	wantCode(t, err, takedown.EFORBIDDEN)
	for _, bad := range []takedown.Verification{
		{Checkpoint: cp.Note, Size: cp.Size},                                               // no problem said
		{Checkpoint: cp.Note, Size: cp.Size + 1, OK: true},                                 // not the checkpoint's size
		{Checkpoint: "size " + fmt.Sprint(cp.Size) + "\n\nsig\n", Size: cp.Size, OK: true}, // not a checkpoint
	} {
		_, err = w.svc.RecordVerification(w.as(w.controller), bad)
		wantCode(t, err, takedown.EINVALID)
	}
	e := must(w.svc.RecordVerification(w.as(w.controller), v))(t)
	st := must(w.svc.LogStatus(w.as(w.officer)))(t)
	if st.LastVerification == nil || st.LastVerification.ID != e.ID || st.Published.Size != cp.Size || st.Size != cp.Size+1 || st.Unpublished != 1 {
		t.Errorf("status = %+v, want the verification event %d, published %d of %d", st, e.ID, cp.Size, cp.Size+1)
	}
}
