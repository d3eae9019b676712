package httpapi_test

import (
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/httpapi"
)

// TestReportRateLimit proves that public reports are limited per client and per minute: the
// report over the limit gets 429 rate_limited with Retry-After and writes nothing; a trusted
// flagger's token is never limited; behind a trusted proxy each forwarded address has its
// own count, taken from the address the proxy appended, not from what the client sent.
func TestReportRateLimit(t *testing.T) {
	type report struct {
		token     bool   // sent with the trusted flagger's token
		forwarded string // X-Forwarded-For as the proxy passes it on
		want      int
	}
	public := report{want: 201}
	limited := report{want: 429}
	flagged := report{token: true, want: 201}
	tests := []struct {
		name    string
		cfg     httpapi.Config
		reports []report
	}{
		{"fourth public report", httpapi.Config{ReportsPerMinute: 3}, []report{public, public, public, limited, limited}},
		{"trusted flagger", httpapi.Config{ReportsPerMinute: 3}, []report{flagged, flagged, flagged, flagged, flagged, public, public, public, limited}},
		{"forwarded addresses", httpapi.Config{ReportsPerMinute: 3, ClientIPHeader: "X-Forwarded-For"}, []report{
			{forwarded: "192.0.2.10", want: 201},
			{forwarded: "198.51.100.1, 192.0.2.10", want: 201},
			{forwarded: "198.51.100.2, 192.0.2.10", want: 201},
			{forwarded: "198.51.100.3, 192.0.2.10", want: 429},
			{forwarded: "192.0.2.20", want: 201},
			{forwarded: "192.0.2.20", want: 201},
			{forwarded: "192.0.2.20", want: 201},
			{forwarded: "192.0.2.20", want: 429},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg)
			for i, rep := range tt.reports {
				token := ""
				if rep.token {
					token = f.flagger.token
				}
				req := f.newRequest(t, "POST", "/reports", token, jsonBody(t, reportInput(f.newURL())))
				if rep.forwarded != "" {
					req.Header.Set("X-Forwarded-For", rep.forwarded)
				}
				before := f.eventCount(t)
				r := f.send(t, req)
				if r.status != rep.want {
					t.Fatalf("report %d: answer %d %s, want %d", i+1, r.status, r.body, rep.want)
				}
				if rep.want != 429 {
					continue
				}
				wantProblem(t, r, 429, takedown.ERATELIMITED, "", "wait a minute")
				if got := r.header.Get("Retry-After"); got == "" {
					t.Error("429 without Retry-After")
				}
				if after := f.eventCount(t); after != before {
					t.Errorf("the refused report wrote %d events", after-before)
				}
			}
		})
	}
}
