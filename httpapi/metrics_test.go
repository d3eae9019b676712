package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMetrics proves that /metrics is served with the API's request counter by route and
// status, and with the deadline gauge that an alert on overdue measures reads: a removal
// request whose 24 hours have passed counts as overdue.
func TestMetrics(t *testing.T) {
	f := newFixture(t, unlimited)
	f.removalRequest(t)
	f.clock.Advance(25 * time.Hour)
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
	}
	for _, want := range []string{
		`takedown_http_requests_total{route="POST /api/v1/cases/{id}/measures",status="201"} 1`,
		`takedown_http_requests_total{route="POST /api/v1/reports",status="201"} 1`,
		`takedown_deadlines{status="overdue"} 1`,
		`takedown_deadlines{status="running"} 0`,
	} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("/metrics has no line %s", want)
		}
	}
}
