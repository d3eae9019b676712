package chart

import (
	"strings"
	"testing"
)

// TestEscaped: labels and titles are escaped, and the chart is named for screen readers.
func TestEscaped(t *testing.T) {
	rows := []Bar{{Label: `<script>x</script>`, Segments: []Segment{{Series: "met", Label: `a"b`, Value: 3}}}, {Label: "two", Note: "< 5"}}
	for name, svg := range map[string]string{"columns": string(Columns("Reports <per> month", rows)), "bars": string(Bars("Measures & kinds", rows))} {
		if strings.Contains(svg, "<script>") || strings.Contains(svg, `a"b`) {
			t.Errorf("%s: unescaped text: %s", name, svg)
		}
		if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "<title id=") || !strings.Contains(svg, "<desc id=") {
			t.Errorf("%s: no accessible name", name)
		}
	}
	if got := Describe(rows); got != `<script>x</script>: a"b 3; two: < 5` {
		t.Errorf("Describe = %q", got)
	}
}
