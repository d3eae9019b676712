package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/transparency"
)

func transparencyCommands() []command {
	return []command{
		{"transparency figures", "a period's figures computed from the event record (officers, supervisors, controller)", runTransparencyFigures},
		{"transparency trace", "the ids of the events a figure counts, to check against the audit log", runTransparencyTrace},
		{"report annual", "the controller's annual report as HTML or PDF", runReport(transparency.Annual)},
		{"report authority", "the authority's transparency report (TCO art. 8, DSA art. 9 orders) as HTML or PDF", runReport(transparency.Authority)},
	}
}

// periodFlags choose a period: a year, or the days from one date to another.
type periodFlags struct {
	year     int
	from, to string
}

func (p *periodFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&p.year, "year", 0, "the year (this year by default)")
	fs.StringVar(&p.from, "from", "", "instead of a year: the first day, as 2026-01-01")
	fs.StringVar(&p.to, "to", "", "with --from: the last day, included")
}

func (p *periodFlags) query() url.Values {
	q := url.Values{}
	if p.year != 0 {
		q.Set("year", strconv.Itoa(p.year))
	}
	if p.from != "" || p.to != "" {
		q.Set("from", p.from)
		q.Set("to", p.to)
	}
	return q
}

func runTransparencyFigures(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "transparency figures", "[--year Y | --from DATE --to DATE] [--json]")
	var cf clientFlags
	cf.register(fs, e)
	var pf periodFlags
	pf.register(fs)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", "/transparency/figures", pf.query(), nil, &raw); err != nil {
		return err
	}
	if cf.json {
		return printRaw(e.stdout, raw)
	}
	var f transparency.Figures
	if err := json.Unmarshal(raw, &f); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Period %s to %s, %d events", f.Period.From.Format("2006-01-02"), f.Period.Before.Format("2006-01-02"), f.Events)
	if f.Partial {
		fmt.Fprintf(e.stdout, " (not over: as of %s)", f.AsOf.Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(e.stdout)
	names := make([]string, 0, len(f.Counts))
	for name := range f.Counts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(e.stdout, "  %-55s %d\n", name, f.Counts[name])
	}
	names = names[:0]
	for name := range f.Times {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := f.Times[name]
		fmt.Fprintf(e.stdout, "  %-55s n=%d median %s p90 %s\n", name, t.N, t.Median, t.P90)
	}
	return nil
}

func runTransparencyTrace(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "transparency trace", "[--year Y | --from DATE --to DATE] FIGURE [--json]")
	var cf clientFlags
	cf.register(fs, e)
	var pf periodFlags
	pf.register(fs)
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	q := pf.query()
	q.Set("figure", pos[0])
	var raw json.RawMessage
	if err := c.Do(ctx, "GET", "/transparency/trace", q, nil, &raw); err != nil {
		return err
	}
	if cf.json {
		return printRaw(e.stdout, raw)
	}
	var t struct {
		Figure string  `json:"figure"`
		Events []int64 `json:"events"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d events (check each with: takedown log history, or GET /api/v1/events/ID/proof)\n", t.Figure, len(t.Events))
	ids := make([]string, len(t.Events))
	for i, id := range t.Events {
		ids[i] = strconv.FormatInt(id, 10)
	}
	if len(ids) > 0 {
		fmt.Fprintln(e.stdout, strings.Join(ids, " "))
	}
	return nil
}

func runReport(kind string) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, "report "+kind, "[--year Y | --from DATE --to DATE] [--lang fr|en] [--format html|pdf] [-o FILE]")
		var cf clientFlags
		cf.register(fs, e)
		var pf periodFlags
		pf.register(fs)
		lang := fs.String("lang", "fr", "fr or en")
		format := fs.String("format", "html", "html or pdf")
		out := fs.String("o", "", "the file to write (standard output by default)")
		if _, err := parse(fs, args, 0); err != nil {
			return err
		}
		if *format != "html" && *format != "pdf" {
			return takedown.Invalid("format", "must be html or pdf, not %q", *format)
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		q := pf.query()
		q.Set("report", kind)
		q.Set("lang", *lang)
		q.Set("format", *format)
		var doc json.RawMessage
		if err := c.Do(ctx, "GET", "/transparency/report", q, nil, &doc); err != nil {
			return err
		}
		if *out == "" {
			_, err := e.stdout.Write(doc)
			return err
		}
		if err := atomicfile.Write(*out, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
			return err
		}
		if !cf.quiet {
			fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", *out, len(doc))
		}
		return nil
	}
}
