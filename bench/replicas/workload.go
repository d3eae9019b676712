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
	opAXFR         = "AXFR of the zone"
	opClosedReport = "report, closed loop"
)

var kinds = []string{opReport, opRepeat, opCases, opAccept, opQualify, opApprove, opBlock, opApproveBlock, opAXFR, opClosedReport}

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

// report posts a public report; a share repeat of them name a URL reported at least 100 new
// URLs earlier (so already stored), and intake groups them into its case. kind, if not
// empty, is where it is recorded.
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
// each step goes to the next replica.
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
	m := new(dns.Msg)
	m.SetAxfr(zoneName)
	tr := &dns.Transfer{DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}
	ch, err := tr.In(m, r.dns)
	records := 0
	if err == nil {
		for env := range ch {
			if env.Error != nil && err == nil {
				err = env.Error
			}
			records += len(env.RR)
		}
	}
	if err == nil && records < 2 {
		err = fmt.Errorf("a transfer of %d records, without its closing SOA", records)
	}
	if err == nil {
		for z := w.zone.Load(); int64(records) > z && !w.zone.CompareAndSwap(z, int64(records)); z = w.zone.Load() {
		}
	}
	w.rec.record(opAXFR, time.Since(due), err)
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
	if len(msg) > 160 {
		msg = msg[:160] + "…"
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
