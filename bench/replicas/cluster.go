package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to make and drop schemas
	_ "modernc.org/sqlite"             // to count the reports stored on SQLite

	"github.com/takedown-project/takedown/client"
)

// zoneName is the blocking zone the replicas serve.
const zoneName = "blocklist.rpz.bench.example."

// zoneConfig lets the load generator, on loopback, transfer the zone without a key.
const zoneConfig = `{"zone": "` + zoneName + `", "nameserver": "ns1.bench.example.", "contact": "hostmaster.bench.example.",
  "stop_pages": {"": {"a": "203.0.113.80", "aaaa": "2001:db8::80"}},
  "isps": [{"name": "Bench ISP", "transfer": ["127.0.0.1"]}]}
`

// setup is one way to run the server: how many replicas, on which database.
type setup struct {
	name     string
	replicas int
	postgres bool
}

// database names the setup's database for the tables.
func (s setup) database() string {
	if s.postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// parseSetup reads "sqlite", "postgres" or "postgres-N".
func parseSetup(s string) (setup, error) {
	switch {
	case s == "sqlite":
		return setup{name: s, replicas: 1}, nil
	case s == "postgres":
		return setup{name: s, replicas: 1, postgres: true}, nil
	case strings.HasPrefix(s, "postgres-"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "postgres-"))
		if err != nil || n < 1 {
			return setup{}, fmt.Errorf("setup %q: want postgres-N with N ≥ 1", s)
		}
		return setup{name: s, replicas: n, postgres: true}, nil
	}
	return setup{}, fmt.Errorf("setup %q: want sqlite, postgres or postgres-N", s)
}

// cluster is one setup running: its replicas, their data directories, and on PostgreSQL the
// schema they share.
type cluster struct {
	setup
	binary   string
	dir      string
	admin    *sql.DB // the PostgreSQL database, to drop the schema; nil on SQLite
	schema   string
	db       string        // the --db URL, naming the schema also as application_name; "" on SQLite
	maxConns int           // --db-max-conns; 0 for the server's default
	timeout  time.Duration // how long a caller waits for an HTTP answer
	replicas []*replica
	// The officer qualifies, the supervisor approves: two users, for the four-eyes rule.
	officer, supervisor string
}

// replica is one `takedown serve` process.
type replica struct {
	cmd       *exec.Cmd
	data      string
	url, dns  string
	log       *serverLog
	exited    chan struct{} // closed once the process exited and its stderr was read
	public    *client.Client
	officer   *client.Client
	super     *client.Client
	transport *http.Transport
}

// startCluster makes the setup's database and data directories and starts its replicas.
// On error, what was started is stopped again.
func startCluster(ctx context.Context, binary, dir string, admin *sql.DB, base string, maxConns int, timeout time.Duration, s setup) (c *cluster, err error) {
	c = &cluster{setup: s, binary: binary, dir: dir, maxConns: maxConns, timeout: timeout}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if s.postgres {
		c.admin = admin
		c.schema = fmt.Sprintf("bench_replicas_%d_%s", os.Getpid(), strings.ReplaceAll(s.name, "-", "_"))
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+c.schema); err != nil {
			c.schema = ""
			return nil, fmt.Errorf("create schema: %w", err)
		}
		if c.db, err = withSearchPath(base, c.schema); err != nil {
			return nil, err
		}
		if _, err := c.takedown(ctx, "migrate", "--db", c.db); err != nil {
			return nil, err
		}
	}
	config := filepath.Join(dir, "dns.json")
	if err := os.WriteFile(config, []byte(zoneConfig), 0o600); err != nil {
		return nil, err
	}
	first := filepath.Join(dir, "replica-1")
	if c.officer, err = c.addUser(ctx, first, "officer", "Bench Officer"); err != nil {
		return nil, err
	}
	if c.supervisor, err = c.addUser(ctx, first, "supervisor", "Bench Supervisor"); err != nil {
		return nil, err
	}
	// The first replica makes the audit log's key; the others get a copy of both keys.
	for i := range s.replicas {
		data := filepath.Join(dir, fmt.Sprintf("replica-%d", i+1))
		if i > 0 {
			if err := os.Mkdir(data, 0o700); err != nil {
				return nil, err
			}
			for _, key := range []string{"vault.key", "log.key"} {
				if err := copyFile(filepath.Join(first, key), filepath.Join(data, key)); err != nil {
					return nil, err
				}
			}
		}
		r, err := c.start(ctx, data, config)
		if r != nil {
			c.replicas = append(c.replicas, r)
		}
		if err != nil {
			return nil, fmt.Errorf("replica %d: %w", i+1, err)
		}
	}
	return c, nil
}

// withSearchPath returns the database URL base with its search_path set to schema, and the
// schema as the sessions' application_name, by which the sessions are found in
// pg_stat_activity.
func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("-db: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// takedown runs one offline command of the binary and returns its standard output.
func (c *cluster) takedown(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("takedown %s: %v\n%s", args[0], err, stderr.String())
	}
	return string(out), nil
}

// addUser adds a user on the first replica's data directory and returns its token, which
// the command prints on its last line.
func (c *cluster) addUser(ctx context.Context, data, role, name string) (string, error) {
	args := []string{"admin", "user", "add", "--data", data, "--role", role, "--name", name}
	if c.db != "" {
		args = append(args, "--db", c.db)
	}
	out, err := c.takedown(ctx, args...)
	if err != nil {
		return "", err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// start runs `takedown serve` on data and waits until it serves.
func (c *cluster) start(ctx context.Context, data, config string) (*replica, error) {
	args := []string{"serve", "--data", data, "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--dns-config", config,
		"--reports-per-minute", "-1", "--log-format", "json"}
	if c.db != "" {
		args = append(args, "--db", c.db)
	}
	if c.db != "" && c.maxConns > 0 {
		args = append(args, "--db-max-conns", strconv.Itoa(c.maxConns))
	}
	cmd := exec.Command(c.binary, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	r := &replica{cmd: cmd, data: data, log: &serverLog{}, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	serving := make(chan logLine, 1)
	go func() {
		defer close(r.exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if l := r.log.add(sc.Bytes()); l.Msg == "takedown is serving" {
				serving <- l
			}
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
	}()
	select {
	case l := <-serving:
		r.url, r.dns = l.URL, l.Zone.DNS
	case <-r.exited:
		return r, fmt.Errorf("takedown serve exited:\n%s", r.log.tail())
	case <-time.After(time.Minute):
		return r, fmt.Errorf("takedown serve did not start within a minute:\n%s", r.log.tail())
	case <-ctx.Done():
		return r, ctx.Err()
	}
	r.transport = &http.Transport{MaxIdleConnsPerHost: 1024}
	hc := &http.Client{Transport: r.transport, Timeout: c.timeout}
	r.public, r.officer, r.super = client.New(r.url, ""), client.New(r.url, c.officer), client.New(r.url, c.supervisor)
	r.public.HTTP, r.officer.HTTP, r.super.HTTP = hc, hc, hc
	return r, nil
}

// ready returns the replica's answer to GET /readyz: "ready" or "ready, leading".
func (r *replica) ready(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", r.url+"/readyz", nil)
	if err != nil {
		return "", err
	}
	resp, err := r.public.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("readyz: %s: %s", resp.Status, b)
	}
	return strings.TrimSpace(string(b)), nil
}

// stop asks the replica to shut down and kills it if it has not within 10 s.
func (r *replica) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
	if r.transport != nil {
		r.transport.CloseIdleConnections()
	}
}

// close stops the replicas, then drops the schema and removes the data directories.
func (c *cluster) close() error {
	var wg sync.WaitGroup
	for _, r := range c.replicas {
		wg.Go(r.stop)
	}
	wg.Wait()
	var err error
	if c.schema != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, e := c.admin.ExecContext(ctx, "DROP SCHEMA "+c.schema+" CASCADE"); e != nil {
			err = fmt.Errorf("drop schema %s: %w", c.schema, e)
		}
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// copyFile copies a key, readable by its owner only.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

// logLine is what the bench reads of the server's JSON log lines.
type logLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	URL   string `json:"url"`
	Zone  struct {
		DNS string `json:"dns"`
	} `json:"zone"`
}

// serverLog keeps a replica's last log lines, and counts its warnings and errors by message,
// so that what the server complained of under load is reported beside the figures.
type serverLog struct {
	mu       sync.Mutex
	last     []string
	problems map[string]int    // "LEVEL message" → count
	examples map[string]string // "LEVEL message" → its first line
}

func (l *serverLog) add(b []byte) logLine {
	var line logLine
	json.Unmarshal(b, &line)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.last) == 20 {
		l.last = slices.Delete(l.last, 0, 1)
	}
	l.last = append(l.last, string(b))
	if line.Level == "WARN" || line.Level == "ERROR" {
		if l.problems == nil {
			l.problems, l.examples = map[string]int{}, map[string]string{}
		}
		key := line.Level + " " + line.Msg
		if l.problems[key]++; l.problems[key] == 1 {
			l.examples[key] = string(b)
		}
	}
	return line
}

func (l *serverLog) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// reset forgets the warnings counted so far (those of the start).
func (l *serverLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems, l.examples = nil, nil
}

// report prints the warnings and errors counted since the last reset, with the first line
// of each.
func (l *serverLog) report(w io.Writer, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range slices.Sorted(maps.Keys(l.problems)) {
		fmt.Fprintf(w, "%s logged %d× %s; the first: %s\n", name, l.problems[m], m, l.examples[m])
	}
}

// sessions samples the replicas' PostgreSQL sessions every 100 ms until ctx is done: how many
// are open, and how many wait for the write lock (an advisory lock). It returns a function
// that stops the sampling and describes what it saw.
func (c *cluster) sessions(ctx context.Context) func() string {
	if c.schema == "" {
		return func() string { return "" }
	}
	ctx, cancel := context.WithCancel(ctx)
	var samples, waitSum, waitMax, openMax int
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var open, waiting int
			err := c.admin.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')
				FROM pg_stat_activity WHERE application_name = $1`, c.schema).Scan(&open, &waiting)
			if err != nil {
				continue
			}
			samples++
			waitSum += waiting
			waitMax, openMax = max(waitMax, waiting), max(openMax, open)
		}
	}()
	return func() string {
		cancel()
		<-done
		if samples == 0 {
			return "PostgreSQL sessions: not sampled"
		}
		return fmt.Sprintf("PostgreSQL sessions of the replicas (sampled every 100 ms): at most %d open; waiting for the write lock: %.1f on average, at most %d",
			openMax, float64(waitSum)/float64(samples), waitMax)
	}
}

// stored counts the reports and the cases in the database, to set beside the reports
// answered: a report stored whose caller had given up is work the server did for no one, and
// a report that repeats a URL joins that URL's case rather than opening one.
func (c *cluster) stored(ctx context.Context) (reports, cases int, err error) {
	const query = "SELECT (SELECT count(*) FROM %[1]sreports), (SELECT count(*) FROM %[1]scases)"
	if c.schema != "" {
		err := c.admin.QueryRowContext(ctx, fmt.Sprintf(query, c.schema+".")).Scan(&reports, &cases)
		return reports, cases, err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(c.replicas[0].data, "takedown.db")+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	err = db.QueryRowContext(ctx, fmt.Sprintf(query, "")).Scan(&reports, &cases)
	return reports, cases, err
}
