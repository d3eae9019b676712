package transparency_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/transparency"
)

// A year of national activity: 150,000 cases and about 2 million events.
const (
	benchCases = 150_000
	benchYear  = 2025
)

// BenchmarkYear computes a year's figures from a SQLite file of 150,000 cases and 2 M events
// (docs/performance.md). The file is generated once by writeYear (events inserted directly,
// without their audit-log leaves, which the figures never read); set TAKEDOWN_BENCH_DB to a
// path to keep it between runs.
//
//	go test -run '^$' -bench BenchmarkYear -benchtime 3x ./transparency
func BenchmarkYear(b *testing.B) {
	path := os.Getenv("TAKEDOWN_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "year.db")
	}
	clock := takedown.NewSimClock(time.Date(benchYear+1, 2, 1, 0, 0, 0, 0, time.UTC), nil)
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		n, err := writeYear(path, clock)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d events in %s", n, time.Since(start).Round(time.Second))
	}
	db, err := sqlite.Open(path, clock)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	profile := procedure.Default()
	cfg := transparency.Config{Location: profile.Location(), Deadlines: map[takedown.MeasureKind]time.Duration{}}
	for k, r := range profile.Measures {
		cfg.Deadlines[k] = r.Deadline.Duration
	}
	p := transparency.Year(benchYear, profile.Location())
	b.ResetTimer()
	for b.Loop() {
		var f *transparency.Figures
		err := db.View(context.Background(), func(tx takedown.Tx) (err error) {
			f, err = transparency.Compute(tx.EachEvent, cfg, p, tx.Now())
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if f.Count("cases.opened") != benchCases {
			b.Fatalf("cases.opened = %d, want %d", f.Count("cases.opened"), benchCases)
		}
		b.ReportMetric(float64(f.Events), "events")
	}
}

// writeYear makes a database with a year of cases: each opened by a report (a third get a
// second report), qualified, approved (nine in ten; the rest dismissed), with one measure:
// seven in ten removal requests, one in ten each a TCO order, a blocking, a dereferencing.
// A removal is sent to its host and, for information, to two ISPs; the host acknowledges
// and complies, one in twenty late. A list measure is published to five ISPs, who receive
// it. Each case also has evidence viewings and a sign-in, events the figures do not read.
func writeYear(path string, clock takedown.Clock) (int64, error) {
	db, err := sqlite.Open(path, clock) // the schema, with its migrations
	if err != nil {
		return 0, err
	}
	db.Close()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO events (id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	var id int64
	add := func(at time.Time, kind takedown.EventKind, role string, caseID, measureID, operatorID int64, data string) error {
		id++
		null := func(n int64) any {
			if n == 0 {
				return nil
			}
			return n
		}
		_, err := stmt.Exec(id, at.UnixNano(), string(kind), 3, role, null(caseID), null(measureID), null(operatorID), data)
		return err
	}
	for op := int64(1); op <= 40; op++ {
		if err := add(time.Date(benchYear-1, 6, 1, 0, 0, 0, 0, time.UTC), takedown.EventOperatorCreated, "admin", 0, 0, op,
			fmt.Sprintf(`{"name":"Operator %d","kind":"host","domains":3,"channels":{}}`, op)); err != nil {
			return 0, err
		}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return 0, err
	}
	start := time.Date(benchYear, 1, 1, 0, 0, 0, 0, paris)
	step := time.Duration(int64(364*24*time.Hour) / benchCases) // the last case's events end in the year too
	var delivery, report int64
	kinds := []takedown.MeasureKind{takedown.RemovalRequest, takedown.RemovalRequest, takedown.RemovalRequest, takedown.RemovalRequest,
		takedown.RemovalRequest, takedown.RemovalRequest, takedown.RemovalRequest, takedown.RemovalOrder, takedown.Blocking, takedown.Dereferencing}
	offences := []string{"terrorism-apology", "terrorism-provocation", "csam"}
	channels := []string{"public", "public", "flagger", "authority"}
	for c := int64(1); c <= benchCases; c++ {
		at := start.Add(time.Duration(c) * step)
		must := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		host := c%35 + 1
		report++
		must(add(at, takedown.EventCaseOpened, "public", c, 0, 0, `{"urls":1,"priority":0}`))
		must(add(at, takedown.EventReportReceived, "public", c, 0, 0, fmt.Sprintf(
			`{"report_id":%d,"receipt":"R-%08d","channel":"%s","urls":1,"hashes":0,"matches":0,"evidence":["9f2c6a0d1e4b7c3a8f5d2e1b0c9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"]}`,
			report, report, channels[c%4])))
		if c%3 == 0 {
			report++
			must(add(at.Add(20*time.Minute), takedown.EventReportReceived, "flagger", c, 0, 0, fmt.Sprintf(
				`{"report_id":%d,"receipt":"R-%08d","channel":"flagger","urls":1,"hashes":1,"matches":0,"evidence":[]}`, report, report)))
		}
		must(add(at.Add(30*time.Minute), takedown.EventEvidenceViewed, "officer", c, 0, 0, `{"evidence_id":1,"purpose":"qualification"}`))
		must(add(at.Add(time.Hour), takedown.EventCaseQualified, "officer", c, 0, 0, fmt.Sprintf(
			`{"offence":"%s","elements":{"public":true,"act":"Synthetic predicate act for bench case %d"},"reasons":"Synthetic reasons for bench case %d: the content praises a terrorist act."}`,
			offences[c%3], c, c)))
		must(add(at.Add(90*time.Minute), takedown.EventSignedIn, "supervisor", 0, 0, 0, `{"via":"password"}`))
		if c%10 == 9 {
			must(add(at.Add(2*time.Hour), takedown.EventCaseDismissed, "supervisor", c, 0, 0, `{"reasons":"Synthetic: lawful on review."}`))
			must(add(at.Add(2*time.Hour), takedown.EventCaseClosed, "supervisor", c, 0, 0, `{"reasons":"dismissed"}`))
			continue
		}
		issued := at.Add(2 * time.Hour)
		must(add(issued, takedown.EventCaseApproved, "supervisor", c, 0, 0, `{"qualified_by":3}`))
		kind := kinds[c%10]
		m := c
		if kind.IsList() {
			must(add(issued, takedown.EventMeasureIssued, "supervisor", c, m, 0, fmt.Sprintf(
				`{"kind":"%s","targets":["bench-%d.example"],"subtree":false,"next_recheck":"%s"}`, kind, c, issued.AddDate(0, 3, 0).Format(time.RFC3339))))
			for isp := int64(36); isp <= 40; isp++ {
				delivery++
				must(add(issued, takedown.EventDeliverySent, "supervisor", c, m, isp, fmt.Sprintf(
					`{"delivery_id":%d,"kind":"%s","purpose":"action","deadline_at":"%s","list_version":%d,"targets":["bench-%d.example"]}`,
					delivery, kind, issued.Add(24*time.Hour).Format(time.RFC3339Nano), c, c)))
				must(add(issued.Add(10*time.Minute), takedown.EventDeliveryAnswered, "dns_primary", c, m, isp, fmt.Sprintf(
					`{"delivery_id":%d,"answer":"comply","via":"zone_transfer","list_version":%d}`, delivery, c)))
			}
			continue
		}
		must(add(issued, takedown.EventMeasureIssued, "officer", c, m, host, fmt.Sprintf(
			`{"kind":"%s","targets":["https://bench-%d.example/post/%d"],"emergency":false}`, kind, host, c)))
		delivery++
		action := delivery
		must(add(issued, takedown.EventDeliverySent, "officer", c, m, host, fmt.Sprintf(
			`{"delivery_id":%d,"kind":"%s","purpose":"action","deadline_at":null,"targets":["https://bench-%d.example/post/%d"]}`, action, kind, host, c)))
		for isp := int64(36); isp <= 37; isp++ {
			delivery++
			must(add(issued, takedown.EventDeliverySent, "officer", c, m, isp, fmt.Sprintf(
				`{"delivery_id":%d,"kind":"%s","purpose":"information","deadline_at":null,"targets":["https://bench-%d.example/post/%d"]}`, delivery, kind, host, c)))
		}
		received := issued.Add(time.Duration(c%50) * time.Minute)
		deadline := received.Add(24 * time.Hour)
		if kind == takedown.RemovalOrder {
			deadline = received.Add(time.Hour)
		}
		must(add(received, takedown.EventDeliveryAnswered, "operator", c, m, host, fmt.Sprintf(
			`{"delivery_id":%d,"answer":"acknowledge","reason":"","text":"","acted_at":null,"deadline_at":"%s"}`, action, deadline.Format(time.RFC3339Nano))))
		done := received.Add(time.Duration(c%20) * time.Hour / 4)
		if c%20 == 7 {
			done = deadline.Add(time.Hour)
			must(add(deadline.Add(time.Minute), takedown.EventDeliveryOverdue, "scheduler", c, m, host, fmt.Sprintf(
				`{"delivery_id":%d,"purpose":"action","deadline_at":"%s"}`, action, deadline.Format(time.RFC3339Nano))))
		}
		must(add(done, takedown.EventDeliveryAnswered, "operator", c, m, host, fmt.Sprintf(
			`{"delivery_id":%d,"answer":"comply","reason":"","text":"Removed.","acted_at":null,"deadline_at":"%s"}`, action, deadline.Format(time.RFC3339Nano))))
		must(add(done, takedown.EventMeasureComplied, "operator", c, m, host, fmt.Sprintf(`{"delivery_id":%d}`, action)))
		must(add(done.Add(time.Hour), takedown.EventEvidenceViewed, "controller", c, 0, 0, `{"evidence_id":1,"purpose":"oversight"}`))
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	_, err = conn.Exec(`ANALYZE`)
	return id, err
}
