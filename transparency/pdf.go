package transparency

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/takedown-project/takedown/internal/chart"
)

// seriesColours are the charts' colours in the PDF, those of the HTML's styles.
var seriesColours = map[string][3]int{
	"reports": {0, 0, 145}, "issued": {0, 0, 145}, "complied": {24, 117, 60}, "met": {24, 117, 60},
	"missed": {206, 5, 0}, "declined": {206, 5, 0}, "lifted": {106, 106, 244}, "withdrawn": {146, 146, 146}, "active": {179, 107, 0},
}

// PDF writes the report as an A4 PDF with core fonts (Helvetica), through fpdf's UTF-8 to
// Windows-1252 translator, so French renders and nothing is embedded. The charts are drawn
// from the same data as the HTML's SVG, with the PDF's own rectangles and text. It is
// written uncompressed, so its words stay searchable by any tool, and dated with the
// figures' time, so the same figures give the same bytes.
func (r *Report) PDF(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(r.AsOf)
	pdf.SetModificationDate(r.AsOf)
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	arrows := strings.NewReplacer("→", "->", " ", " ")
	tr := func(s string) string { return cp1252(arrows.Replace(s)) } // an arrow is not in Windows-1252
	pdf.SetTitle(r.Title+" — "+r.Period, true)
	pdf.SetLang(r.Lang)
	pdf.SetCreator("takedown", true)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pageW, pageH := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	body := pageW - left - right
	pdf.SetFooterFunc(func() {
		if pdf.PageNo() == 1 {
			return
		}
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("%s — %s — %d/{nb}", r.Title, r.Period, pdf.PageNo())), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	room := func(h float64) {
		if pdf.GetY()+h > pageH-20 {
			pdf.AddPage()
		}
	}

	// The cover.
	pdf.AddPage()
	pdf.SetFillColor(0, 0, 145)
	pdf.Rect(0, 0, pageW, 12, "F")
	pdf.SetY(60)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(body, 5, tr(r.Authority), "", "L", false)
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 22)
	pdf.SetTextColor(0, 0, 145)
	pdf.MultiCell(body, 10, tr(r.Title), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 12)
	pdf.MultiCell(body, 6, tr(r.Subtitle), "", "L", false)
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(body, 8, tr(r.Period), "", "L", false)
	for _, n := range r.Notes {
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "I", 10)
		pdf.SetFillColor(255, 244, 214)
		pdf.MultiCell(body, 5, tr(n), "", "L", true)
	}
	pdf.SetY(pageH - 40)
	pdf.SetFont("Helvetica", "", 9)
	generated := "Produced by takedown on " + r.Generated + " from the event record."
	keyFigures := "Key figures"
	if r.Lang == "fr" {
		generated, keyFigures = "Produit par takedown le "+r.Generated+" à partir du registre des événements.", "Chiffres clés"
	}
	pdf.MultiCell(body, 5, tr(generated), "", "L", false)

	heading := func(s string) {
		room(20)
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 14)
		pdf.SetTextColor(0, 0, 145)
		pdf.MultiCell(body, 7, tr(s), "B", "L", false)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(2)
	}

	// The key figures, two to a row.
	pdf.AddPage()
	heading(keyFigures)
	boxW := (body - 6) / 2
	for i, k := range r.Summary {
		x := left + float64(i%2)*(boxW+6)
		if i%2 == 0 {
			room(22)
		}
		y := pdf.GetY()
		pdf.SetDrawColor(200, 200, 200)
		pdf.Rect(x, y, boxW, 18, "D")
		pdf.SetXY(x+3, y+2)
		pdf.SetFont("Helvetica", "B", 16)
		pdf.SetTextColor(0, 0, 145)
		pdf.CellFormat(boxW-6, 8, tr(k.Value), "", 2, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetX(x + 3)
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(boxW-6, 5, tr(k.Label), "", 0, "L", false, 0, "")
		if i%2 == 1 || i == len(r.Summary)-1 {
			pdf.SetXY(left, y+22)
		} else {
			pdf.SetXY(left, y)
		}
	}

	for _, s := range r.Sections {
		heading(s.Title)
		for _, p := range s.Paragraphs {
			pdf.SetFont("Helvetica", "", 10)
			pdf.MultiCell(body, 5, tr(p), "", "L", false)
			pdf.Ln(2)
		}
		for _, c := range s.Charts {
			drawChart(pdf, tr, c, left, body, room)
		}
		for _, t := range s.Tables {
			drawTable(pdf, tr, t, body, room)
		}
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("transparency: pdf: %w", err)
	}
	return pdf.Output(w)
}

func drawTable(pdf *fpdf.Fpdf, tr func(string) string, t Table, body float64, room func(float64)) {
	cols := len(t.Head)
	if cols == 0 {
		return
	}
	first := body * 0.45
	if cols > 4 {
		first = body * 0.25
	}
	rest := (body - first) / float64(max(cols-1, 1))
	width := func(i int) float64 {
		if i == 0 {
			return first
		}
		return rest
	}
	room(8 + 6*float64(min(len(t.Rows), 3)))
	pdf.SetFont("Helvetica", "B", 10)
	pdf.MultiCell(body, 5, tr(t.Caption), "", "L", false)
	header := func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetFillColor(238, 241, 248)
		for i, h := range t.Head {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(width(i), 6, tr(fit(pdf, tr, h, width(i))), "1", 0, align, true, 0, "")
		}
		pdf.Ln(-1)
	}
	header()
	pdf.SetFont("Helvetica", "", 9)
	for _, row := range t.Rows {
		if pdf.GetY()+6 > 277 {
			pdf.AddPage()
			header()
			pdf.SetFont("Helvetica", "", 9)
		}
		for i, c := range row {
			align := "R"
			if i == 0 {
				align = "L"
			}
			pdf.CellFormat(width(i), 6, tr(fit(pdf, tr, c, width(i))), "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(3)
}

// fit shortens a text to the width of its cell, with an ellipsis.
func fit(pdf *fpdf.Fpdf, tr func(string) string, s string, w float64) string {
	runes := []rune(s)
	for len(runes) > 1 && pdf.GetStringWidth(tr(string(runes))) > w-2 {
		runes = append(runes[:len(runes)-2], '.')
	}
	return string(runes)
}

func drawChart(pdf *fpdf.Fpdf, tr func(string) string, c Chart, left, body float64, room func(float64)) {
	most := 1
	for _, b := range c.Bars {
		most = max(most, b.Total())
	}
	pdf.SetFont("Helvetica", "B", 10)
	colour := func(series string) {
		rgb, ok := seriesColours[series]
		if !ok {
			rgb = [3]int{0, 0, 145}
		}
		pdf.SetFillColor(rgb[0], rgb[1], rgb[2])
	}
	if c.Columns {
		const h = 50.0
		room(h + 16)
		pdf.MultiCell(body, 5, tr(c.Title), "", "L", false)
		top := pdf.GetY() + 4
		base := top + h
		step := body / float64(max(len(c.Bars), 1))
		pdf.SetFont("Helvetica", "", 7)
		pdf.SetDrawColor(100, 100, 100)
		pdf.Line(left, base, left+body, base)
		for i, b := range c.Bars {
			x := left + float64(i)*step
			y := base
			for _, s := range b.Segments {
				hh := h * float64(s.Value) / float64(most)
				y -= hh
				colour(s.Series)
				pdf.Rect(x+step*0.15, y, step*0.7, hh, "F")
			}
			label := strconv.Itoa(b.Total())
			pdf.Text(x+step/2-pdf.GetStringWidth(label)/2, y-1, label)
			pdf.Text(x+step/2-pdf.GetStringWidth(tr(b.Label))/2, base+4, tr(b.Label))
		}
		pdf.SetY(base + 8)
		return
	}
	const barH, gap = 5.0, 2.5
	h := float64(len(c.Bars))*(barH+gap) + 10
	room(h + 8)
	pdf.MultiCell(body, 5, tr(c.Title), "", "L", false)
	labelW := body * 0.3
	plot := body - labelW - 15
	y := pdf.GetY() + 2
	pdf.SetFont("Helvetica", "", 7)
	legend := []chart.Segment{}
	seen := map[string]bool{}
	for _, b := range c.Bars {
		pdf.Text(left, y+barH-1, tr(fit(pdf, tr, b.Label, labelW)))
		x := left + labelW
		for _, s := range b.Segments {
			if !seen[s.Series] {
				seen[s.Series] = true
				legend = append(legend, s)
			}
			w := plot * float64(s.Value) / float64(most)
			colour(s.Series)
			if w > 0 {
				pdf.Rect(x, y, w, barH, "F")
			}
			x += w
		}
		pdf.Text(x+1.5, y+barH-1, strconv.Itoa(b.Total()))
		y += barH + gap
	}
	x := left + labelW
	for _, s := range legend {
		colour(s.Series)
		pdf.Rect(x, y+1, 3, 3, "F")
		pdf.Text(x+4, y+3.8, tr(s.Label))
		x += 8 + pdf.GetStringWidth(tr(s.Label))
	}
	pdf.SetY(y + 8)
}
