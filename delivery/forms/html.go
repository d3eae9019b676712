package forms

import (
	"fmt"
	"html/template"
	"io"
)

// htmlPage is a standalone page: inline style, no script, no external resource, so that
// it renders the same in a mail client, a browser and an archive. Targets are text, never
// links: an operator must not be one click from the content. Values keep their line
// breaks with white-space: pre-wrap, so the markup does not depend on the content.
var htmlPage = template.Must(template.New("notice").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;line-height:1.45;color:#111;background:#fff;max-width:48rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:0 0 .75rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem;padding:.25rem .5rem;background:#e8eef5;border-left:4px solid #2a4d7a}
dl{margin:0}
dt{font-weight:600;margin-top:.6rem}
dd{margin:.1rem 0 0 1rem;white-space:pre-wrap;overflow-wrap:anywhere}
ul{margin:.2rem 0;padding-left:1.2rem}
ul.checks{list-style:none;padding-left:0}
code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.intro{border:1px solid #2a4d7a;padding:.75rem;background:#f6f8fb}
.answer-code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
footer{margin-top:2rem;font-size:.85em;color:#444}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if .Intro}}<p class="intro">{{.Intro}}</p>{{end}}
{{range .Sections}}<section aria-labelledby="s-{{.ID}}">
<h2 id="s-{{.ID}}">{{.Heading}}</h2>
<dl>
{{range .Fields}}<dt>{{.Label}}</dt>
<dd>{{if .Options}}<ul class="checks">{{$name := .Name}}{{range $i, $o := .Options}}<li><input type="checkbox" disabled id="{{$name}}-{{$o.Code}}"{{if $o.Checked}} checked{{end}}> <label for="{{$name}}-{{$o.Code}}">{{$o.Label}}</label></li>{{end}}</ul>{{else if .List}}<ul>{{range .List}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}{{.Value}}{{end}}</dd>
{{end}}</dl>
</section>
{{end}}<section aria-labelledby="s-answer">
<h2 id="s-answer">{{.AnswerHeading}}</h2>
<p>{{.AnswerIntro}}</p>
<ul>
{{range .Answers}}<li><strong>{{.Label}}</strong> <span class="answer-code">({{.Code}})</span><br>{{.Help}}</li>
{{end}}</ul>
{{if .AnswerURL}}<p><a href="{{.AnswerURL}}">{{.AnswerWhere}}</a></p>{{end}}
</section>
</main>
<footer>{{.Footer}}</footer>
</body>
</html>
`))

// HTML writes the notice as a standalone, accessible HTML page in the notice's language.
func HTML(w io.Writer, n Notice) error {
	if err := htmlPage.Execute(w, newDocument(n)); err != nil {
		return fmt.Errorf("forms: html: %w", err)
	}
	return nil
}
