package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
)

// Operation kinds, in the order of the tables.
const (
	opReport       = "report, new URL"
	opRepeat       = "report, repeated URL"
	opCases        = "case queue (GET /cases)"
	opAccept       = "accept"
	opQualify      = "qualify"
	opApprove      = "approve (supervisor)"
	opBlock        = "blocking measure"
	opApproveBlock = "approve blocking (supervisor)"
	opServed       = "approved → in the zone (DNS)"
	opAXFR         = "AXFR of the zone"
	opClosedReport = "report, closed loop"
)

var kinds = []string{opReport, opRepeat, opCases, opAccept, opQualify, opApprove, opBlock, opApproveBlock, opServed, opAXFR, opClosedReport}

// rates is the open-loop workload: operations per second of each stream.
type rates struct {
	reports float64 // public reports
	repeat  float64 // the share of reports that repeat an earlier URL
	reads   float64 // officers' reads of the case queue
	cases   float64 // cases taken through accept, qualify, approve and a blocking measure
	axfr    float64 // zone transfers
}

// maxInFlight bounds each stream's calls waiting for an answer: past it the server is so far
// behind that a call is counted as an error rather than started.
const maxInFlight = 2000

// workload drives one cluster and records what it answered.
type workload struct {
	c   *cluster
	rec *recorder
	run string // makes this run's URLs unique

	fresh atomic.Int64 // new URLs numbered so far

	mu     sync.Mutex
	seen   map[int64]bool // cases already put in the queue
	queue  chan int64     // new cases the officers' reads found, for the officers to take
	noCase atomic.Int64   // case steps skipped because the queue was empty
	zone   atomic.Int64   // the records of the largest zone transferred
}

func newWorkload(c *cluster) *workload {
	return &workload{c: c, rec: newRecorder(), run: strconv.FormatInt(time.Now().UnixNano(), 36),
		seen: map[int64]bool{}, queue: make(chan int64, 100000)}
}

// openLoop runs the streams at their rates for d. Each call starts when it is due whether
// or not the previous ones were answered, and its latency runs from when it was due.
func (w *workload) openLoop(ctx context.Context, r rates, d time.Duration) time.Duration {
	began := time.Now()
	var wg sync.WaitGroup
	n := len(w.c.replicas)
	schedule(ctx, &wg, r.reports, d, w.rec, opReport, func(ctx context.Context, i int, due time.Time) {
		w.report(ctx, w.c.replicas[i%n], r.repeat, due, "")
	})
	schedule(ctx, &wg, r.reads, d, w.rec, opCases, func(ctx context.Context, i int, due time.Time) {
		w.readQueue(ctx, w.c.replicas[i%n], due)
	})
	schedule(ctx, &wg, r.cases, d, w.rec, opAccept, func(ctx context.Context, i int, due time.Time) {
		w.work(ctx, i, due)
	})
	schedule(ctx, &wg, r.axfr, d, w.rec, opAXFR, func(ctx context.Context, i int, due time.Time) {
		w.transfer(w.c.replicas[i%n], due)
	})
	wg.Wait()
	return time.Since(began)
}

// schedule calls op at rate per second for d, each call in its own goroutine. A call that
// would exceed maxInFlight is recorded as an error of kind instead.
func schedule(ctx context.Context, wg *sync.WaitGroup, rate float64, d time.Duration, rec *recorder, kind string,
	op func(ctx context.Context, i int, due time.Time)) {
	if rate <= 0 {
		return
	}
	interval := time.Duration(float64(time.Second) / rate)
	var inFlight atomic.Int64
	wg.Go(func() {
		start := time.Now()
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if due.Sub(start) >= d {
				return
			}
			select {
			case <-time.After(time.Until(due)):
			case <-ctx.Done():
				return
			}
			if inFlight.Load() >= maxInFlight {
				rec.record(kind, 0, errTooMany)
				continue
			}
			inFlight.Add(1)
			wg.Go(func() {
				defer inFlight.Add(-1)
				op(ctx, i, due)
			})
		}
	})
}

var errTooMany = errors.New(strconv.Itoa(maxInFlight) + " calls already waiting; not sent")

// closedLoop runs clients reporters for d, each sending its next report when the last one is
// answered: the most reports per second the setup takes. The last reports are waited for,
// not cut off, so that the bench does not make errors of its own.
func (w *workload) closedLoop(ctx context.Context, clients int, repeat float64, d time.Duration) time.Duration {
	began := time.Now()
	end := began.Add(d)
	var wg sync.WaitGroup
	for k := range clients {
		r := w.c.replicas[k%len(w.c.replicas)]
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(end) {
				w.report(ctx, r, repeat, time.Now(), opClosedReport)
			}
		})
	}
	wg.Wait()
	return time.Since(began)
}

// report posts a public report. A share of them (repeat) name a URL first reported at least
// 100 new URLs earlier, so already stored, and intake groups them into its case. kind, if not
// empty, is where the call is recorded.
func (w *workload) report(ctx context.Context, r *replica, repeat float64, due time.Time, kind string) {
	var n int64
	if fresh := w.fresh.Load(); fresh > 100 && rand.Float64() < repeat {
		n = fresh - 100 - rand.Int64N(min(fresh-100, 1000))
		if kind == "" {
			kind = opRepeat
		}
	} else {
		n = w.fresh.Add(1) - 1
		if kind == "" {
			kind = opReport
		}
	}
	// Each new URL has a host of its own, so that each blocking measure adds a name to the zone.
	in := takedown.ReportInput{URLs: []string{fmt.Sprintf("https://v%d-%s.videos.host.test/watch", n, w.run)},
		Offence: "terrorism-apology", Description: "Synthetic load-test report.", GoodFaith: true}
	err := r.public.Do(ctx, "POST", "/reports", nil, in, nil)
	w.rec.record(kind, time.Since(due), err)
}

// readQueue lists the new cases as an officer, oldest first, and queues those not seen yet
// for the officers to work on.
func (w *workload) readQueue(ctx context.Context, r *replica, due time.Time) {
	var page struct{ Items []takedown.Case }
	err := r.officer.Do(ctx, "GET", "/cases", url.Values{"state": {string(takedown.CaseNew)}, "limit": {"50"}}, nil, &page)
	w.rec.record(opCases, time.Since(due), err)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range page.Items {
		if !w.seen[c.ID] {
			w.seen[c.ID] = true
			select {
			case w.queue <- c.ID:
			default:
			}
		}
	}
}

// work takes a case from the queue through the four-eyes decisions: an officer accepts and
// qualifies it, a supervisor approves it, the officer proposes to block its host (the
// publisher unidentified) and the supervisor approves that, which adds the host to the zone;
// each step goes to the next replica, and the next one's DNS primary is watched until it
// serves the name.
func (w *workload) work(ctx context.Context, i int, due time.Time) {
	var id int64
	select {
	case id = <-w.queue:
	default:
		w.noCase.Add(1)
		return
	}
	n := len(w.c.replicas)
	var measure takedown.Measure
	steps := []struct {
		kind string
		do   func(r *replica) error
	}{
		{opAccept, func(r *replica) error {
			return r.officer.Do(ctx, "POST", fmt.Sprintf("/cases/%d/accept", id), nil, nil, nil)
		}},
		{opQualify, func(r *replica) error {
			return r.officer.Do(ctx, "POST", fmt.Sprintf("/cases/%d/qualify", id), nil, qualification, nil)
		}},
		{opApprove, func(r *replica) error {
			return r.super.Do(ctx, "POST", fmt.Sprintf("/cases/%d/approve", id), nil, nil, nil)
		}},
		{opBlock, func(r *replica) error {
			return r.officer.Do(ctx, "POST", fmt.Sprintf("/cases/%d/measures", id), nil, blocking, &measure)
		}},
		{opApproveBlock, func(r *replica) error {
			return r.super.Do(ctx, "POST", fmt.Sprintf("/measures/%d/approve", measure.ID), nil, nil, nil)
		}},
	}
	for k, s := range steps {
		start := time.Now()
		if k == 0 {
			start = due
		}
		err := s.do(w.c.replicas[(i+k)%n])
		w.rec.record(s.kind, time.Since(start), err)
		if err != nil {
			return
		}
	}
	if len(measure.Targets) > 0 {
		w.watch(ctx, w.c.replicas[(i+len(steps))%n], measure.Targets[0], time.Now())
	}
}

// watch transfers the zone from the replica every 50 ms until it holds host, and records how
// long after approved that was: the time a block takes to reach the ISPs' secondaries.
func (w *workload) watch(ctx context.Context, r *replica, host string, approved time.Time) {
	owner := dns.Fqdn(host) + zoneName
	for {
		rrs, err := transferAll(r.dns)
		if err == nil && slices.ContainsFunc(rrs, func(rr dns.RR) bool { return strings.EqualFold(rr.Header().Name, owner) }) {
			w.rec.record(opServed, time.Since(approved), nil)
			return
		}
		if time.Since(approved) > time.Minute {
			w.rec.record(opServed, 0, fmt.Errorf("%s not served a minute after its approval", host))
			return
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// qualification is what the officer finds of every case: the elements of the profile's
// apology of terrorism.
var qualification = takedown.QualificationInput{Offence: "terrorism-apology",
	Elements: map[string]any{"predicate_act": "The attack of 1 January 2026 on the Example Square, qualified as terrorist.",
		"predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology"},
	Reasons: "The video glorifies the authors of the attack."}

// blocking is the measure proposed on every approved case: its host, since whoever publishes
// there cannot be identified to be asked to remove the content.
var blocking = takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: "The site has no legal notice and no contact."}

// transfer receives the whole blocking zone from the replica's DNS primary, over TCP.
func (w *workload) transfer(r *replica, due time.Time) {
	records, _, err := axfr(r.dns)
	if err == nil {
		storeMax(&w.zone, int64(records))
	}
	w.rec.record(opAXFR, time.Since(due), err)
}

// axfr transfers the blocking zone from addr and returns its records and its serial.
func axfr(addr string) (records int, serial uint32, err error) {
	rrs, err := transferAll(addr)
	if err != nil {
		return 0, 0, err
	}
	return len(rrs), rrs[0].(*dns.SOA).Serial, nil
}

// transferAll transfers the blocking zone from addr over TCP.
func transferAll(addr string) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr(zoneName)
	tr := &dns.Transfer{DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}
	ch, err := tr.In(m, addr)
	if err != nil {
		return nil, err
	}
	var rrs []dns.RR
	for env := range ch {
		if env.Error != nil && err == nil {
			err = env.Error
		}
		rrs = append(rrs, env.RR...)
	}
	if err != nil {
		return nil, err
	}
	if len(rrs) < 2 {
		return nil, fmt.Errorf("a transfer of %d records, without its closing SOA", len(rrs))
	}
	if _, ok := rrs[0].(*dns.SOA); !ok {
		return nil, fmt.Errorf("a transfer that does not begin with the SOA")
	}
	return rrs, nil
}

// zones transfers the zone from every replica once the load is over and the replicas have
// had a second to follow the database: each should serve the same version, with a name for
// each blocking measure in force.
func (w *workload) zones() string {
	time.Sleep(time.Second)
	var b strings.Builder
	fmt.Fprintf(&b, "the zone after the open loop (%d blocking measures approved):", len(w.rec.latencies(opApproveBlock)))
	for i, r := range w.c.replicas {
		records, serial, err := axfr(r.dns)
		if err != nil {
			fmt.Fprintf(&b, " replica %d: %v;", i+1, err)
			continue
		}
		fmt.Fprintf(&b, " replica %d: serial %d, %d records;", i+1, serial, records)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// storeMax stores v in a if it is larger than what a holds.
func storeMax(a *atomic.Int64, v int64) {
	for old := a.Load(); v > old; old = a.Load() {
		if a.CompareAndSwap(old, v) {
			return
		}
	}
}

// recorder collects each operation's latency, and its errors by message, by kind.
type recorder struct {
	mu    sync.Mutex
	kinds map[string]*tally
}

type tally struct {
	latencies []time.Duration
	errors    map[string]int
}

func newRecorder() *recorder { return &recorder{kinds: map[string]*tally{}} }

// latencies returns what was recorded of a kind's successful calls.
func (r *recorder) latencies(kind string) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.kinds[kind]; t != nil {
		return slices.Clone(t.latencies)
	}
	return nil
}

// digits makes messages that differ by an id or a count the same message.
var digits = regexp.MustCompile(`[0-9]+`)

func (r *recorder) record(kind string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.kinds[kind]
	if t == nil {
		t = &tally{errors: map[string]int{}}
		r.kinds[kind] = t
	}
	if err == nil {
		t.latencies = append(t.latencies, d)
		return
	}
	msg := err.Error()
	if e, ok := errors.AsType[*takedown.Error](err); ok {
		msg = e.Code + ": " + msg
	}
	if r := []rune(msg); len(r) > 160 {
		msg = string(r[:160]) + "…"
	}
	t.errors[digits.ReplaceAllString(msg, "N")]++
}

// figures is one kind's row of a table.
type figures struct {
	kind          string
	done, errors  int
	rate          float64
	p50, p99, max time.Duration
	messages      map[string]int
}

// figures returns the rows of the kinds recorded, with rates over elapsed (the phase's time
// for every kind but the closed loop's, which has its own).
func (r *recorder) figures(elapsed, closed time.Duration) []figures {
	r.mu.Lock()
	defer r.mu.Unlock()
	var rows []figures
	for _, kind := range kinds {
		t := r.kinds[kind]
		if t == nil {
			continue
		}
		over := elapsed
		if kind == opClosedReport {
			over = closed
		}
		all := slices.Clone(t.latencies)
		slices.Sort(all)
		f := figures{kind: kind, done: len(all), rate: float64(len(all)) / over.Seconds(), messages: t.errors}
		for _, n := range t.errors {
			f.errors += n
		}
		if len(all) > 0 {
			f.p50, f.p99, f.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
		}
		rows = append(rows, f)
	}
	return rows
}
