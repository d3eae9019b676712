package forms

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"
)

// PDF writes the notice as an A4 PDF with a core font (Helvetica), so nothing is
// embedded or fetched. Text goes through fpdf's UTF-8 to Windows-1252 translator: French
// and the other Western European letters render; a character outside Windows-1252 prints
// as a dot (the HTML, text and JSON forms carry it intact).
//
// The PDF is always written uncompressed: a form is a few pages of text, the size hardly
// matters, and its words stay searchable by any tool, which the tests rely on too. Its
// creation date is the notice's issue time, so the same notice gives the same bytes.
func PDF(w io.Writer, n Notice) error {
	d := newDocument(n)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true) // resources in a fixed order: the same notice gives the same bytes
	pdf.SetCreationDate(n.IssuedAt)
	pdf.SetModificationDate(n.IssuedAt)
	pdf.SetTitle(d.Title, true)
	pdf.SetLang(d.Lang)
	pdf.SetCreator("takedown", true)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	body := width - left - right

	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("%s — %s — %d/{nb}", d.Footer, n.Reference, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.SetFillColor(232, 238, 245)
		pdf.MultiCell(body, 6, tr(s), "", "L", true)
		pdf.Ln(1)
	}
	label := func(s string) {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.MultiCell(body, 4.5, tr(s), "", "L", false)
	}
	value := func(s string) {
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(body, 5, tr(s), "", "L", false)
		pdf.Ln(1)
	}

	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(body, 7, tr(d.Title), "", "L", false)
	pdf.Ln(2)
	if d.Intro != "" {
		pdf.SetFont("Helvetica", "", 9.5)
		pdf.MultiCell(body, 4.8, tr(d.Intro), "1", "L", false)
	}
	for _, s := range d.Sections {
		heading(s.Heading)
		for _, f := range s.Fields {
			label(f.Label)
			switch {
			case len(f.Options) > 0:
				for _, o := range f.Options {
					box := "[  ]"
					if o.Checked {
						box = "[X]"
					}
					value(box + " " + o.Label)
				}
			case f.List != nil:
				for _, item := range f.List {
					value(item)
				}
				if len(f.List) == 0 {
					value("")
				}
			default:
				value(f.Value)
			}
		}
	}
	heading(d.AnswerHeading)
	value(d.AnswerIntro)
	for _, a := range d.Answers {
		label(fmt.Sprintf("%s (%s)", a.Label, a.Code()))
		value(a.Help)
	}
	if d.AnswerWhere != "" {
		value(d.AnswerWhere)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("forms: pdf: %w", err)
	}
	return nil
}
