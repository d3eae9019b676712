package casework_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

// BenchmarkSubmitReport measures report intake with grouping on a real SQLite file, without
// HTTP, from 16 goroutines per core (many clients at once, as on a national platform): one
// report in ten repeats an earlier URL and joins its case.
func BenchmarkSubmitReport(b *testing.B) {
	dir := b.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), takedown.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		b.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if i%10 == 0 {
				i -= 5
			}
			_, err := svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{fmt.Sprintf("https://videos.host.test/bench/%d", i)},
				Offence: "csam", Description: "Synthetic benchmark report.", GoodFaith: true})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkStateChanges measures the procedure's state changes on a real SQLite file with
// full synchronous commits: each iteration takes a new case from report to a removal request
// its host acknowledges — report, accept, qualify, approve, issue (the request and the
// information of two ISPs), acknowledge: six changes, each one transaction writing one to
// four events. Serial: one change at a time, as an officer's clicks are; parallel: 16 per
// core, so the group commit shares syncs. bench/auditlog/compare runs it against the commit
// before the audit log, to measure what logging adds.
func BenchmarkStateChanges(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		name := "serial"
		if parallel {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			svc, users := benchWorld(b)
			var n atomic.Int64
			cycle := func() {
				if err := stateChanges(svc, users, n.Add(1)); err != nil {
					b.Error(err)
				}
			}
			b.ResetTimer()
			if parallel {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						cycle()
					}
				})
			} else {
				for b.Loop() {
					cycle()
				}
			}
			b.ReportMetric(float64(6*b.N)/b.Elapsed().Seconds(), "changes/s")
		})
	}
}

// benchUsers are the accounts of the state-change benchmark.
type benchUsers struct {
	officer, supervisor, desk context.Context
	host                      int64
}

// benchWorld is a store with an officer, a supervisor, a host with its desk and two ISPs.
func benchWorld(b *testing.B) (*casework.Service, benchUsers) {
	dir := b.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), takedown.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		b.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	local := takedown.NewContextWithUser(context.Background(), casework.LocalAdmin)
	as := func(name string, role takedown.Role, op int64) context.Context {
		u, _, err := svc.CreateUser(local, takedown.UserInput{Name: name, Role: role, OperatorID: op})
		if err != nil {
			b.Fatal(err)
		}
		return takedown.NewContextWithUser(context.Background(), u)
	}
	admin := as("Admin", takedown.RoleAdmin, 0)
	operator := func(name string, kind takedown.OperatorKind, domains ...string) int64 {
		o, err := svc.CreateOperator(admin, takedown.OperatorInput{Name: name, Kind: kind, Contact: "abuse@operator.example",
			Languages: []string{"fr"}, Domains: domains})
		if err != nil {
			b.Fatal(err)
		}
		return o.ID
	}
	host := operator("Bench Host", takedown.KindHost, "videos.host.test")
	operator("Bench ISP One", takedown.KindISP)
	operator("Bench ISP Two", takedown.KindISP)
	return svc, benchUsers{officer: as("Officer", takedown.RoleOfficer, 0), supervisor: as("Supervisor", takedown.RoleSupervisor, 0),
		desk: as("Host desk", takedown.RoleOperator, host), host: host}
}

// stateChanges takes case i through the six changes.
func stateChanges(svc *casework.Service, u benchUsers, i int64) error {
	r, err := svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{fmt.Sprintf("https://videos.host.test/cycle/%d", i)},
		Offence: "terrorism-apology", Description: "Synthetic benchmark report.", GoodFaith: true})
	if err != nil {
		return err
	}
	id := r.URLs[0].CaseID
	if _, err := svc.Accept(u.officer, id); err != nil {
		return err
	}
	if _, err := svc.Qualify(u.officer, id, takedown.QualificationInput{Offence: "terrorism-apology", Elements: map[string]any{
		"predicate_act": "The attack of 1 January 2026 on the Example Square.", "predicate_act_is_terrorist": true,
		"public_character": true, "characterisation": "apology"}, Reasons: "The video glorifies the attackers."}); err != nil {
		return err
	}
	if _, err := svc.Approve(u.supervisor, id); err != nil {
		return err
	}
	m, err := svc.IssueMeasure(u.officer, id, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: u.host})
	if err != nil {
		return err
	}
	ds, _, err := svc.Deliveries(u.desk, takedown.DeliveryFilter{MeasureID: m.ID, Page: takedown.Page{Limit: 10}})
	if err != nil || len(ds) != 1 {
		return fmt.Errorf("deliveries of measure %d to its host: %d, %v", m.ID, len(ds), err)
	}
	_, err = svc.Answer(u.desk, ds[0].ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
	return err
}
