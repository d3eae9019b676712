package forms_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
)

// fuzzNotice puts s into every text of an order; kind and purpose pick the form.
func fuzzNotice(t testing.TB, s string, kind, purpose uint8) forms.Notice {
	n := order(t)
	n.Kind = takedown.MeasureKinds[int(kind)%len(takedown.MeasureKinds)]
	n.Purpose = takedown.Purposes[int(purpose)%len(takedown.Purposes)]
	n.Reference, n.Language, n.Reasons, n.Ending, n.Emergency = s, s, s, s, s
	n.Authority = forms.Authority{Name: s, MemberState: s, Representative: s, Address: s, Email: s, Phone: s}
	n.Operator = forms.Addressee{Name: s, Contact: s, LegalRepresentative: s}
	n.Targets = []string{s, s}
	n.Offence = forms.Offence{Code: s, Title: s, LegalBasis: s, Category: s}
	n.LegalBasis, n.Redress, n.AnswerURL = s, s, s
	return n
}

// FuzzHTML proves that no text breaks the page: rendering never fails, and the markup is
// the same as with a harmless text, so every <, > and quote of the input was escaped.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"x", "<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "javascript:alert(1)",
		"</dd></dl><h1>", "&amp; &#60;", "é\u0000\ufffd\xff\xfe", "{{.Title}}", "https://a.example/?q=<b>", "%s %d %!"} {
		f.Add(s, uint8(1), uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, kind, purpose uint8) {
		var base, got bytes.Buffer
		if err := forms.HTML(&base, fuzzNotice(t, "x", kind, purpose)); err != nil {
			t.Fatal(err)
		}
		if err := forms.HTML(&got, fuzzNotice(t, "x"+s, kind, purpose)); err != nil {
			t.Fatalf("HTML failed: %v", err)
		}
		for _, c := range []string{"<", ">", `"`, "'"} {
			if a, b := strings.Count(got.String(), c), strings.Count(base.String(), c); a != b {
				t.Fatalf("the input added %d %q to the page: it was not escaped", a-b, c)
			}
		}
	})
}

// FuzzPDF proves that no text makes the PDF renderer fail or panic, and that the result
// is still a PDF.
func FuzzPDF(f *testing.F) {
	for _, s := range []string{"x", "(unbalanced \\ parens", "é à ç œ € — “quotes”", "\r\n\t\u0000", "日本語 😀", "\xff\xfe",
		strings.Repeat("W", 3000), strings.Repeat("long line ", 800)} {
		f.Add(s, uint8(1), uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, kind, purpose uint8) {
		n := fuzzNotice(t, s, kind, purpose)
		n.IssuedAt = time.Unix(int64(len(s))*1e6, 0)
		var b bytes.Buffer
		if err := forms.PDF(&b, n); err != nil {
			t.Fatalf("PDF failed: %v", err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Fatal("not a PDF")
		}
	})
}
