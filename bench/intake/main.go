// Command intake is the load test of report intake: concurrent public clients submit reports
// over HTTP to a real server on a SQLite file (one in ten repeats an earlier URL and joins its
// case), and it prints reports per second and latency percentiles, side by side with two
// references measured in the same run on the same machine:
//
//   - http-floor: the same server answering GET /healthz — the cost of HTTP alone;
//   - sqlite-commit: one row inserted and committed at a time with the same durability
//     (WAL, synchronous=FULL) — the cost of a durable commit without group commit.
//
// Usage: go run ./bench/intake [-clients 32] [-duration 20s] [-server URL]
//
// Without -server it starts the server in this process, on loopback, with the rate limit
// off; the load generator then shares the machine's cores with it, as it would on a 2-core
// box with the clients elsewhere on the network only better.
package main

import (
	"context"
	"database/sql"
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

	"github.com/prometheus/client_golang/prometheus"
	_ "modernc.org/sqlite"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

func main() {
	clients := flag.Int("clients", 32, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "how long each phase runs")
	server := flag.String("server", "", "an existing server's URL (with its public rate limit off); default: start one here")
	flag.Parse()
	if err := run(*clients, *duration, *server); err != nil {
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(1)
	}
}

func run(clients int, duration time.Duration, server string) error {
	dir, err := os.MkdirTemp("", "takedown-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if server == "" {
		url, stop, err := startServer(dir)
		if err != nil {
			return err
		}
		defer stop()
		server = url
	}
	fmt.Printf("intake load test: %d clients, %s per phase, GOMAXPROCS=%d, %s\n\n", clients, duration, runtime.GOMAXPROCS(0), server)

	var results []result
	results = append(results, load("intake (POST /api/v1/reports)", clients, duration, submitter(server)))
	results = append(results, load("http-floor (GET /healthz)", clients, duration, healthz(server)))
	commit, err := sqliteCommits(filepath.Join(dir, "floor.db"))
	if err != nil {
		return err
	}
	results = append(results, load("sqlite-commit (1 row per commit, 1 writer)", 1, duration, commit))

	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tdone\terrors\tper second\tp50 ms\tp99 ms\tmax ms\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t\n", r.name, r.done, r.errors, r.rate, ms(r.p50), ms(r.p99), ms(r.max))
	}
	tw.Flush()
	national := 265000 / results[0].rate
	fmt.Printf("\nAt this rate the national platform's 2019 volume (about 265,000 reports) takes %.0f s.\n", national)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startServer runs the API on a fresh data directory, on a loopback port.
func startServer(dir string) (string, func(), error) {
	clock := takedown.SystemClock{}
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), clock)
	if err != nil {
		return "", nil, err
	}
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		return "", nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := casework.New(db, procedure.Default(), v)
	api := httpapi.New(svc, httpapi.Config{ReportsPerMinute: -1}, log, prometheus.NewRegistry())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: api}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close(); db.Close() }, nil
}

// result is one phase's figures.
type result struct {
	name          string
	done, errors  int64
	rate          float64
	p50, p99, max time.Duration
}

// load runs op from n goroutines for d and measures each call.
func load(name string, n int, d time.Duration, op func(ctx context.Context, worker, i int) error) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var errors atomic.Int64
	latencies := make([][]time.Duration, n)
	began := time.Now()
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				t := time.Now()
				if err := op(ctx, w, i); err != nil {
					if ctx.Err() == nil {
						errors.Add(1)
					}
					continue
				}
				latencies[w] = append(latencies[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	r := result{name: name, done: int64(len(all)), errors: errors.Load(), rate: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.p50, r.p99, r.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	return r
}

// submitter posts public reports; one in ten repeats the URL of an earlier report of the same
// client, so intake groups it into that case.
func submitter(server string) func(ctx context.Context, worker, i int) error {
	c := client.New(server, "")
	c.HTTP.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
	run := time.Now().UnixNano()
	return func(ctx context.Context, worker, i int) error {
		n := i
		if i%10 == 9 {
			n = i - 5
		}
		in := takedown.ReportInput{URLs: []string{fmt.Sprintf("https://videos.host.test/load/%d/%d/%d", run, worker, n)},
			Offence: "terrorism-apology", Description: "Synthetic load-test report.", GoodFaith: true}
		return c.Do(ctx, "POST", "/reports", nil, in, nil)
	}
}

// healthz fetches /healthz: the server's HTTP path without the procedure.
func healthz(server string) func(ctx context.Context, worker, i int) error {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	return func(ctx context.Context, worker, i int) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", server+"/healthz", nil)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
}

// sqliteCommits inserts and commits one small row at a time, with the store's pragmas.
func sqliteCommits(path string) (func(ctx context.Context, worker, i int) error, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE reports (id INTEGER PRIMARY KEY, url TEXT NOT NULL, at INTEGER NOT NULL)`); err != nil {
		return nil, err
	}
	return func(ctx context.Context, worker, i int) error {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO reports (url, at) VALUES (?, ?)`, fmt.Sprintf("https://videos.host.test/floor/%d", i), time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}, nil
}
