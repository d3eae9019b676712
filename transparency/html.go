package transparency

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/chart"
)

// HTML writes the report as one self-contained HTML document: styles inline, charts as SVG,
// nothing loaded and nothing run.
func (r *Report) HTML(w io.Writer) error {
	return reportTemplate.Execute(w, r)
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"svg": func(c Chart) template.HTML {
		if c.Columns {
			return chart.Columns(c.Title, c.Bars)
		}
		return chart.Bars(c.Title, c.Bars)
	},
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — {{.Period}}</title>
<style>
body { font-family: "Marianne", "Helvetica Neue", Arial, sans-serif; color: #1e1e1e; max-width: 54rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
.cover { border-bottom: 4px solid #000091; padding: 3rem 0 2rem; margin-bottom: 2rem; }
.cover .authority { text-transform: uppercase; letter-spacing: .05em; font-size: .85rem; color: #3a3a3a; }
.cover h1 { font-size: 2rem; margin: .5rem 0; color: #000091; }
.cover .period { font-size: 1.4rem; font-weight: bold; }
.note { background: #fff4d6; border-left: 4px solid #b36b00; padding: .5rem .8rem; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .8rem; padding: 0; list-style: none; }
.summary li { border: 1px solid #ddd; border-radius: 4px; padding: .7rem; }
.summary .value { display: block; font-size: 1.6rem; font-weight: bold; color: #000091; }
h2 { color: #000091; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 1rem 0; width: 100%; font-size: .92rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; }
td:not(:first-child), th:not(:first-child) { text-align: right; }
thead th { background: #eef1f8; }
svg.chart { width: 100%; height: auto; margin: 1rem 0; }
svg .axis { stroke: #666; }
svg .tick, svg .value { font-size: 11px; fill: #333; }
.s-reports, .s-issued { fill: #000091; }
.s-complied, .s-met { fill: #18753c; }
.s-missed, .s-declined { fill: #ce0500; }
.s-lifted { fill: #6a6af4; }
.s-withdrawn { fill: #929292; }
.s-active { fill: #b36b00; }
footer { margin-top: 3rem; font-size: .8rem; color: #555; }
</style>
</head>
<body>
<header class="cover">
<div class="authority">{{.Authority}}</div>
<h1>{{.Title}}</h1>
<p>{{.Subtitle}}</p>
<p class="period">{{.Period}}</p>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}</header>
<main>
<section>
<h2>{{if eq .Lang "fr"}}Chiffres clés{{else}}Key figures{{end}}</h2>
<ul class="summary">
{{range .Summary}}<li><span class="value">{{.Value}}</span> {{.Label}}</li>
{{end}}</ul>
</section>
{{range .Sections}}<section>
<h2>{{.Title}}</h2>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{range .Charts}}{{svg .}}
{{end}}{{range .Tables}}<table>
<caption>{{.Caption}}</caption>
<thead><tr>{{range .Head}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}{{if eq $i 0}}<th scope="row">{{$c}}</th>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}</section>
{{end}}</main>
<footer>{{if eq .Lang "fr"}}Produit par takedown le {{.Generated}} à partir du registre des événements.{{else}}Produced by takedown on {{.Generated}} from the event record.{{end}}</footer>
</body>
</html>
`))

// DocumentPolicy is the Content-Security-Policy a report's HTML is served with: it is a
// document, not an application, so nothing runs and nothing loads.
const DocumentPolicy = "default-src 'none'; style-src 'unsafe-inline'"

// CheckFormat says whether a report can be drawn in format: html (also "") or pdf. Check it
// before computing the figures.
func CheckFormat(format string) error {
	if format != "" && format != "html" && format != "pdf" {
		return takedown.Invalid("format", "must be html or pdf, not %q", format)
	}
	return nil
}

// Document draws the report in format (see CheckFormat), and returns it with its media type
// and a file name for it, named after the report, the period's first year and the language.
func (r *Report) Document(format string, p Period) (body []byte, contentType, name string, err error) {
	if err := CheckFormat(format); err != nil {
		return nil, "", "", err
	}
	var buf bytes.Buffer
	if format == "pdf" {
		err, contentType = r.PDF(&buf), "application/pdf"
	} else {
		format, contentType = "html", "text/html; charset=utf-8"
		err = r.HTML(&buf)
	}
	if err != nil {
		return nil, "", "", err
	}
	return buf.Bytes(), contentType, fmt.Sprintf("%s-%d-%s.%s", r.Kind, p.From.Year(), r.Lang, format), nil
}
