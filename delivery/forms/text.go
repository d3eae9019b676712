package forms

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Text writes the notice as plain text, for the text part of an e-mail: headings
// underlined, one field a line, multi-line values and lists indented under their label.
func Text(w io.Writer, n Notice) error {
	d := newDocument(n)
	b := bufio.NewWriter(w)
	underline := func(s, c string) {
		fmt.Fprintf(b, "%s\n%s\n", s, strings.Repeat(c, max(3, len([]rune(s)))))
	}
	underline(d.Title, "=")
	if d.Intro != "" {
		fmt.Fprintf(b, "\n%s\n", d.Intro)
	}
	for _, s := range d.Sections {
		b.WriteString("\n")
		underline(s.Heading, "-")
		for _, f := range s.Fields {
			switch {
			case len(f.Options) > 0:
				fmt.Fprintf(b, "%s%s\n", f.Label, d.Colon)
				for _, o := range f.Options {
					box := "[ ]"
					if o.Checked {
						box = "[x]"
					}
					fmt.Fprintf(b, "  %s %s\n", box, o.Label)
				}
			case f.List != nil:
				fmt.Fprintf(b, "%s%s\n", f.Label, d.Colon)
				for _, item := range f.List {
					fmt.Fprintf(b, "  - %s\n", item)
				}
			case strings.Contains(f.Value, "\n"):
				fmt.Fprintf(b, "%s%s\n", f.Label, d.Colon)
				for line := range strings.SplitSeq(f.Value, "\n") {
					fmt.Fprintf(b, "  %s\n", line)
				}
			default:
				fmt.Fprintf(b, "%s%s %s\n", f.Label, d.Colon, f.Value)
			}
		}
	}
	b.WriteString("\n")
	underline(d.AnswerHeading, "-")
	fmt.Fprintf(b, "%s\n", d.AnswerIntro)
	for _, a := range d.Answers {
		fmt.Fprintf(b, "* %s (%s)\n  %s\n", a.Label, a.Code(), a.Help)
	}
	if d.AnswerWhere != "" {
		fmt.Fprintf(b, "\n%s\n", d.AnswerWhere)
	}
	fmt.Fprintf(b, "\n-- \n%s\n", d.Footer)
	if err := b.Flush(); err != nil {
		return fmt.Errorf("forms: text: %w", err)
	}
	return nil
}
