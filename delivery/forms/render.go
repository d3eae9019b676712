package forms

// section is a run of fields under one heading, as every renderer lays them out.
type section struct {
	ID      string
	Heading string
	Fields  []Field
}

// document is what the HTML, text and PDF renderers show, built once from a notice so
// the formats cannot drift apart.
type document struct {
	Lang     string
	Form     string
	Title    string
	Intro    string
	Sections []section
	// AnswerHeading, AnswerIntro, Answers and AnswerURL make the "How to answer" section.
	AnswerHeading string
	AnswerIntro   string
	Answers       []AnswerOption
	AnswerURL     string
	AnswerWhere   string
	Footer        string
	// Colon separates a label from its value: French sets a space before it.
	Colon string
}

func newDocument(n Notice) document {
	l := language(n.Language)
	d := document{
		Lang:          l.String(),
		Form:          FormID(n.Kind, n.Purpose),
		Title:         Title(n),
		Intro:         intro(n),
		AnswerHeading: l.t("section.answer"),
		AnswerIntro:   l.t("answer.intro"),
		Answers:       HowToAnswer(n),
		AnswerURL:     n.AnswerURL,
		Footer:        footer(n),
		Colon:         l.t("colon"),
	}
	if n.AnswerURL != "" {
		d.AnswerWhere = l.t("answer.where", n.AnswerURL)
	}
	for _, f := range Fields(n) {
		if k := len(d.Sections); k == 0 || d.Sections[k-1].ID != f.Section {
			d.Sections = append(d.Sections, section{ID: f.Section, Heading: sectionHeading(n, f.Section)})
		}
		s := &d.Sections[len(d.Sections)-1]
		s.Fields = append(s.Fields, f)
	}
	return d
}
