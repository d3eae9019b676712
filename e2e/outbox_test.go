package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
)

// hookReceiver is an operator's webhook endpoint that verifies every request with the
// specification's own library, holds the first message's answer until released (so that
// the server can be killed with it in flight), and processes each message id once.
type hookReceiver struct {
	wh      *standardwebhooks.Webhook
	mu      sync.Mutex
	first   string        // the id of the first message, held
	held    chan struct{} // closed when the first request arrived
	release chan struct{} // closed to let it answer
	calls   map[string]int
	done    map[string]bool
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := h.wh.Verify(body, r.Header); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("webhook-id")
	h.mu.Lock()
	h.calls[id]++
	hold := h.first == ""
	if hold {
		h.first = id
		close(h.held)
	}
	h.mu.Unlock()
	if hold {
		<-h.release
	}
	h.mu.Lock()
	h.done[id] = true // processed (a duplicate id is not processed again)
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// TestDeliveriesSurviveKill9: five removal requests go out by webhook; the server is killed
// with SIGKILL while the receiver holds its answer to one of them. After a restart on the
// same data directory, nothing is lost — every delivery reaches the receiver and is recorded
// as received — and nothing is sent twice to a receiver that acknowledged it: the four
// recorded before the kill are not sent again; the one in flight is sent again once, under
// the same webhook-id, and the receiver, which had processed it, does not process it again.
func TestDeliveriesSurviveKill9(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	token := func(role, name string) string {
		return lastLine(run(t, nil, "admin", "user", "add", "--data", dir, "--role", role, "--name", name))
	}
	admin, officer, super := token("admin", "Admin Durable"), token("officer", "Officer Durable"), token("supervisor", "Supervisor Durable")
	args := []string{"--allow-private-endpoints", "--delivery-lease", "1s"}
	url, srv := serve(t, dir, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	do := func(token, method, path string, in, out any) {
		t.Helper()
		if err := client.New(url, token).Do(ctx, method, path, nil, in, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}

	rcv := &hookReceiver{held: make(chan struct{}), release: make(chan struct{}), calls: map[string]int{}, done: map[string]bool{}}
	hooks := httptest.NewServer(rcv)
	defer hooks.Close()
	var host takedown.Operator
	do(admin, "POST", "/operators", map[string]any{"name": "Durable Host", "kind": "host", "contact": "abuse@durable.host.example",
		"languages": []string{"en"}, "domains": []string{"durable.host.test"},
		"channels": map[string]any{"webhook": hooks.URL + "/takedown", "email": false}}, &host)
	var secret struct{ Secret string }
	do(admin, "POST", fmt.Sprintf("/operators/%d/webhook-secrets", host.ID), nil, &secret)
	wh, err := standardwebhooks.NewWebhook(secret.Secret)
	if err != nil {
		t.Fatal(err)
	}
	rcv.wh = wh

	for i := range 5 {
		var r struct{ URLs []string }
		do("", "POST", "/reports", takedown.ReportInput{URLs: []string{fmt.Sprintf("https://durable.host.test/v/%d", i)},
			Offence: "terrorism-apology", Description: "Synthetic durability test report.", GoodFaith: true}, &r)
		var cases struct{ Items []takedown.Case }
		if err := client.New(url, officer).Do(ctx, "GET", "/cases", map[string][]string{"url": {r.URLs[0]}}, nil, &cases); err != nil || len(cases.Items) != 1 {
			t.Fatalf("case of %s: %v %v", r.URLs[0], cases.Items, err)
		}
		c := cases.Items[0].ID
		do(officer, "POST", fmt.Sprintf("/cases/%d/accept", c), nil, nil)
		do(officer, "POST", fmt.Sprintf("/cases/%d/qualify", c), takedown.QualificationInput{Offence: "terrorism-apology",
			Elements: map[string]any{"predicate_act": "The attack of 1 January 2026 on the Example Square, qualified as terrorist.",
				"predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology"},
			Reasons: "The video glorifies the authors of the attack."}, nil)
		do(super, "POST", fmt.Sprintf("/cases/%d/approve", c), nil, nil)
		do(officer, "POST", fmt.Sprintf("/cases/%d/measures", c), takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: host.ID}, nil)
	}
	transmissions := func(token string) []*takedown.Transmission {
		t.Helper()
		var page struct{ Items []*takedown.Transmission }
		do(token, "GET", "/transmissions", nil, &page)
		return page.Items
	}
	accepted := func(list []*takedown.Transmission) int {
		n := 0
		for _, m := range list {
			if m.State == takedown.TransmissionAccepted {
				n++
			}
		}
		return n
	}
	<-rcv.held
	waitFor(t, "the four other deliveries recorded as accepted", func() bool { return accepted(transmissions(officer)) == 4 })
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	close(rcv.release) // the receiver takes the held message; the dead server never learns it

	url, _ = serve(t, dir, args...)
	waitFor(t, "every delivery accepted after the restart", func() bool { return accepted(transmissions(officer)) == 5 })
	list := transmissions(officer)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.done) != 5 {
		t.Errorf("the receiver processed %d messages, want 5", len(rcv.done))
	}
	for _, m := range list {
		want := 1
		if m.MessageID == rcv.first {
			want = 2 // in flight at the kill: sent again, under the same id
		}
		if got := rcv.calls[m.MessageID]; got != want || m.Attempts != want {
			t.Errorf("message %s: received %d times in %d attempts, want %d", m.MessageID, got, m.Attempts, want)
		}
	}
	var ds struct{ Items []*takedown.Delivery }
	do(officer, "GET", "/deliveries", nil, &ds)
	for _, d := range ds.Items {
		if d.OperatorID == host.ID && (d.ReceivedVia != takedown.ViaWebhook || d.DeadlineAt == nil) {
			t.Errorf("delivery %d: received via %q, deadline %v", d.ID, d.ReceivedVia, d.DeadlineAt)
		}
	}
}
