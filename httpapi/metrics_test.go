package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestMetrics proves that /metrics is served, to the holder of the metrics token only, with the
// API's request counter by route and status, and with the gauges that alerts read: a removal
// request whose 24 hours from its receipt have passed counts as overdue, and one not yet
// received as awaiting its receipt.
func TestMetrics(t *testing.T) {
	const token = "metrics-token-for-tests-0123456789"
	cfg := unlimited
	cfg.MetricsToken = token
	f := newFixture(t, cfg)
	m := f.removalRequest(t)
	d := f.delivery(t, m, f.host, takedown.PurposeAction)
	f.do(t, f.desk[f.host.ID].api, "POST", fmt.Sprintf("/deliveries/%d/answer", d.ID), takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}, nil)
	f.removalRequest(t)
	f.clock.Advance(25 * time.Hour)
	scrape := func(auth string) (int, string) {
		t.Helper()
		req, err := http.NewRequest("GET", f.srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Bearer " + f.admin.token} {
		if status, _ := scrape(auth); status != http.StatusUnauthorized {
			t.Errorf("GET /metrics with %q: %d, want 401", auth, status)
		}
	}
	status, b := scrape("Bearer " + token)
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", status, b)
	}
	for _, want := range []string{
		`takedown_http_requests_total{route="POST /api/v1/cases/{id}/measures",status="201"} 2`,
		`takedown_http_requests_total{route="POST /api/v1/reports",status="201"} 2`,
		`takedown_deadlines{status="overdue"} 1`,
		`takedown_deadlines{status="running"} 0`,
		`takedown_deadlines{status="awaiting_receipt"} 1`,
		`takedown_rechecks_due 0`,
	} {
		if !strings.Contains(b, want+"\n") {
			t.Errorf("/metrics has no line %s", want)
		}
	}
}

// TestMetricsOff proves that without a metrics token /metrics is off.
func TestMetricsOff(t *testing.T) {
	f := newFixture(t, unlimited)
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics without a configured token: %d, want 404", resp.StatusCode)
	}
}
