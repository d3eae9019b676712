// Command rpz measures the blocking zone's primary:
//
//   - propagation: a new version of the blocking list is written to a real SQLite store, as an
//     approval writes it; the primary, following the store as `takedown serve` does, publishes
//     it and sends a NOTIFY; a real Unbound and a real BIND 9 (secondaries, BIND with TSIG)
//     transfer it by IXFR. The time from the store's commit to the resolver answering the new
//     name with the stop page, over repeated runs.
//   - scale: the memory of a zone of N entries in the primary, and the time of an AXFR of it and
//     of an IXFR of one change, side by side with NSD and Knot DNS serving the same zone from a
//     file, each measured with the same client.
//
// Usage: go run ./bench/rpz [-entries 1000000] [-runs 20]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/rpz/rpztest"
	"github.com/takedown-project/takedown/sqlite"
)

const origin = "blocklist.rpz.takedown.example."

var (
	stop   = rpz.Redirect{A: netip.MustParseAddr("192.0.2.80"), AAAA: netip.MustParseAddr("2001:db8::80")}
	key    = "isp-bind.xfr."
	secret = "YmVuY2htYXJrLXNlY3JldC1vZi10aGUtYmluZC1pc3A=" // synthetic
)

func main() {
	entries := flag.Int("entries", 1_000_000, "entries of the zone of the scale phase")
	runs := flag.Int("runs", 20, "changes timed in the propagation phase, per resolver")
	flag.Parse()
	dir, err := os.MkdirTemp("", "bench-rpz-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	fmt.Printf("Blocking zone benchmark: %d cores, GOMAXPROCS=%d, %s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	if err := propagation(dir, *runs); err != nil {
		fail(err)
	}
	if err := scale(dir, *entries); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/rpz:", err)
	os.Exit(1)
}

func config() *rpz.Config {
	c := rpz.DefaultConfig(origin, "ns.takedown.example.", "hostmaster.takedown.example.", stop)
	return &c
}

// serve starts a primary on a free port and returns its address and a function that stops it.
func serve(p *rpz.Primary) (string, func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- p.Serve(ctx, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	select {
	case addr := <-addrc:
		return addr, func() { cancel(); <-errc }, nil
	case err := <-errc:
		cancel()
		return "", nil, err
	}
}

// propagation times, for each resolver, new versions written to the store until the
// resolver answers with the stop page.
func propagation(dir string, runs int) error {
	fmt.Println("### Propagation: from the store's commit to the resolver's answer")
	fmt.Println()
	fmt.Println("| resolver | runs | median | p90 | max |")
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, resolver := range []string{"unbound", "bind"} {
		times, err := propagate(filepath.Join(dir, resolver), resolver, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", resolver, err)
		}
		slices.Sort(times)
		fmt.Printf("| %s | %d | %s | %s | %s |\n", resolver, len(times), ms(times[len(times)/2]), ms(times[len(times)*9/10]), ms(times[len(times)-1]))
	}
	fmt.Println()
	return nil
}

func propagate(dir, resolver string, runs int) ([]time.Duration, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(filepath.Join(dir, "takedown.db"), takedown.SystemClock{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	z, err := rpz.Load(context.Background(), db, config())
	if err != nil {
		return nil, err
	}
	rport, err := rpztest.FreePort()
	if err != nil {
		return nil, err
	}
	notify := []netip.AddrPort{netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(rport))}
	client := rpz.Client{Name: "isp-" + resolver, Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Notify: notify}
	if resolver == "bind" {
		client.Prefixes, client.Key, client.Secret = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, key, secret
	}
	p, err := rpz.NewPrimary(z, []rpz.Client{client}, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	addr, stopPrimary, err := serve(p)
	if err != nil {
		return nil, err
	}
	defer stopPrimary()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.Follow(ctx, db, 200*time.Millisecond) // as takedown serve follows the store

	zone, err := rpztest.LocalZone(dir, map[string]string{"ok.example.": "192.0.2.10"})
	if err != nil {
		return nil, err
	}
	var r *rpztest.Process
	if resolver == "unbound" {
		r, err = rpztest.Unbound(dir, addr, origin, rport, zone)
	} else {
		r, err = rpztest.BIND(dir, addr, origin, rport, key, secret, zone)
	}
	if err != nil {
		return nil, err
	}
	defer r.Stop()
	if _, err := rpztest.WaitSOA(r.Addr, origin, 0, 30*time.Second); err != nil {
		return nil, fmt.Errorf("%w\n%s", err, r.Output())
	}
	var times []time.Duration
	for i := range runs + 1 {
		name := fmt.Sprintf("new-%03d.example", i)
		start := time.Now()
		if err := list(db, name); err != nil {
			return nil, err
		}
		for rpztest.Ask(r.Addr, name+".", dns.TypeA) != stop.A.String() {
			if time.Since(start) > 30*time.Second {
				return nil, fmt.Errorf("%s not redirected after 30 s\n%s", name, r.Output())
			}
			time.Sleep(2 * time.Millisecond)
		}
		if i > 0 { // the first waits for the resolver's first transfer
			times = append(times, time.Since(start))
		}
		// BIND queues a change behind the one before; the jitter spreads the commits over the
		// primary's 200 ms polling instead of meeting it at one phase.
		time.Sleep(300*time.Millisecond + rand.N(200*time.Millisecond))
	}
	return times, nil
}

// list writes a blocking measure in force listing name, and the list version it makes.
func list(db *sqlite.DB, name string) error {
	return db.Update(context.Background(), func(tx takedown.Tx) error {
		c := &takedown.Case{State: takedown.CaseApproved, Offence: "terrorism-apology", OpenedAt: tx.Now()}
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		m := &takedown.Measure{CaseID: c.ID, Kind: takedown.Blocking, State: takedown.MeasureInForce, Targets: []string{name},
			Offence: c.Offence, ProposedBy: 1, ProposedAt: tx.Now()}
		if err := tx.CreateMeasure(m); err != nil {
			return err
		}
		return tx.AppendListVersion(&takedown.ListVersion{List: takedown.Blocking, Published: tx.Now()},
			[]takedown.ListChange{{Added: true, ListEntry: takedown.ListEntry{Target: name, Offence: c.Offence, MeasureID: m.ID}}})
	})
}

// scale measures the memory of a zone of n entries, and AXFR and IXFR times, against NSD and
// Knot serving the same zone.
func scale(dir string, n int) error {
	before := heap()
	z, err := rpz.Build(config(), 1, slices.Collect(zoneEntries(n)))
	if err != nil {
		return err
	}
	held := heap() - before // the input was copied and dropped: this is what the zone holds
	records := 0
	for range z.Records() {
		records++
	}
	fmt.Printf("### Scale: a zone of %s entries (%s records; one in ten with its subtree)\n\n", thousands(n), thousands(records+2))
	fmt.Printf("Memory of the zone in the primary: %.1f MiB, %d bytes per entry (heap in use after GC, before the entries were made and after Build).\n\n",
		float64(held)/(1<<20), held/uint64(n))

	p, err := rpz.NewPrimary(z, []rpz.Client{{Name: "bench", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	addr, stopPrimary, err := serve(p)
	if err != nil {
		return err
	}
	defer stopPrimary()
	ours, err := axfr(addr, 3)
	if err != nil {
		return err
	}
	more := rpz.Entry{Name: "one-more.example", Category: "terrorism-apology"}
	z2, err := rpz.Build(config(), 2, append(slices.Collect(zoneEntries(n)), more))
	if err != nil {
		return err
	}
	if err := p.Publish(context.Background(), z2); err != nil {
		return err
	}
	ixfrTime, ixfrRecords, err := ixfr(addr, 1)
	if err != nil {
		return err
	}
	runtime.KeepAlive(z)

	zoneFile := filepath.Join(dir, "zone.db")
	if err := writeZone(zoneFile, z); err != nil {
		return err
	}
	fmt.Println("| server | AXFR (best of 3) | records | IXFR of one change |")
	fmt.Println("|---|---:|---:|---:|")
	fmt.Printf("| **takedown** (rpz.Primary) | **%s** | %s | %s (%d records) |\n", ms(ours.best), thousands(ours.records), ms(ixfrTime), ixfrRecords)
	for _, s := range []struct {
		name  string
		start func(dir, zoneFile, origin string, port int) (*rpztest.Process, error)
	}{{"NSD", rpztest.NSD}, {"Knot DNS", rpztest.Knot}} {
		sdir := filepath.Join(dir, s.name)
		if err := os.MkdirAll(sdir, 0o700); err != nil {
			return err
		}
		port, err := rpztest.FreePort()
		if err != nil {
			return err
		}
		proc, err := s.start(sdir, zoneFile, origin, port)
		if err != nil {
			fmt.Printf("| %s | not measured: %v | | |\n", s.name, err)
			continue
		}
		loaded, err := rpztest.WaitSOA(proc.Addr, origin, 1, 2*time.Minute)
		if err != nil {
			proc.Stop()
			return fmt.Errorf("%w\n%s", err, proc.Output())
		}
		res, err := axfr(proc.Addr, 3)
		proc.Stop()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Printf("| %s (zone file loaded in %s) | %s | %s | |\n", s.name, ms(loaded), ms(res.best), thousands(res.records))
	}
	fmt.Println()
	return nil
}

// zoneEntries yields the entries of the scale zone again.
func zoneEntries(n int) func(func(rpz.Entry) bool) {
	return func(yield func(rpz.Entry) bool) {
		for i := range n {
			if !yield(rpz.Entry{Name: fmt.Sprintf("site-%07d.example", i), Subtree: i%10 == 0, Category: "terrorism-apology"}) {
				return
			}
		}
	}
}

type axfrResult struct {
	best    time.Duration
	records int
}

// axfr transfers the zone from addr several times, and returns the best time.
func axfr(addr string, times int) (axfrResult, error) {
	var res axfrResult
	for range times {
		m := new(dns.Msg)
		m.SetAxfr(origin)
		start := time.Now()
		n, err := receive(addr, m)
		if err != nil {
			return res, err
		}
		if d := time.Since(start); res.best == 0 || d < res.best {
			res.best = d
		}
		res.records = n
	}
	return res, nil
}

// ixfr transfers the changes since serial from addr.
func ixfr(addr string, serial uint32) (time.Duration, int, error) {
	m := new(dns.Msg)
	m.SetIxfr(origin, serial, "ns.", "root.")
	start := time.Now()
	n, err := receive(addr, m)
	return time.Since(start), n, err
}

// receive runs a transfer and counts its records, keeping none (rpztest.Transfer keeps them).
func receive(addr string, m *dns.Msg) (int, error) {
	tr := &dns.Transfer{DialTimeout: 5 * time.Second, ReadTimeout: time.Minute}
	ch, err := tr.In(m, addr)
	if err != nil {
		return 0, err
	}
	n := 0
	for env := range ch {
		if env.Error != nil {
			return n, env.Error
		}
		n += len(env.RR)
	}
	return n, nil
}

// writeZone writes the zone as a master file, for NSD and Knot.
func writeZone(path string, z *rpz.Zone) error {
	var b strings.Builder
	b.WriteString(z.SOA().String() + "\n")
	for rr := range z.Records() {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// heap returns the bytes of heap in use after a collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func ms(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
