// Package chart draws bar and column charts as SVG on the server, for the console, the
// public figures and the transparency reports alike: no script, no external service. Each
// has a title and a description for screen readers; the page gives its figures as a table
// too. The rows are plain data, so that a PDF can draw the same chart with its own
// primitives.
package chart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Segment is one part of a bar: a value, in a series that sets its colour and legend.
type Segment struct {
	Series string // a CSS class suffix: the series' colour
	Label  string // the series' name, for the legend and the tooltip
	Value  int
}

// Bar is one bar, of one or more segments.
type Bar struct {
	Label    string
	Segments []Segment
	// Note, when set, is written instead of the bar's total (a count withheld, for one).
	Note string
}

// value is what the chart writes beside a bar.
func (b Bar) value() string {
	if b.Note != "" {
		return b.Note
	}
	return strconv.Itoa(b.Total())
}

// Total is the sum of the bar's segments.
func (b Bar) Total() int {
	n := 0
	for _, s := range b.Segments {
		n += s.Value
	}
	return n
}

// Columns draws one vertical bar per row (days, for instance).
func Columns(title string, rows []Bar) template.HTML {
	const width, height, top, bottom, left = 640, 220, 16, 36, 36
	most := 1
	for _, r := range rows {
		most = max(most, r.Total())
	}
	var b strings.Builder
	id := chartID(title)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d"><title id="%s-t">%s</title><desc id="%s-d">%s</desc>`,
		width, height, id, id, id, esc(title), id, esc(Describe(rows)))
	plot := float64(height - top - bottom)
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, left, height-bottom, width, height-bottom)
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%d</text>`, left-6, top+4, most)
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">0</text>`, left-6, height-bottom)
	step := float64(width-left) / float64(max(len(rows), 1))
	for i, r := range rows {
		x := float64(left) + float64(i)*step
		y := float64(height - bottom)
		for _, s := range r.Segments {
			h := plot * float64(s.Value) / float64(most)
			y -= h
			fmt.Fprintf(&b, `<rect class="s-%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %d</title></rect>`,
				esc(s.Series), x+step*0.15, y, step*0.7, h, esc(r.Label+" "+s.Label), s.Value)
		}
		if r.Total() > 0 || r.Note != "" {
			fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+step/2, y-4, esc(r.value()))
		}
		if len(rows) <= 16 || i%2 == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+step/2, height-bottom+16, esc(r.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Bars draws one horizontal bar per row, its segments stacked, with a legend.
func Bars(title string, rows []Bar) template.HTML {
	const width, label, barH, gap, legendH = 640, 250, 22, 10, 28
	most := 1
	for _, r := range rows {
		most = max(most, r.Total())
	}
	height := len(rows)*(barH+gap) + legendH + gap
	var b strings.Builder
	id := chartID(title)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d"><title id="%s-t">%s</title><desc id="%s-d">%s</desc>`,
		width, height, id, id, id, esc(title), id, esc(Describe(rows)))
	plot := float64(width - label - 50)
	for i, r := range rows {
		y := i * (barH + gap)
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, label-8, y+barH/2+4, esc(r.Label))
		x := float64(label)
		for _, s := range r.Segments {
			w := plot * float64(s.Value) / float64(most)
			fmt.Fprintf(&b, `<rect class="s-%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s: %d</title></rect>`,
				esc(s.Series), x, y, w, barH, esc(r.Label+", "+s.Label), s.Value)
			x += w
		}
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%d">%s</text>`, x+6, y+barH/2+4, esc(r.value()))
	}
	// The legend: each series once, in the order met.
	seen := map[string]bool{}
	x, y := 8, len(rows)*(barH+gap)+gap
	for _, r := range rows {
		for _, s := range r.Segments {
			if seen[s.Series] {
				continue
			}
			seen[s.Series] = true
			fmt.Fprintf(&b, `<rect class="s-%s" x="%d" y="%d" width="12" height="12"/><text class="tick" x="%d" y="%d">%s</text>`,
				esc(s.Series), x, y, x+16, y+11, esc(s.Label))
			x += 24 + 7*len([]rune(s.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Describe writes a chart's figures as a sentence, for its description.
func Describe(rows []Bar) string {
	var parts []string
	for _, r := range rows {
		var segs []string
		for _, s := range r.Segments {
			if s.Value > 0 {
				segs = append(segs, fmt.Sprintf("%s %d", s.Label, s.Value))
			}
		}
		if len(segs) == 0 {
			segs = []string{r.value()}
		}
		parts = append(parts, r.Label+": "+strings.Join(segs, ", "))
	}
	return strings.Join(parts, "; ")
}

func chartID(title string) string {
	var b strings.Builder
	b.WriteString("chart-")
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func esc(s string) string { return template.HTMLEscapeString(s) }
