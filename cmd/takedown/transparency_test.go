package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/demo"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

// TestAnnualReportOfTheDemo: the demo's four months give an annual report whose key figures
// this test recomputes on its own from the events, read through the API as any auditor
// would (GET /events), without package transparency.
func TestAnnualReportOfTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	dir := t.TempDir()
	clock := takedown.NewSimClock(time.Now().Add(-demo.History), time.Now)
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	profile := procedure.Default()
	svc := casework.New(db, profile, v)
	world, err := demo.Seed(context.Background(), svc, clock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Config{DemoClock: clock}, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry()))
	defer srv.Close()
	var token string
	for _, a := range world.Accounts {
		if a.User.Role == takedown.RoleController {
			token = a.Token
		}
	}
	vars := map[string]string{"TAKEDOWN_SERVER": srv.URL, "TAKEDOWN_TOKEN": token}
	year := clock.Now().In(profile.Location()).Year()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, profile.Location())
	before := from.AddDate(1, 0, 0)

	// The independent count, over every event of the year.
	c := client.New(srv.URL, token)
	reports := map[int64]bool{}
	kindOf := map[int64]string{}
	recs := map[int64]bool{}
	want := map[string]int{}
	q := url.Values{"limit": {strconv.Itoa(takedown.MaxPageLimit)}}
	for {
		var page listPage[*takedown.Event]
		if err := c.Do(context.Background(), "GET", "/events", q, nil, &page); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			if e.At.Before(from) || !e.At.Before(before) {
				continue
			}
			var d struct {
				ReportID  int64    `json:"report_id"`
				Kind      string   `json:"kind"`
				Targets   []string `json:"targets"`
				Rec       int64    `json:"recommendation_id"`
				Follow    bool     `json:"follow"`
				Purpose   string   `json:"purpose"`
				Complaint int64    `json:"complaint_id"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			switch e.Kind {
			case takedown.EventReportReceived:
				reports[d.ReportID] = true
			case takedown.EventCaseOpened:
				want["Cases opened"]++
			case takedown.EventMeasureIssued:
				want["Measures issued"]++
				kindOf[e.MeasureID] = d.Kind
				if d.Kind == "blocking" {
					want["Addresses blocked"] += len(d.Targets)
				}
				if d.Kind == "dereferencing" {
					want["Addresses dereferenced"] += len(d.Targets)
				}
			case takedown.EventMeasureComplied:
				if k := kindOf[e.MeasureID]; k == "removal_request" || k == "removal_order" {
					want["Removal requests and orders complied with"]++
				}
			case takedown.EventRecommendationMade:
				want["Recommendations made"]++
				recs[d.Rec] = true
			case takedown.EventRecommendationAnswered:
				if d.Follow && recs[d.Rec] {
					want["Recommendations followed"]++
				}
			}
		}
		if page.NextCursor == "" {
			break
		}
		q.Set("cursor", page.NextCursor)
	}
	want["Reports received"] = len(reports)
	if want["Reports received"] < 30 || want["Measures issued"] == 0 {
		t.Fatalf("the demo's record is thin: %v", want)
	}

	t.Logf("counted from the events: %v", want)

	// The report, as the controller makes it with the CLI.
	out := filepath.Join(dir, "annual.html")
	cli(t, vars, 0, "report", "annual", "--year", strconv.Itoa(year), "--lang", "en", "-o", out)
	html, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range regexp.MustCompile(`<li><span class="value">([0-9,]+)</span> ([^<]+)</li>`).FindAllStringSubmatch(string(html), -1) {
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		got[m[2]] = n
	}
	for label, n := range want {
		if got[label] != n {
			t.Errorf("the report says %s: %d; the events count %d", label, got[label], n)
		}
	}

	// The French report and the PDF render; a figure's trace lists as many events as it counts.
	pdf := filepath.Join(dir, "annual.pdf")
	cli(t, vars, 0, "report", "annual", "--year", strconv.Itoa(year), "--format", "pdf", "-o", pdf)
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("the PDF report: %v, %.8q", err, b)
	}
	if fr := cli(t, vars, 0, "report", "authority", "--year", strconv.Itoa(year)); !strings.Contains(fr, "non enregistré par ce système") {
		t.Error("the authority's report in French does not say what is not recorded")
	}
	var trace struct {
		Events []int64 `json:"events"`
	}
	if err := json.Unmarshal([]byte(cli(t, vars, 0, "transparency", "trace", "--year", strconv.Itoa(year), "--json", "cases.opened")), &trace); err != nil {
		t.Fatal(err)
	}
	if len(trace.Events) != want["Cases opened"] {
		t.Errorf("cases.opened traces %d events, the count is %d", len(trace.Events), want["Cases opened"])
	}
	cli(t, vars, takedown.ExitCode(takedown.EINVALID), "report", "annual", "--year", strconv.Itoa(year+1))
}
