// Command fanout measures the delivery of one list change to many operators through signed
// webhooks: N ISPs, each with its own webhook endpoint on loopback that verifies the
// signature and answers 204; one blocking measure is approved, which writes N deliveries and
// their transmissions in one transaction; the delivery worker sends them. It prints the time
// from the approval's commit until every receiver has acknowledged, side by side with a
// reference measured in the same run: the same N signed POSTs sent straight from memory by
// as many goroutines, without the outbox (no store, no retries, no records) — the cost of
// signing and HTTP alone.
//
// Usage: go run ./bench/fanout [-operators 1000] [-parallel 32] [-runs 3]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/delivery/webhook"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

func main() {
	operators := flag.Int("operators", 1000, "ISPs, each with its own webhook endpoint")
	parallel := flag.Int("parallel", 32, "the worker's parallel sends")
	runs := flag.Int("runs", 3, "list changes to deliver, one after the other")
	flag.Parse()
	if err := run(*operators, *parallel, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "fanout:", err)
		os.Exit(1)
	}
}

// receivers are the operators' endpoints: one listener each, verifying every signature.
type receivers struct {
	servers []*http.Server
	urls    []string
	secrets [][]webhook.Secret
	acked   atomic.Int64
	bad     atomic.Int64
}

func (r *receivers) start(n int) error {
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			if err := webhook.Verify(r.secrets[i], req.Header, body, time.Now(), 0); err != nil {
				r.bad.Add(1)
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			r.acked.Add(1)
			w.WriteHeader(http.StatusNoContent)
		})}
		go srv.Serve(l)
		r.servers = append(r.servers, srv)
		r.urls = append(r.urls, "http://"+l.Addr().String()+"/takedown")
	}
	return nil
}

func (r *receivers) close() {
	for _, s := range r.servers {
		s.Close()
	}
}

func run(operators, parallel, runs int) error {
	dir, err := os.MkdirTemp("", "takedown-fanout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), takedown.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		return err
	}
	svc := casework.New(db, procedure.Default(), v)
	local := takedown.NewContextWithUser(context.Background(), casework.LocalAdmin)
	user := func(ctx context.Context, name string, role takedown.Role) *takedown.User {
		u, _, err := svc.CreateUser(ctx, takedown.UserInput{Name: name, Role: role})
		if err != nil {
			panic(err)
		}
		return u
	}
	admin := takedown.NewContextWithUser(context.Background(), user(local, "Admin", takedown.RoleAdmin))
	officer := takedown.NewContextWithUser(context.Background(), user(local, "Officer", takedown.RoleOfficer))
	super1 := takedown.NewContextWithUser(context.Background(), user(local, "Supervisor One", takedown.RoleSupervisor))
	super2 := takedown.NewContextWithUser(context.Background(), user(local, "Supervisor Two", takedown.RoleSupervisor))

	var r receivers
	if err := r.start(operators); err != nil {
		return err
	}
	defer r.close()
	fmt.Fprintf(os.Stderr, "registering %d ISPs with webhooks…\n", operators)
	for i := range operators {
		o, err := svc.CreateOperator(admin, takedown.OperatorInput{Name: fmt.Sprintf("ISP %04d", i), Kind: takedown.KindISP,
			Contact: fmt.Sprintf("noc@isp%04d.example", i), Languages: []string{"fr"},
			Channels: &takedown.DeliveryChannels{Webhook: r.urls[i]}})
		if err != nil {
			return err
		}
		made, err := svc.CreateWebhookSecret(admin, o.ID)
		if err != nil {
			return err
		}
		s, err := webhook.ParseSecret(made.Secret)
		if err != nil {
			return err
		}
		r.secrets = append(r.secrets, []webhook.Secret{s})
	}

	cfg := delivery.DefaultConfig()
	cfg.Parallel = parallel
	cfg.Fetch.AllowPrivate = true
	w := delivery.New(svc, cfg, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)

	var outbox, direct []time.Duration
	for i := range runs {
		fmt.Fprintf(os.Stderr, "run %d: approving a blocking measure for %d ISPs…\n", i+1, operators)
		before := r.acked.Load()
		m, err := blocking(svc, officer, super1, super2, i)
		if err != nil {
			return err
		}
		started := *m.ApprovedAt
		w.Wake()
		for r.acked.Load()-before < int64(operators) {
			time.Sleep(time.Millisecond)
		}
		outbox = append(outbox, time.Since(started))
		if err := waitRecorded(svc, officer, m.ID, operators); err != nil {
			return err
		}

		d, err := directFanout(&r, parallel)
		if err != nil {
			return err
		}
		direct = append(direct, d)
	}
	if n := r.bad.Load(); n != 0 {
		return fmt.Errorf("%d webhooks failed their verification", n)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "fan-out of one list change to %d ISPs by webhook (%d parallel sends, GOMAXPROCS %d), %d runs\n",
		operators, parallel, runtime.GOMAXPROCS(0), runs)
	fmt.Fprintln(tw, "path\tmedian\tmin\tmax\tper operator (median)")
	for _, row := range []struct {
		name string
		ds   []time.Duration
	}{{"outbox (approval commit → all acknowledged)", outbox}, {"reference: signed POSTs from memory", direct}} {
		slices.Sort(row.ds)
		med := row.ds[len(row.ds)/2]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.name, med.Round(time.Millisecond), row.ds[0].Round(time.Millisecond),
			row.ds[len(row.ds)-1].Round(time.Millisecond), (med / time.Duration(operators)).Round(time.Microsecond))
	}
	return tw.Flush()
}

// blocking takes a new case to approval and has two supervisors put a blocking measure in
// force: one list change, one delivery per ISP.
func blocking(svc *casework.Service, officer, super1, super2 context.Context, i int) (*takedown.Measure, error) {
	host := fmt.Sprintf("fanout-%d.example", i)
	rep, err := svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://" + host + "/v/1"},
		Offence: "terrorism-apology", Description: "A video praising an attack.", GoodFaith: true})
	if err != nil {
		return nil, err
	}
	id := rep.URLs[0].CaseID
	if _, err := svc.Accept(officer, id); err != nil {
		return nil, err
	}
	if _, err := svc.Qualify(officer, id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: map[string]any{"predicate_act": "The attack of 1 January 2026 on the Example Square, qualified as terrorist.",
			"predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology"},
		Reasons: "The site glorifies the authors of the attack."}); err != nil {
		return nil, err
	}
	if _, err := svc.Approve(super1, id); err != nil {
		return nil, err
	}
	m, err := svc.IssueMeasure(officer, id, takedown.MeasureInput{Kind: takedown.Blocking, Targets: []string{host},
		PublisherUnidentified: "The site has no legal notice and no contact."})
	if err != nil {
		return nil, err
	}
	return svc.ApproveMeasure(super2, m.ID)
}

// waitRecorded waits until the outbox has recorded every acknowledgement of the measure.
func waitRecorded(svc *casework.Service, officer context.Context, measureID int64, n int) error {
	for {
		ds, err := takedown.All(func(p takedown.Page) ([]*takedown.Delivery, string, error) {
			return svc.Deliveries(officer, takedown.DeliveryFilter{MeasureID: measureID, Page: p})
		})
		if err != nil {
			return err
		}
		received := 0
		for _, d := range ds {
			if d.AcknowledgedAt != nil {
				received++
			}
		}
		if received >= n {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// directFanout posts one signed message to every receiver from memory, parallel at a time.
func directFanout(r *receivers, parallel int) (time.Duration, error) {
	body := bytes.Repeat([]byte("x"), 2048) // about the size of a list delivery's payload
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	var failed atomic.Int64
	started := time.Now()
	for i, u := range r.urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			resp := webhook.Post(context.Background(), client, u, r.secrets[i], fmt.Sprintf("msg_direct_%d_%d", started.UnixNano(), i), time.Now(), body)
			if !resp.Accepted {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n != 0 {
		return 0, fmt.Errorf("%d direct posts failed", n)
	}
	return time.Since(started), nil
}
