package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

func printTransmissions(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "DELIVERY", "OPERATOR", "TRANSPORT", "STATE", "ATTEMPTS", "NEXT", "LAST ERROR"},
		func(m *takedown.Transmission) []string {
			next := ""
			if m.State == takedown.TransmissionPending {
				next = o.when(m.NextAttemptAt)
			}
			return []string{id(m.ID), id(m.DeliveryID), id(m.OperatorID), string(m.Transport), string(m.State), strconv.Itoa(m.Attempts),
				next, clean(m.LastError, false)}
		}, func(m *takedown.Transmission) int64 { return m.ID })
}

func printChecks(o *output, raw json.RawMessage) error {
	checks, err := decode[[]*takedown.ComplianceCheck](raw)
	if err != nil {
		return err
	}
	rows := [][]string{}
	for _, c := range checks {
		rows = append(rows, []string{o.when(c.CheckedAt), c.Target, string(c.Outcome), clean(c.Reason, false), c.Digest})
	}
	return table(o.stdout, []string{"CHECKED", "TARGET", "OUTCOME", "REASON", "DIGEST"}, rows)
}

func printWebhookSecret(o *output, raw json.RawMessage) error {
	v, err := decode[casework.NewWebhookSecret](raw)
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(o.stdout, "webhook secret %d of operator %d, shown only now", v.ID, v.OperatorID)
		if v.PreviousSignUntil != nil {
			fmt.Fprintf(o.stdout, "; the previous ones sign until %s", o.when(*v.PreviousSignUntil))
		}
		fmt.Fprintln(o.stdout, ":")
	}
	fmt.Fprintln(o.stdout, v.Secret)
	return nil
}

// printRecords shows an operator's records, or writes the CSV the server answered.
func printRecords(o *output, raw json.RawMessage) error {
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		_, err := o.stdout.Write(raw)
		return err
	}
	r, err := decode[casework.OperatorRecords](raw)
	if err != nil {
		return err
	}
	t := r.Totals
	dur := func(s float64) string { return (time.Duration(s) * time.Second).String() }
	fields(o.stdout, "Operator", id(r.OperatorID)+" "+r.Operator, "Period", o.when(r.From)+" to "+o.when(r.To),
		"Deliveries", strconv.Itoa(t.Deliveries), "Received", strconv.Itoa(t.Received), "Complied", strconv.Itoa(t.Complied),
		"Deadlines met", strconv.Itoa(t.DeadlineMet), "Deadlines missed", strconv.Itoa(t.Missed), "Overdue", strconv.Itoa(t.Overdue),
		"Verified gone", strconv.Itoa(t.Verified), "List updates", strconv.Itoa(t.ListUpdates),
		"Median time to receipt", dur(t.MedianSecondsToReceipt), "Median time to compliance", dur(t.MedianSecondsToCompliance))
	fmt.Fprintln(o.stdout)
	rows := [][]string{}
	for _, d := range r.Deliveries {
		rows = append(rows, []string{id(d.DeliveryID), id(d.MeasureID), string(d.Kind), string(d.Purpose), o.when(d.SentAt),
			o.whenPtr(d.ReceivedAt), string(d.ReceivedVia), string(d.Answer), string(d.Deadline)})
	}
	return table(o.stdout, []string{"DELIVERY", "MEASURE", "KIND", "PURPOSE", "SENT", "RECEIVED", "VIA", "ANSWER", "DEADLINE"}, rows)
}
