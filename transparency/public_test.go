package transparency

import (
	"testing"
	"time"
)

// TestPublic: counts from 1 to 4 are withheld, and so is a second count of their family
// when one alone was; per-operator figures and small samples of times are not published.
func TestPublic(t *testing.T) {
	f := &Figures{Partial: true, Counts: map[string]int{
		"reports.received":                30,
		"reports.channel.public":          27,
		"reports.channel.flagger":         3, // withheld: 30 - 27 would give it away…
		"reports.channel.authority":       0, // zero is published as 0
		"measures.issued.blocking":        2, // two withheld in a family: neither can be found
		"measures.issued.referral":        4, //
		"measures.issued.removal_request": 12,
		"operators.7.complied":            40, // an operator's own figures are not public
		"missing.report.received.channel": 1,
	}, Times: map[string]Times{
		"time.report_to_decision":                  {N: 9, Median: 3 * time.Hour},
		"time.receipt_to_compliance.removal_order": {N: 4, Median: 40 * time.Minute},
	}}
	p := Public(f, 2026)
	want := map[string]int{
		"reports.received": 30, "reports.channel.public": -1, "reports.channel.flagger": -1, "reports.channel.authority": 0,
		"measures.issued.blocking": -1, "measures.issued.referral": -1, "measures.issued.removal_request": 12,
	}
	if len(p.Counts) != len(want) {
		t.Errorf("published %v, want %v", p.Counts, want)
	}
	for name, n := range want {
		if got, ok := p.Counts[name]; !ok || got != n {
			t.Errorf("%s = %d (published %v), want %d", name, got, ok, n)
		}
	}
	if len(p.Medians) != 1 || p.Medians["time.report_to_decision"] != 3*time.Hour {
		t.Errorf("medians %v, want only the one measured 5 times or more", p.Medians)
	}
	if p.Year != 2026 || !p.Partial {
		t.Errorf("year %d, partial %v", p.Year, p.Partial)
	}
}
