package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/internal/storetest"
)

// replica is one serve process of the authority.
type replica struct {
	url, dns string
	proc     *process
	dead     bool
}

// leads reports whether the replica answers its readiness probe as the leader.
func (r *replica) leads() bool {
	resp, err := http.Get(r.url + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), "leading")
}

// TestReplicasFailOver: three serve replicas share one PostgreSQL schema behind a load
// generator that spreads public reports and officers' work over them. One replica is killed
// with SIGKILL in the middle of the load, then the leader. The lead (scheduler, outbox,
// checkpoints) moves to a survivor; every acknowledged report and measure is there; every
// blocking delivery's deadline (20 s in this profile) is recorded as missed exactly once;
// the surviving replicas serve the same zone serial, the latest list version, whichever
// replica published it; and the audit log, checkpointed by the new leader, verifies.
func TestReplicasFailOver(t *testing.T) {
	base := storetest.NeedPostgres(t)
	dsn := storetest.NewSchema(t, base)
	tmp := t.TempDir()
	profile := fastProfile(t, tmp)
	dirs := []string{filepath.Join(tmp, "r0"), filepath.Join(tmp, "r1"), filepath.Join(tmp, "r2")}
	db := []string{"--db", dsn}
	logKey := lastLine(run(t, nil, "admin", "log-key", "create", "--data", dirs[0], "--origin", "authority.example/log"))
	officer := lastLine(run(t, nil, append([]string{"admin", "user", "add", "--data", dirs[0], "--role", "officer", "--name", "Officer Replica"}, db...)...))
	supervisor := lastLine(run(t, nil, append([]string{"admin", "user", "add", "--data", dirs[0], "--role", "supervisor", "--name", "Supervisor Replica"}, db...)...))
	run(t, nil, append([]string{"admin", "operator", "add", "--data", dirs[0], "--kind", "isp", "--name", "ISP Never Pulls",
		"--contact", "noc@isp.example", "--language", "fr"}, db...)...)
	shareKeys(t, dirs[0], dirs[1:]...)
	zoneConfig := filepath.Join(tmp, "dns.json")
	if err := os.WriteFile(zoneConfig, []byte(`{"zone": "`+zoneName+`", "nameserver": "ns1.authority.example.", "contact": "hostmaster.authority.example.",
  "stop_pages": {"": {"a": "203.0.113.80", "aaaa": "2001:db8::80"}},
  "isps": [{"name": "Test resolver", "transfer": ["127.0.0.1"], "tsig_key": "`+tsigKey+`", "tsig_secret": "`+tsigSecret+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	replicas := make([]*replica, len(dirs))
	for i, d := range dirs {
		r := &replica{dns: "127.0.0.1:" + itoa(int64(freePort(t)))}
		r.url, r.proc = serve(t, d, append(db, "--profile", profile, "--scheduler-interval", "1s", "--checkpoint-interval", "1s",
			"--reports-per-minute", "-1", "--dns", r.dns, "--dns-config", zoneConfig, "--dns-poll-interval", "0")...)
		replicas[i] = r
	}
	var leader *replica
	waitFor(t, "one leader", func() bool {
		for _, r := range replicas {
			if r.leads() {
				leader = r
				return true
			}
		}
		return false
	})

	// The load: public reports (a quarter repeat an earlier URL) and officers taking cases
	// to a blocking, each request to a random live replica, retried on another when one is
	// down; only what a replica acknowledged counts.
	var mu sync.Mutex
	acked := map[string]string{} // receipt → URL
	var measures []int64
	pick := func() *replica {
		mu.Lock()
		defer mu.Unlock()
		for {
			if r := replicas[rand.IntN(len(replicas))]; !r.dead {
				return r
			}
		}
	}
	do := func(ctx context.Context, token, method, path string, query map[string][]string, body, out any) error {
		var err error
		for range 5 {
			if err = client.New(pick().url, token).Do(ctx, method, path, query, body, out); err == nil || takedown.ErrorCode(err) != takedown.EUNAVAILABLE && !isConnErr(err) {
				return err
			}
		}
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				u := fmt.Sprintf("https://videos.replica.test/%d/%d", w, i)
				if i%4 == 3 {
					u = fmt.Sprintf("https://videos.replica.test/%d/%d", w, i-1)
				}
				var r struct{ Receipt string }
				err := do(ctx, "", "POST", "/reports", nil, takedown.ReportInput{URLs: []string{u}, Offence: "csam",
					Description: "Synthetic replica test report.", GoodFaith: true}, &r)
				if err == nil {
					mu.Lock()
					acked[r.Receipt] = u
					mu.Unlock()
				}
			}
		})
	}
	block := func(n int) { // an officer's case, from a report to a blocking in force
		host := fmt.Sprintf("blocked-%d.replica.test", n)
		u := "https://" + host + "/"
		var id int64
		var m takedown.Measure
		steps := []func() error{
			func() error {
				return do(ctx, "", "POST", "/reports", nil, takedown.ReportInput{URLs: []string{u}, Offence: "csam",
					Description: "Synthetic replica test report.", GoodFaith: true}, nil)
			},
			func() error {
				var page struct{ Items []takedown.Case }
				err := do(ctx, officer, "GET", "/cases", map[string][]string{"url": {u}}, nil, &page)
				if err == nil && len(page.Items) != 1 {
					return fmt.Errorf("%d cases hold %s", len(page.Items), u)
				}
				if err == nil {
					id = page.Items[0].ID
				}
				return err
			},
			func() error { return do(ctx, officer, "POST", fmt.Sprintf("/cases/%d/accept", id), nil, nil, nil) },
			func() error {
				return do(ctx, officer, "POST", fmt.Sprintf("/cases/%d/qualify", id), nil,
					map[string]any{"offence": "csam", "reasons": "Synthetic images of the offence, in the test.",
						"elements": map[string]bool{"minor_depicted": true, "pornographic_character": true, "public_character": true}}, nil)
			},
			func() error { return do(ctx, supervisor, "POST", fmt.Sprintf("/cases/%d/approve", id), nil, nil, nil) },
			func() error {
				return do(ctx, officer, "POST", fmt.Sprintf("/cases/%d/measures", id), nil,
					map[string]any{"kind": "blocking", "targets": []string{host}, "publisher_unidentified": "No legal notice on the site."}, &m)
			},
			func() error {
				return do(ctx, supervisor, "POST", fmt.Sprintf("/measures/%d/approve", m.ID), nil, nil, nil)
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Errorf("blocking %d, step %d: %v", n, i, err)
				return
			}
		}
		mu.Lock()
		measures = append(measures, m.ID)
		mu.Unlock()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }

	waitFor(t, "200 acknowledged reports", func() bool { return count() >= 200 })
	block(1)
	block(2)
	var other *replica
	for _, r := range replicas {
		if r != leader {
			other = r
			break
		}
	}
	kill(t, &mu, other)
	waitFor(t, "200 more reports", func() bool { return count() >= 400 })
	block(3)
	kill(t, &mu, leader)
	var next *replica
	waitFor(t, "a new leader", func() bool {
		for _, r := range replicas {
			if !r.dead && r.leads() {
				next = r
				return true
			}
		}
		return false
	})
	block(4)
	waitFor(t, "200 more reports", func() bool { return count() >= 600 })
	stop()
	wg.Wait()
	if t.Failed() {
		return
	}

	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	stored := map[string]bool{}
	rows, err := raw.Query(`SELECT receipt FROM reports`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var receipt string
		rows.Scan(&receipt)
		stored[receipt] = true
	}
	rows.Close()
	for receipt, u := range acked {
		if !stored[receipt] {
			t.Errorf("acknowledged report %s (%s) is lost", receipt, u)
		}
	}
	t.Logf("%d reports acknowledged across the kills, %d stored; leader moved from %s to %s", len(acked), len(stored), leader.url, next.url)

	// Every blocking's delivery to the ISP misses its deadline, and that is recorded once.
	waitFor(t, "the blockings' deadlines to be recorded as missed", func() bool {
		var n int
		raw.QueryRow(`SELECT COUNT(*) FROM events WHERE kind = 'delivery.overdue'`).Scan(&n)
		return n >= len(measures)
	})
	time.Sleep(3 * time.Second) // a few more scheduler passes, which must record nothing again
	rows, err = raw.Query(`SELECT measure_id, COUNT(*) FROM events WHERE kind = 'delivery.overdue' GROUP BY measure_id`)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[int64]int{}
	for rows.Next() {
		var m int64
		var n int
		rows.Scan(&m, &n)
		fired[m] = n
	}
	rows.Close()
	for _, m := range measures {
		if fired[m] != 1 {
			t.Errorf("measure %d: its missed deadline was recorded %d times, want once", m, fired[m])
		}
	}

	// The survivors serve the latest list version, whichever replica published it.
	var version uint32
	if err := raw.QueryRow(`SELECT MAX(version) FROM list_versions WHERE list = 'blocking'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	for _, r := range replicas {
		if r.dead {
			continue
		}
		var rrs []dns.RR
		var err error
		waitFor(t, "the zone's latest serial at "+r.dns, func() bool {
			rrs, err = axfr(r.dns, tsigSecret)
			return err == nil && rrs[0].(*dns.SOA).Serial == version
		})
		names := map[string]bool{}
		for _, rr := range rrs {
			names[rr.Header().Name] = true
		}
		for i := range len(measures) {
			if name := fmt.Sprintf("blocked-%d.replica.test.%s", i+1, zoneName); !names[name] {
				t.Errorf("the zone at %s (serial %d) lacks %s: %v", r.dns, version, name, rrs)
			}
		}
	}

	// The new leader checkpoints the whole log, and it verifies.
	c := client.New(next.url, officer)
	waitFor(t, "a checkpoint of the whole log by the new leader", func() bool {
		var st struct{ Size, Unpublished int64 }
		return c.Do(context.Background(), "GET", "/log", nil, nil, &st) == nil && st.Size > 0 && st.Unpublished == 0
	})
	run(t, nil, "log", "verify", "--server", next.url, "--token", officer, "--key", logKey)
}

// shareKeys gives the replicas' data directories the first one's keys, as the README says:
// every replica holds the same vault and log keys, and nothing else.
func shareKeys(t *testing.T, from string, to ...string) {
	t.Helper()
	for _, d := range to {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"vault.key", "log.key"} {
			b, err := os.ReadFile(filepath.Join(from, key))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, key), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// kill stops a replica with SIGKILL and marks it dead for the load generator.
func kill(t *testing.T, mu *sync.Mutex, r *replica) {
	t.Helper()
	if err := r.proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-r.proc.done
	mu.Lock()
	r.dead = true
	mu.Unlock()
}

// isConnErr reports whether err is the client's failure to reach a replica that is gone (or
// going): no answer, rather than an answer that is an error.
func isConnErr(err error) bool {
	return strings.Contains(err.Error(), "cannot reach the server")
}

// fastProfile writes the default profile with a blocking deadline of 20 s, so that deadlines
// fall due during the test.
func fastProfile(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile("../procedure/profiles/fr.json")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p["measures"].(map[string]any)["blocking"].(map[string]any)["deadline"] = "20s"
	b, _ = json.Marshal(p)
	path := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestREADMEReplicas runs the README's section on PostgreSQL and replicas, as written, on a
// new schema: the migration, three replicas sharing the keys, a report taken by one and read
// through another, and the leader killed with kill -9.
func TestREADMEReplicas(t *testing.T) {
	base := storetest.NeedPostgres(t)
	dsn := storetest.NewEmptySchema(t, base)
	tmp := t.TempDir()
	out := runScript(t, tmp, []string{"TAKEDOWN_DB=" + dsn, "TAKEDOWN_TOKEN=", "TAKEDOWN_SERVER="}, readmeScript(t, "PostgreSQL, and several replicas"))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`the schema went from version 0 to \d+`),
		regexp.MustCompile(`(?s)ready.*ready, leading|ready, leading.*ready`),
		regexp.MustCompile(`replica \d was killed; the lead moved`),
		regexp.MustCompile(`(?m)^OK$`), // the verifier's last word on the new leader's log
	} {
		if !want.MatchString(out) {
			t.Errorf("the section's output lacks %s:\n%s", want, out)
		}
	}
}

// TestReplicaStopsGracefully: the leading replica of two, stopped with SIGTERM under a load of
// reports, answers every request it took (none with a server error), releases the lead to
// the other replica, and exits 0; every report it acknowledged is stored.
func TestReplicaStopsGracefully(t *testing.T) {
	dsn := storetest.NewSchema(t, storetest.NeedPostgres(t))
	tmp := t.TempDir()
	dirs := []string{filepath.Join(tmp, "r0"), filepath.Join(tmp, "r1")}
	run(t, nil, "admin", "log-key", "create", "--data", dirs[0], "--origin", "authority.example/log")
	run(t, nil, "admin", "user", "add", "--data", dirs[0], "--db", dsn, "--role", "officer", "--name", "Officer Graceful")
	shareKeys(t, dirs[0], dirs[1])
	first := &replica{}
	first.url, first.proc = serve(t, dirs[0], "--db", dsn, "--reports-per-minute", "-1")
	waitFor(t, "the first replica to lead", first.leads)
	second := &replica{}
	second.url, second.proc = serve(t, dirs[1], "--db", dsn, "--reports-per-minute", "-1")

	var mu sync.Mutex
	acked := map[string]bool{}
	var failures []error
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			c := client.New(first.url, "")
			for i := 0; ctx.Err() == nil; i++ {
				var r struct{ Receipt string }
				err := c.Do(ctx, "POST", "/reports", nil, takedown.ReportInput{URLs: []string{fmt.Sprintf("https://graceful.replica.test/%d/%d", w, i)},
					Offence: "csam", Description: "Synthetic report.", GoodFaith: true}, &r)
				mu.Lock()
				switch {
				case err == nil:
					acked[r.Receipt] = true
				case !isConnErr(err) && ctx.Err() == nil:
					failures = append(failures, err) // an answer that is an error, not a closed door
				}
				mu.Unlock()
				if err != nil && isConnErr(err) {
					return // the replica stopped listening
				}
			}
		})
	}
	waitFor(t, "100 acknowledged reports", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 100 })
	if err := first.proc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-first.proc.done
	stop()
	wg.Wait()
	if code := first.proc.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the replica stopped with SIGTERM exited %d", code)
	}
	for _, err := range failures {
		t.Errorf("a request to the stopping replica was answered with an error: %v", err)
	}
	waitFor(t, "the second replica to take the lead", second.leads)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for receipt := range acked {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM reports WHERE receipt = $1`, receipt).Scan(&n); err != nil || n != 1 {
			t.Errorf("acknowledged report %s: %d stored, %v", receipt, n, err)
		}
	}
	t.Logf("%d reports acknowledged before and during the shutdown", len(acked))
}
