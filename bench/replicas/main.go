// Command replicas is the load test of takedown at production scale: the surge of public
// reports that follows a major attack, officers working the case queue, and ISPs
// transferring the blocking zone, all at once, against the real binary in three setups
// measured one after the other in the same run, on the same machine:
//
//   - sqlite: one replica on its SQLite file, the setup of the intake figures;
//   - postgres: one replica on PostgreSQL;
//   - postgres-3: three replicas on one PostgreSQL database, each its own process with its
//     own data directory holding the same keys, the load spread over them round-robin.
//
// The aim: three replicas take 10,000 public reports a minute (about 167 a second) while
// officers work, with a p99 under 200 ms. On PostgreSQL every write takes an advisory lock,
// so the replicas share one writer: side by side, the setups show what PostgreSQL costs
// against SQLite, and what replicas add and what they do not (docs/performance.md has the
// figures and what bounds them).
//
// The load is open-loop: each kind of operation is started on a fixed schedule at its rate,
// whether or not the previous ones were answered, and its latency runs from when it was
// due, so a server that falls behind shows it in its latencies instead of slowing the load
// down (no coordinated omission). The kinds:
//
//   - report: POST /api/v1/reports without a token; a share of them (-repeat) repeat a URL
//     reported earlier, which intake groups into that URL's case;
//   - case queue: GET /api/v1/cases?state=new as an officer;
//   - accept, qualify, approve, blocking measure, approve blocking: a case found in the queue
//     is accepted and qualified by an officer and approved by a supervisor (four eyes); the
//     officer proposes to block its host and the supervisor approves, which puts the host in
//     the blocking zone; each step goes to the next replica;
//   - approved → in the zone: the time from the last approval's answer until the next
//     replica's DNS primary serves the host, the way of a block to the ISPs;
//   - AXFR: a transfer of the blocking zone, growing as cases are decided, over TCP from a
//     replica's DNS primary.
//
// A closed-loop phase follows on the same cluster (-clients reporters, each sending its next
// report once the last is answered): the most reports per second the setup takes.
//
// Usage: go run ./bench/replicas [-duration 30s] [-rate 167] [-db postgres://…] [-setups sqlite,postgres,postgres-3]
//
// Callers give up after -timeout (30 s). Beside each table the tool prints the cores each
// part kept busy, what else the machine did (it may be shared), the PostgreSQL sessions
// waiting for the write lock, the reports and cases stored, and the server's warnings.
//
// The binary is built once, into a temporary directory. Each PostgreSQL setup gets its own
// schema in the -db database, dropped at the end, also on Ctrl-C; if the database does not
// answer, the PostgreSQL setups are skipped with a message.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// config is the run's flags.
type config struct {
	setups   []setup
	db       string
	duration time.Duration
	closed   time.Duration
	clients  int
	maxConns int
	timeout  time.Duration
	rates    rates
}

func main() {
	var cfg config
	setups := flag.String("setups", "sqlite,postgres,postgres-3", "setups to measure: sqlite, postgres or postgres-N (N replicas)")
	flag.StringVar(&cfg.db, "db", "postgres://postgres@127.0.0.1:5432/test", "the PostgreSQL database the setups make their schemas in")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long the open-loop workload runs on each setup")
	flag.DurationVar(&cfg.closed, "closed", 10*time.Second, "how long the closed-loop report phase runs on each setup; 0 to skip it")
	flag.IntVar(&cfg.clients, "clients", 32, "concurrent reporters of the closed-loop phase")
	flag.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "how long a caller waits for an HTTP answer before it gives up")
	flag.IntVar(&cfg.maxConns, "db-max-conns", 0, "each PostgreSQL replica's --db-max-conns; 0 for the server's default")
	flag.Float64Var(&cfg.rates.reports, "rate", 10000.0/60, "public reports per second (the aim: 10,000 a minute)")
	flag.Float64Var(&cfg.rates.repeat, "repeat", 0.3, "share of the reports that repeat an earlier URL")
	flag.Float64Var(&cfg.rates.reads, "reads", 10, "officers' reads of the case queue per second")
	flag.Float64Var(&cfg.rates.cases, "cases", 2, "cases per second taken from the queue to a blocking measure in force")
	flag.Float64Var(&cfg.rates.axfr, "axfr", 3, "zone transfers per second")
	flag.Parse()
	for _, s := range strings.Split(*setups, ",") {
		st, err := parseSetup(strings.TrimSpace(s))
		if err != nil {
			fmt.Fprintln(os.Stderr, "replicas:", err)
			os.Exit(2)
		}
		cfg.setups = append(cfg.setups, st)
	}
	// Stop and clean up on Ctrl-C, on kill, when the terminal goes, and when the output is a
	// pipe whose reader has gone (such as head): the default for SIGPIPE would kill the tool
	// and leave the replicas running and the schemas behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "replicas:", err)
		stop()
		os.Exit(1)
	}
}

// outcome is one setup's figures.
type outcome struct {
	name string
	rows []figures
}

func run(ctx context.Context, cfg config) error {
	dir, err := os.MkdirTemp("", "takedown-bench-replicas-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	binary := filepath.Join(dir, "takedown")
	fmt.Println("building takedown…")
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, "github.com/takedown-project/takedown/cmd/takedown")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	admin, err := openPostgres(ctx, cfg.db)
	if err != nil {
		fmt.Printf("PostgreSQL does not answer at %s (%v): the PostgreSQL setups are skipped.\n", cfg.db, err)
		cfg.setups = slices.DeleteFunc(cfg.setups, func(s setup) bool { return s.postgres })
	} else {
		defer admin.Close()
	}
	r := cfg.rates
	fmt.Printf("\nopen loop, %s per setup: %.0f reports/s (%.0f %% repeating an earlier URL), %.0f case-queue reads/s, %.0f cases/s taken to a blocking measure in force, %.0f AXFR/s; then closed loop, %s, %d reporters\n",
		cfg.duration, r.reports, 100*r.repeat, r.reads, r.cases, r.axfr, cfg.closed, cfg.clients)
	fmt.Printf("GOMAXPROCS=%d, %d CPUs, all on this machine: the replicas, PostgreSQL and the load generator share them\n", runtime.GOMAXPROCS(0), runtime.NumCPU())

	var outcomes []outcome
	for i, s := range cfg.setups {
		if ctx.Err() != nil {
			break
		}
		sub := filepath.Join(dir, s.name)
		if err := os.Mkdir(sub, 0o700); err != nil {
			return err
		}
		rows, err := measure(ctx, cfg, binary, sub, admin, s)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		outcomes = append(outcomes, outcome{s.name, rows})
		if i < len(cfg.setups)-1 {
			time.Sleep(2 * time.Second) // let the last setup's processes go before the next one starts
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; processes stopped and schemas dropped")
	}
	if len(outcomes) > 1 {
		printSideBySide(outcomes)
	}
	return nil
}

// openPostgres opens the database the schemas are made in and checks that it answers.
func openPostgres(ctx context.Context, url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// measure starts the setup, runs the workload on it, prints its table and stops it.
func measure(ctx context.Context, cfg config, binary, dir string, admin *sql.DB, s setup) ([]figures, error) {
	fmt.Printf("\n== %s: %d replica(s) on %s\n", s.name, s.replicas, s.database())
	c, err := startCluster(ctx, binary, dir, admin, cfg.db, cfg.maxConns, cfg.timeout, s)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := c.close(); err != nil {
			fmt.Fprintln(os.Stderr, "replicas:", err)
		}
	}()
	for i, r := range c.replicas {
		state, err := r.ready(ctx)
		if err != nil {
			return nil, fmt.Errorf("replica %d: %w", i+1, err)
		}
		fmt.Printf("replica %d: %s, DNS %s: %s\n", i+1, r.url, r.dns, state)
		r.log.reset()
	}
	w := newWorkload(c)
	fmt.Printf("load average before: %s\n", loadAverage())
	before, sessions := sampleCPU(c.replicas), c.sessions(ctx)
	elapsed := w.openLoop(ctx, cfg.rates, cfg.duration)
	fmt.Printf("open loop, %s: %s\n", elapsed.Round(time.Millisecond), sampleCPU(c.replicas).since(before, elapsed))
	if s := sessions(); s != "" {
		fmt.Println(s)
	}
	fmt.Println(w.zones())
	var closed time.Duration
	if cfg.closed > 0 && ctx.Err() == nil {
		before, sessions = sampleCPU(c.replicas), c.sessions(ctx)
		closed = w.closedLoop(ctx, cfg.clients, cfg.rates.repeat, cfg.closed)
		fmt.Printf("closed loop, %s: %s\n", closed.Round(time.Millisecond), sampleCPU(c.replicas).since(before, closed))
		if s := sessions(); s != "" {
			fmt.Println(s)
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // figures cut short by the interrupt would mislead
	}
	rows := w.rec.figures(elapsed, closed)
	printTable(rows)
	fmt.Printf("the largest zone transferred: %d records\n", w.zone.Load())
	if n := w.noCase.Load(); n > 0 {
		fmt.Printf("%d case steps not started: no new case in the queue yet\n", n)
	}
	printErrors(rows)
	answered := 0
	for _, f := range rows {
		if f.kind == opReport || f.kind == opRepeat || f.kind == opClosedReport {
			answered += f.done
		}
	}
	if reports, cases, err := c.stored(ctx); err != nil {
		fmt.Printf("cannot count the reports stored: %v\n", err)
	} else {
		fmt.Printf("reports: %d answered 201 Created, %d stored; %d new URLs sent, %d cases\n", answered, reports, w.fresh.Load(), cases)
	}
	for i, r := range c.replicas {
		r.log.report(os.Stdout, fmt.Sprintf("replica %d", i+1))
	}
	return rows, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printTable(rows []figures) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tdone\terrors\tper second\tp50 ms\tp99 ms\tmax ms\t")
	for _, f := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", f.kind, f.done, f.errors, f.rate, ms(f.p50), ms(f.p99), ms(f.max))
	}
	tw.Flush()
}

// printErrors shows what failed, by message, so that errors are read rather than counted.
func printErrors(rows []figures) {
	for _, f := range rows {
		for _, m := range slices.Sorted(maps.Keys(f.messages)) {
			fmt.Printf("  %s: %d× %s\n", f.kind, f.messages[m], m)
		}
	}
}

// printSideBySide puts the setups' figures in one table, for the documentation.
func printSideBySide(outcomes []outcome) {
	fmt.Println("\n== side by side: per second, p99 ms (errors)")
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "operation\t")
	for _, o := range outcomes {
		fmt.Fprintf(tw, "%s\t", o.name)
	}
	fmt.Fprintln(tw)
	for _, kind := range kinds {
		fmt.Fprintf(tw, "%s\t", kind)
		for _, o := range outcomes {
			i := slices.IndexFunc(o.rows, func(f figures) bool { return f.kind == kind })
			if i < 0 {
				fmt.Fprint(tw, "–\t")
				continue
			}
			f := o.rows[i]
			fmt.Fprintf(tw, "%.1f/s, %.1f ms (%d)\t", f.rate, ms(f.p99), f.errors)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
