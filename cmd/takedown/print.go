package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/safety"
)

// printer shows an API answer to a person.
type printer func(o *output, raw json.RawMessage) error

// output is where a printer writes, with what it may need to ask the server.
type output struct {
	*env
	ctx    context.Context
	client *client.Client
	quiet  bool
	loc    *time.Location
}

// when formats a time in the authority's time zone, as the procedure counts deadlines there.
func (o *output) when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if o.loc == nil {
		o.loc = time.UTC
		var p procedure.Profile
		if o.client.Do(o.ctx, "GET", "/profile", nil, nil, &p) == nil {
			if loc, err := time.LoadLocation(p.TimeZone); err == nil {
				o.loc = loc
			}
		}
	}
	return t.In(o.loc).Format("2006-01-02 15:04 MST")
}

func (o *output) whenPtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return o.when(*t)
}

// decode reads the answer into a value of type T.
func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// clean makes text from the server safe to print: control characters, which the server
// refuses in the first place, are shown as U+FFFD rather than sent to the terminal; with
// multiline false, line breaks and tabs too, so that a cell stays in its column.
func clean(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') || !unicode.IsControl(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

// table writes aligned columns.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = clean(c, false)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// fields writes "label: value" lines, skipping empty values.
func fields(w io.Writer, kv ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "-" {
			fmt.Fprintf(tw, "%s:\t%s\n", kv[i], clean(kv[i+1], true))
		}
	}
	tw.Flush()
}

func id(n int64) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// listPage is one page of a list answer.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// printList decodes a page, prints it as a table (or ids when quiet) and says how to get the
// next page.
func printList[T any](o *output, raw json.RawMessage, header []string, row func(T) []string, ident func(T) int64) error {
	p, err := decode[listPage[T]](raw)
	if err != nil {
		return err
	}
	if o.quiet {
		for _, it := range p.Items {
			fmt.Fprintln(o.stdout, ident(it))
		}
		return nil
	}
	rows := make([][]string, len(p.Items))
	for i, it := range p.Items {
		rows[i] = row(it)
	}
	if err := table(o.stdout, header, rows); err != nil {
		return err
	}
	if p.NextCursor != "" {
		fmt.Fprintf(o.stdout, "(more: add --cursor %s)\n", p.NextCursor)
	}
	return nil
}

// printOne decodes a value and prints it with show, or its id when quiet.
func printOne[T any](o *output, raw json.RawMessage, ident func(T) string, show func(T)) error {
	v, err := decode[T](raw)
	if err != nil {
		return err
	}
	if o.quiet {
		fmt.Fprintln(o.stdout, ident(v))
		return nil
	}
	show(v)
	return nil
}

func printRaw(w io.Writer, raw json.RawMessage) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		_, err = w.Write(raw)
		return err
	}
	buf.WriteByte('\n')
	_, err := buf.WriteTo(w)
	return err
}

func printJSONAnswer(o *output, raw json.RawMessage) error { return printRaw(o.stdout, raw) }

func printProfile(o *output, raw json.RawMessage) error {
	p, err := decode[procedure.Profile](raw)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "%s\n%s, time zone %s, re-check every %d months\n\nOffences:\n", p.Name, p.Authority, p.TimeZone, p.RecheckMonths)
	for _, off := range p.Offences {
		fmt.Fprintf(o.stdout, "  %s — %s (%s)\n", off.Code, off.Title.In("en"), off.LegalBasis.In("en"))
		for _, e := range off.Elements {
			value := "true"
			switch e.Type {
			case procedure.Describe:
				value = "TEXT"
			case procedure.Choose:
				value = strings.Join(e.Options, "|")
				if e.Require != "" {
					value = e.Require
				}
			}
			fmt.Fprintf(o.stdout, "    --element %s=%s\n        %s\n", e.ID, value, e.Label.In("en"))
		}
	}
	fmt.Fprintln(o.stdout, "\nMeasures:")
	kinds := make([]string, 0, len(p.Measures))
	for k := range p.Measures {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		m := p.Measures[takedown.MeasureKind(k)]
		deadline := "no deadline"
		if m.Deadline.Duration > 0 {
			deadline = "deadline " + m.Deadline.String()
		}
		var extra []string
		if m.RestorationDeadline.Duration > 0 {
			extra = append(extra, "restoration "+m.RestorationDeadline.String())
		}
		if m.AdvanceInformation.Duration > 0 {
			extra = append(extra, "advance information "+m.AdvanceInformation.String())
		}
		if m.SecondApproval {
			extra = append(extra, "second approval")
		}
		if m.AfterRemoval {
			extra = append(extra, "after an overdue removal")
		}
		fmt.Fprintf(o.stdout, "  %-16s to %s, %s", k, strings.Join(takedown.Names(m.Recipients), "/"), deadline)
		if len(extra) > 0 {
			fmt.Fprintf(o.stdout, "; %s", strings.Join(extra, ", "))
		}
		fmt.Fprintln(o.stdout)
	}
	return nil
}

func printMe(o *output, raw json.RawMessage) error {
	m, err := decode[httpapi.Me](raw)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.stdout, "user %d, %s (%s)\n", m.User.ID, m.User.Name, m.User.Role)
	if m.Operator != nil {
		fmt.Fprintf(o.stdout, "operator %d, %s (%s)\n", m.Operator.ID, m.Operator.Name, m.Operator.Kind)
	}
	return nil
}

func printReceipt(o *output, raw json.RawMessage) error {
	r, err := decode[httpapi.Receipt](raw)
	if err != nil {
		return err
	}
	if o.quiet {
		fmt.Fprintln(o.stdout, r.Receipt)
		return nil
	}
	fmt.Fprintf(o.stdout, "Report received. Your receipt: %s\n", r.Receipt)
	for _, u := range r.URLs {
		fmt.Fprintf(o.stdout, "  %s\n", u)
	}
	fmt.Fprintln(o.stdout, r.Next)
	return nil
}

func reportCases(r *takedown.Report) string {
	var ids []string
	for _, c := range r.CaseIDs() {
		ids = append(ids, id(c))
	}
	return strings.Join(ids, ",")
}

func printReports(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "RECEIVED", "CHANNEL", "OFFENCE", "URLS", "CASES", "RECEIPT"},
		func(r *takedown.Report) []string {
			return []string{id(r.ID), o.when(r.ReceivedAt), string(r.Channel), r.Offence, strconv.Itoa(len(r.URLs)), reportCases(r), r.Receipt}
		}, func(r *takedown.Report) int64 { return r.ID })
}

func printReport(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(r *takedown.Report) string { return id(r.ID) }, func(r *takedown.Report) {
		fields(o.stdout, "Report", id(r.ID), "Receipt", r.Receipt, "Received", o.when(r.ReceivedAt), "Channel", string(r.Channel),
			"Suggested offence", r.Offence, "Cases", reportCases(r), "Contact", r.Contact)
		fmt.Fprintln(o.stdout, "URLs:")
		for _, u := range r.URLs {
			fmt.Fprintf(o.stdout, "  %s  (case %d)\n", u.Canonical, u.CaseID)
		}
		fmt.Fprintf(o.stdout, "Description:\n  %s\n", clean(r.Description, true))
		for _, h := range r.Hashes {
			fmt.Fprintf(o.stdout, "Hash: %s %s\n", h.Type, h.Value)
		}
		for _, m := range r.Matches {
			fmt.Fprintf(o.stdout, "Matched: bank %q entry %d (%s, distance %d), cases %s\n", m.Bank, m.EntryID, m.Type, m.Distance, idList(m.CaseIDs))
		}
	})
}

func printCases(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "STATE", "PRIORITY", "OFFENCE", "REPORTS", "OVERDUE", "HOLD", "OPENED", "URL"},
		func(c *takedown.Case) []string {
			prio := "public"
			if c.Priority > 0 {
				prio = "flagger"
			}
			first := ""
			if len(c.URLs) > 0 {
				first = c.URLs[0]
				if len(c.URLs) > 1 {
					first += fmt.Sprintf(" (+%d)", len(c.URLs)-1)
				}
			}
			return []string{id(c.ID), string(c.State), prio, c.Offence, strconv.Itoa(c.Reports), yes(c.Overdue), yes(c.Hold != nil), o.when(c.OpenedAt), first}
		}, func(c *takedown.Case) int64 { return c.ID })
}

func printCase(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(c *takedown.Case) string { return id(c.ID) }, func(c *takedown.Case) {
		fields(o.stdout, "Case", id(c.ID), "State", string(c.State), "Offence", c.Offence, "Reports", strconv.Itoa(c.Reports),
			"Opened", o.when(c.OpenedAt), "Updated", o.when(c.UpdatedAt), "Overdue", yes(c.Overdue))
		fmt.Fprintln(o.stdout, "URLs:")
		for _, u := range c.URLs {
			fmt.Fprintf(o.stdout, "  %s\n", u)
		}
		if q := c.Qualification; q != nil {
			approved := "not approved yet: a different supervisor must approve"
			if q.ApprovedAt != nil {
				approved = fmt.Sprintf("approved by user %d on %s", q.ApprovedBy, o.whenPtr(q.ApprovedAt))
			}
			fmt.Fprintf(o.stdout, "Qualification: %s, by user %d on %s; %s\n", q.Offence, q.QualifiedBy, o.when(q.QualifiedAt), approved)
			keys := make([]string, 0, len(q.Elements))
			for k := range q.Elements {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(o.stdout, "  %s: %s\n", clean(k, false), clean(fmt.Sprint(q.Elements[k]), true))
			}
			fmt.Fprintf(o.stdout, "  reasons: %s\n", clean(q.Reasons, true))
		}
		if h := c.Hold; h != nil {
			fmt.Fprintf(o.stdout, "Investigation hold since %s (reference %s): %s\n", o.when(h.At), clean(h.Reference, false), clean(h.Reasons, true))
		}
		if r := c.Returned; r != nil {
			fmt.Fprintf(o.stdout, "Returned by user %d on %s: %s\n", r.By, o.when(r.At), clean(r.Reasons, true))
		}
		if r := c.Closure; r != nil {
			fmt.Fprintf(o.stdout, "Closed by user %d on %s: %s\n", r.By, o.when(r.At), clean(r.Reasons, true))
		}
		for _, r := range c.Related {
			fmt.Fprintf(o.stdout, "Same content as case %d: report %d's %s hash at distance %d\n", r.CaseID, r.ReportID, r.Type, r.Distance)
		}
	})
}

func printMeasures(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "CASE", "KIND", "STATE", "OPERATOR", "OVERDUE", "ISSUED", "NEXT RE-CHECK", "TARGETS"},
		func(m *takedown.Measure) []string {
			return []string{id(m.ID), id(m.CaseID), string(m.Kind), string(m.State), id(m.OperatorID), yes(m.Overdue),
				o.whenPtr(m.IssuedAt), o.whenPtr(m.NextRecheck), strings.Join(m.Targets, " ")}
		}, func(m *takedown.Measure) int64 { return m.ID })
}

func showMeasure(o *output, m *takedown.Measure) {
	fields(o.stdout, "Measure", id(m.ID), "Case", id(m.CaseID), "Kind", string(m.Kind), "State", string(m.State),
		"Operator", id(m.OperatorID), "Offence", m.Offence, "Proposed", fmt.Sprintf("by user %d on %s", m.ProposedBy, o.when(m.ProposedAt)),
		"Approved", approvedBy(o, m), "To be issued", o.whenPtr(m.IssueAt), "Issued", o.whenPtr(m.IssuedAt),
		"Overdue", yes(m.Overdue), "Next re-check", o.whenPtr(m.NextRecheck), "Last re-check", o.whenPtr(m.LastRecheck),
		"Publisher unidentified", m.PublisherUnidentified, "Emergency", m.Emergency, "Ended", o.whenPtr(m.EndedAt))
	fmt.Fprintln(o.stdout, "Targets:")
	for _, t := range m.Targets {
		suffix := ""
		if m.Subtree {
			suffix = "  (and every name under it)"
		}
		fmt.Fprintf(o.stdout, "  %s%s\n", t, suffix)
	}
	for _, d := range []struct {
		label string
		d     *takedown.Decision
	}{{"Refused", m.Refusal}, {"Ended", m.Ending}} {
		if d.d != nil {
			fmt.Fprintf(o.stdout, "%s by user %d on %s: %s\n", d.label, d.d.By, o.when(d.d.At), clean(d.d.Reasons, true))
		}
	}
	if len(m.Objections) > 0 && m.State == takedown.MeasureProposed {
		fmt.Fprintln(o.stdout, "Held by the safety gates until overridden (takedown measure override):")
	} else if len(m.Objections) > 0 {
		fmt.Fprintln(o.stdout, "Safety gates that objected:")
	}
	for _, ob := range m.Objections {
		fmt.Fprintf(o.stdout, "  [%s] %s\n", ob.Gate, clean(ob.Reason, true))
	}
	for _, ov := range m.Overrides {
		what := "publication"
		if ov.Ending {
			what = "ending"
		}
		fmt.Fprintf(o.stdout, "Override of %s for its %s by user %d on %s: %s\n", ov.Gate, what, ov.By, o.when(ov.At), clean(ov.Reasons, true))
	}
}

func printDeployment(o *output, raw json.RawMessage) error {
	list, err := decode[[]takedown.Deployment](raw)
	if err != nil {
		return err
	}
	rows := make([][]string, len(list))
	for i, d := range list {
		has, via, since := "none", "", ""
		if d.Received != nil {
			has, via, since = strconv.FormatInt(d.Received.Version, 10), string(d.Received.Via), o.when(d.Received.At)
		}
		late := "up to date"
		if d.Missing != 0 {
			late = fmt.Sprintf("lacks %d since %s, due %s", d.Missing, o.whenPtr(d.MissingSince), o.whenPtr(d.DueAt))
			if d.Late {
				late = "LATE: " + late
			}
		}
		rows[i] = []string{id(d.OperatorID), d.Operator, has, strconv.FormatInt(d.Latest, 10), via, since, late}
	}
	return table(o.stdout, []string{"OPERATOR", "NAME", "HAS", "LATEST", "VIA", "SINCE", "STATUS"}, rows)
}

func printCanary(o *output, raw json.RawMessage) error {
	st, err := decode[safety.Status](raw)
	if err != nil {
		return err
	}
	if st.Time.IsZero() {
		fmt.Fprintln(o.stdout, "The canary has checked no version yet.")
		return nil
	}
	verdict := "OK"
	if !st.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(o.stdout, "Serial %d checked on %s: %s\n", st.Serial, o.when(st.Time), verdict)
	for _, f := range st.Failures {
		fmt.Fprintf(o.stdout, "  [%s] %s: %s (answered %s)\n", f.Check, f.Name, clean(f.Reason, true), clean(f.Answer, true))
	}
	return nil
}

func printListVersion(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(v takedown.ListVersion) string { return strconv.FormatInt(v.Version, 10) }, func(v takedown.ListVersion) {
		fields(o.stdout, "List", string(v.List), "Version", strconv.FormatInt(v.Version, 10), "Published", o.when(v.Published),
			"Added", strconv.Itoa(v.Added), "Removed", strconv.Itoa(v.Removed), "Measure", id(v.MeasureID))
	})
}

func approvedBy(o *output, m *takedown.Measure) string {
	if m.ApprovedAt == nil {
		return ""
	}
	return fmt.Sprintf("by user %d on %s", m.ApprovedBy, o.whenPtr(m.ApprovedAt))
}

func printMeasure(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(m *takedown.Measure) string { return id(m.ID) }, func(m *takedown.Measure) { showMeasure(o, m) })
}

func deliveryRow(o *output, d *takedown.Delivery) []string {
	return []string{id(d.ID), id(d.MeasureID), id(d.CaseID), id(d.OperatorID), string(d.Kind), string(d.Purpose), string(d.State),
		o.whenPtr(d.DeadlineAt), string(d.Deadline)}
}

var deliveryHeader = []string{"ID", "MEASURE", "CASE", "OPERATOR", "KIND", "PURPOSE", "STATE", "DEADLINE", "STATUS"}

func printDeliveries(o *output, raw json.RawMessage) error {
	return printList(o, raw, deliveryHeader, func(d *takedown.Delivery) []string { return deliveryRow(o, d) },
		func(d *takedown.Delivery) int64 { return d.ID })
}

func showDelivery(o *output, d *takedown.Delivery) {
	fields(o.stdout, "Delivery", id(d.ID), "Measure", id(d.MeasureID), "Case", id(d.CaseID), "Operator", id(d.OperatorID),
		"Kind", string(d.Kind), "Purpose", string(d.Purpose), "State", string(d.State), "Sent", o.when(d.SentAt),
		"Received", o.whenPtr(d.AcknowledgedAt), "Received via", string(d.ReceivedVia), "Deadline", o.whenPtr(d.DeadlineAt),
		"Deadline status", string(d.Deadline), "Complied", o.whenPtr(d.CompliedAt), "Verified gone", o.whenPtr(d.VerifiedAt))
	if a := d.Answer; a != nil {
		fmt.Fprintf(o.stdout, "Answer on %s: %s %s %s\n", o.when(a.At), a.Kind, a.Reason, clean(a.Text, true))
	}
	if c := d.Clarification; c != nil {
		fmt.Fprintf(o.stdout, "Clarification on %s: %s\n", o.when(c.At), clean(c.Reasons, true))
	}
}

func printDeliveryAnswer(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(d *takedown.Delivery) string { return id(d.ID) }, func(d *takedown.Delivery) { showDelivery(o, d) })
}

func printDelivery(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(v httpapi.DeliveryView) string { return id(v.ID) }, func(v httpapi.DeliveryView) {
		showDelivery(o, v.Delivery)
		fmt.Fprintln(o.stdout)
		n := v.Notice
		fields(o.stdout, "From", n.Authority, "Offence", n.Offence.In("en")+" ("+n.OffenceBasis.In("en")+")",
			"Legal basis", n.LegalBasis.In("en"), "Redress", n.Redress.In("en"))
		if m := v.Measure; m != nil {
			fmt.Fprintf(o.stdout, "Statement of reasons: %s\n", clean(m.Reasons, true))
			fmt.Fprintln(o.stdout, "Addresses:")
			for _, t := range m.Targets {
				fmt.Fprintf(o.stdout, "  %s\n", t)
			}
		}
	})
}

func printDeadlines(o *output, raw json.RawMessage) error {
	counts, err := decode[map[takedown.DeadlineStatus]int](raw)
	if err != nil {
		return err
	}
	rows := [][]string{}
	for _, st := range takedown.DeadlineStatuses {
		if st != takedown.DeadlineNone {
			rows = append(rows, []string{string(st), strconv.Itoa(counts[st])})
		}
	}
	return table(o.stdout, []string{"DEADLINE", "DELIVERIES"}, rows)
}

func printRecommendations(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "MEASURE", "CASE", "STATE", "MADE", "REASONS"},
		func(r *takedown.Recommendation) []string {
			return []string{id(r.ID), id(r.MeasureID), id(r.CaseID), string(r.State), o.when(r.At), r.Reasons}
		}, func(r *takedown.Recommendation) int64 { return r.ID })
}

func printRecommendation(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(r *takedown.Recommendation) string { return id(r.ID) }, func(r *takedown.Recommendation) {
		fields(o.stdout, "Recommendation", id(r.ID), "Measure", id(r.MeasureID), "Case", id(r.CaseID), "State", string(r.State),
			"Made", fmt.Sprintf("by user %d on %s", r.By, o.when(r.At)), "Reasons", r.Reasons)
		if a := r.Answer; a != nil {
			fmt.Fprintf(o.stdout, "Answer by user %d on %s: %s\n", a.By, o.when(a.At), clean(a.Reasons, true))
		}
		if c := r.Court; c != nil {
			fmt.Fprintf(o.stdout, "Referred to %s (%s) on %s\n", clean(c.Court, false), clean(c.Reference, false), o.when(c.ReferredAt))
			if c.Outcome != "" {
				fmt.Fprintf(o.stdout, "Court decision on %s: %s — %s\n", o.whenPtr(c.DecidedAt), c.Outcome, clean(c.Summary, true))
			}
		}
	})
}

func printComplaints(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "RECEIVED", "STATE", "FROM", "CASE", "ADDRESS"},
		func(c *takedown.Complaint) []string {
			return []string{id(c.ID), o.when(c.ReceivedAt), string(c.State), string(c.From), id(c.CaseID), c.Address}
		}, func(c *takedown.Complaint) int64 { return c.ID })
}

func printComplaint(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(c *takedown.Complaint) string { return c.Receipt }, func(c *takedown.Complaint) {
		fields(o.stdout, "Complaint", id(c.ID), "Receipt", c.Receipt, "State", string(c.State), "Address", c.Address, "From", string(c.From),
			"Case", id(c.CaseID), "Received", o.when(c.ReceivedAt), "Contact", c.Contact, "Text", c.Text)
		if a := c.Answer; a != nil {
			fmt.Fprintf(o.stdout, "Answer by user %d on %s: %s\n", a.By, o.when(a.At), clean(a.Reasons, true))
		}
	})
}

func printReviewSessions(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "STARTED", "KIND", "REVIEWED", "ITEMS"},
		func(r *takedown.ReviewSession) []string {
			return []string{id(r.ID), o.when(r.CreatedAt), string(r.Kind), strconv.Itoa(r.Reviewed), strconv.Itoa(r.Items)}
		}, func(r *takedown.ReviewSession) int64 { return r.ID })
}

func printReviewSession(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(r *takedown.ReviewSession) string { return id(r.ID) }, func(r *takedown.ReviewSession) {
		fields(o.stdout, "Review session", id(r.ID), "Kind", string(r.Kind), "Items", strconv.Itoa(r.Items), "Reviewed", strconv.Itoa(r.Reviewed),
			"Started", fmt.Sprintf("by user %d on %s", r.CreatedBy, o.when(r.CreatedAt)))
	})
}

func printReviewProgress(o *output, raw json.RawMessage) error {
	p, err := decode[httpapi.ReviewProgress](raw)
	if err != nil {
		return err
	}
	if o.quiet {
		fmt.Fprintln(o.stdout, p.Session.ID)
		return nil
	}
	fmt.Fprintf(o.stdout, "Review session %d: %d of %d reviewed\n", p.Session.ID, p.Session.Reviewed, p.Session.Items)
	tw := tabwriter.NewWriter(o.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tMEASURE\tCASE\tREVIEWER\tVERDICT\tNOTE")
	for _, it := range p.Items {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\n", it.Position, it.MeasureID, it.CaseID, it.Reviewer, it.Verdict, clean(it.Note, false))
	}
	return tw.Flush()
}

func printReviewQuestions(o *output, raw json.RawMessage) error {
	q, err := decode[httpapi.Questions](raw)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(o.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tCASE\tMEASURE\tREVIEWER\tQUESTION\tANSWER")
	for _, it := range q.Items {
		answer := ""
		if it.Answer != nil {
			answer = clean(it.Answer.Reasons, false)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\n", it.ID, it.CaseID, it.MeasureID, it.Reviewer, clean(it.Note, false), answer)
	}
	return tw.Flush()
}

func printReviewItem(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(it *takedown.ReviewItem) string { return id(it.ID) }, func(it *takedown.ReviewItem) {
		fields(o.stdout, "Item", id(it.ID), "Session", id(it.SessionID), "Position", strconv.Itoa(it.Position), "Measure", id(it.MeasureID),
			"Case", id(it.CaseID), "Reviewer", id(it.Reviewer), "Verdict", string(it.Verdict), "Note", it.Note, "Recommendation", id(it.RecommendationID))
		if a := it.Answer; a != nil {
			fmt.Fprintf(o.stdout, "Answer by user %d on %s: %s\n", a.By, o.when(a.At), clean(a.Reasons, true))
		}
	})
}

func printEvents(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "AT", "EVENT", "BY", "CASE", "MEASURE", "OPERATOR"},
		func(e *takedown.Event) []string {
			by := e.ActorRole
			if e.ActorID != 0 {
				by = fmt.Sprintf("%s %d", e.ActorRole, e.ActorID)
			}
			return []string{id(e.ID), o.when(e.At), string(e.Kind), by, id(e.CaseID), id(e.MeasureID), id(e.OperatorID)}
		}, func(e *takedown.Event) int64 { return e.ID })
}

func printOperators(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "NAME", "KIND", "CONTACT", "LANGUAGES", "DOMAINS"},
		func(op *takedown.Operator) []string {
			return []string{id(op.ID), op.Name, string(op.Kind), op.Contact, strings.Join(op.Languages, ","), strconv.Itoa(len(op.Domains))}
		}, func(op *takedown.Operator) int64 { return op.ID })
}

func printOperator(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(op *takedown.Operator) string { return id(op.ID) }, func(op *takedown.Operator) {
		fields(o.stdout, "Operator", id(op.ID), "Name", op.Name, "Kind", string(op.Kind), "Contact", op.Contact,
			"Languages", strings.Join(op.Languages, ", "), "Domains", strings.Join(op.Domains, ", "),
			"TCO advance information", o.whenPtr(op.TCOInformedAt), "Webhook", op.Channels.Webhook, "E-mail", yes(op.Channels.Email),
			"Search API", op.Channels.SearchAPI)
	})
}

func printUsers(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "NAME", "ROLE", "OPERATOR", "DISABLED", "CREATED"},
		func(u *takedown.User) []string {
			return []string{id(u.ID), u.Name, string(u.Role), id(u.OperatorID), yes(u.Disabled), o.when(u.CreatedAt)}
		}, func(u *takedown.User) int64 { return u.ID })
}

func printUser(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(u *takedown.User) string { return id(u.ID) }, func(u *takedown.User) {
		fields(o.stdout, "User", id(u.ID), "Name", u.Name, "Role", string(u.Role), "Operator", id(u.OperatorID),
			"Disabled", yes(u.Disabled), "Created", o.when(u.CreatedAt))
	})
}

// printNewUser prints the new user and, as the last line, its token.
func printNewUser(o *output, raw json.RawMessage) error {
	v, err := decode[httpapi.NewUser](raw)
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(o.stdout, "user %d, %s (%s) added. Its token, shown only now:\n", v.User.ID, v.User.Name, v.User.Role)
	}
	fmt.Fprintln(o.stdout, v.Token)
	return nil
}

func printToken(o *output, raw json.RawMessage) error {
	v, err := decode[httpapi.NewToken](raw)
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintln(o.stdout, "New token, shown only now:")
	}
	fmt.Fprintln(o.stdout, v.Token)
	return nil
}

func printClock(o *output, raw json.RawMessage) error {
	v, err := decode[httpapi.Clock](raw)
	if err != nil {
		return err
	}
	if o.quiet {
		fmt.Fprintln(o.stdout, v.Now.UTC().Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(o.stdout, "demo time: %s\n", o.when(v.Now))
	return nil
}
