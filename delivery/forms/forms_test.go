package forms_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
	"github.com/takedown-project/takedown/procedure"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func ptr[T any](v T) *T { return &v }

// order is a synthetic TCO removal order in French, with every field the form can show.
func order(t testing.TB) forms.Notice {
	p := procedure.Default()
	rule, _ := p.Measure(takedown.RemovalOrder)
	off, _ := p.Offence("terrorism-provocation")
	return forms.Notice{
		Reference: "TD-2026-000042",
		Kind:      takedown.RemovalOrder,
		Purpose:   takedown.PurposeAction,
		Language:  "fr",
		Authority: forms.Authority{
			Name:           "Office de démonstration contre les contenus illicites",
			MemberState:    "France",
			Representative: "Capitaine Camille Exemple, cheffe de section",
			Address:        "1 place de l'Exemple, 75000 Paris",
			Email:          "injonctions@autorite.example",
			Phone:          "+33 1 00 00 00 00",
		},
		IssuedAt: time.Date(2026, 4, 16, 8, 30, 0, 0, time.UTC),
		Location: paris(t),
		Operator: forms.Addressee{Name: "Hébergeur Exemple SAS", Contact: "abuse@hebergeur.example", LegalRepresentative: "Représentant Exemple SARL"},
		Targets:  []string{"https://videos.hebergeur.example/v/8f3a2c", "https://videos.hebergeur.example/v/9b1d7e?t=12"},
		Offence: forms.Offence{Code: off.Code, Title: off.Title.In("fr"), LegalBasis: off.LegalBasis.In("fr"),
			Category: off.Category},
		Reasons:            "La vidéo (données de test) appelle explicitement à commettre des actes de terrorisme.\nElle est accessible au public sans inscription.",
		LegalBasis:         rule.LegalBasis.In("fr"),
		Redress:            rule.Redress.In("fr"),
		Deadline:           rule.Deadline.Duration,
		NonDisclosure:      true,
		NonDisclosureUntil: ptr(time.Date(2026, 5, 28, 8, 30, 0, 0, time.UTC)),
		DeliveryID:         17,
		MeasureID:          12,
		CaseID:             3,
		AnswerURL:          "https://portail.autorite.example/deliveries/17",
	}
}

// request is a synthetic LCEN removal request in English, its deadline started.
func request(t testing.TB) forms.Notice {
	p := procedure.Default()
	rule, _ := p.Measure(takedown.RemovalRequest)
	off, _ := p.Offence("csam")
	return forms.Notice{
		Reference:  "TD-2026-000043",
		Kind:       takedown.RemovalRequest,
		Purpose:    takedown.PurposeAction,
		Language:   "en-GB",
		Authority:  forms.Authority{Name: "Demonstration Office against Illegal Content", Representative: "Officer 4711, head of the removal desk", Email: "requests@authority.example"},
		IssuedAt:   time.Date(2026, 1, 10, 14, 5, 0, 0, time.UTC),
		Location:   paris(t),
		Operator:   forms.Addressee{Name: "Example Hosting Ltd", Contact: "abuse@hosting.example"},
		Targets:    []string{"https://files.hosting.example/share/a1b2c3"},
		Offence:    forms.Offence{Code: off.Code, Title: off.Title.In("en"), LegalBasis: off.LegalBasis.In("en")},
		Reasons:    "The file (test data) is an image that the officer identified as child sexual abuse material.",
		LegalBasis: rule.LegalBasis.In("en"),
		Redress:    rule.Redress.In("en"),
		Deadline:   rule.Deadline.Duration,
		DeadlineAt: ptr(time.Date(2026, 1, 11, 14, 7, 0, 0, time.UTC)),
		DeliveryID: 18,
		MeasureID:  13,
		CaseID:     4,
		AnswerURL:  "https://portal.authority.example/deliveries/18",
	}
}

// TestGolden pins the HTML, text and JSON of a French TCO order and an English removal
// request; go test -update rewrites them after a deliberate change.
func TestGolden(t *testing.T) {
	renderers := []struct {
		ext    string
		render func(*bytes.Buffer, forms.Notice) error
	}{
		{"html", func(b *bytes.Buffer, n forms.Notice) error { return forms.HTML(b, n) }},
		{"txt", func(b *bytes.Buffer, n forms.Notice) error { return forms.Text(b, n) }},
		{"json", func(b *bytes.Buffer, n forms.Notice) error { return forms.JSON(b, n) }},
	}
	for _, tc := range []struct {
		name string
		n    forms.Notice
	}{{"tco-order-fr", order(t)}, {"removal-request-en", request(t)}} {
		if err := tc.n.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, r := range renderers {
			t.Run(tc.name+"."+r.ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := r.render(&b, tc.n); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", tc.name+"."+r.ext)
				if *update {
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if got := b.String(); got != string(want) {
					t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", path, got)
				}
			})
		}
	}
}

// TestProfileForms proves that every field the default profile requires on a measure's
// form is one the forms show, and that its value is in the HTML, the text, the JSON and
// the PDF: a form the law prescribes cannot lose a field in one format.
func TestProfileForms(t *testing.T) {
	p := procedure.Default()
	notices := map[takedown.MeasureKind]forms.Notice{takedown.RemovalOrder: order(t), takedown.RemovalRequest: request(t)}
	checked := 0
	for _, kind := range takedown.MeasureKinds {
		rule, ok := p.Measure(kind)
		if !ok || len(rule.Form) == 0 {
			continue
		}
		checked++
		t.Run(string(kind), func(t *testing.T) {
			n, ok := notices[kind]
			if !ok {
				t.Fatalf("the profile lists form fields for %s, but the test has no notice for it", kind)
			}
			if err := n.Complete(rule.Form); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			fields := map[string]forms.Field{}
			for _, f := range forms.Fields(n) {
				fields[f.Name] = f
			}
			out := renderAll(t, n)
			var doc map[string]any
			if err := json.Unmarshal(out.json, &doc); err != nil {
				t.Fatal(err)
			}
			pdfText := pdfText(t, out.pdf)
			tr := fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor("")
			for _, name := range rule.Form {
				f, ok := fields[name]
				if !ok {
					t.Errorf("the profile requires %q, which is not a field of the form", name)
					continue
				}
				parts := f.List
				if parts == nil {
					parts = strings.Split(f.Value, "\n")
				}
				for _, part := range parts {
					if !strings.Contains(html.UnescapeString(string(out.html)), part) {
						t.Errorf("HTML lacks %s %q", name, part)
					}
					if !strings.Contains(string(out.text), part) {
						t.Errorf("text lacks %s %q", name, part)
					}
					if !strings.Contains(pdfText, squash(tr(part))) {
						t.Errorf("PDF lacks %s %q", name, part)
					}
				}
				want, _ := json.Marshal(f.Data)
				got, _ := json.Marshal(doc[name])
				if _, ok := doc[name]; !ok || string(got) != string(want) || string(got) == `""` {
					t.Errorf("JSON %s = %s, want %s", name, got, want)
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("the default profile lists no form fields")
	}
}

type outputs struct{ html, text, json, pdf []byte }

func renderAll(t *testing.T, n forms.Notice) outputs {
	t.Helper()
	var h, x, j, p bytes.Buffer
	for _, err := range []error{forms.HTML(&h, n), forms.Text(&x, n), forms.JSON(&j, n), forms.PDF(&p, n)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return outputs{h.Bytes(), x.Bytes(), j.Bytes(), p.Bytes()}
}

// pdfText extracts the strings an uncompressed PDF shows (the operands of Tj), in order,
// without white space: fpdf breaks lines at spaces, so a value spans several strings.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the PDF starts with %q", pdf[:min(len(pdf), 8)])
	}
	var b strings.Builder
	for _, m := range regexp.MustCompile(`\(((?:\\.|[^\\()])*)\)\s*Tj`).FindAllSubmatch(pdf, -1) {
		s := strings.NewReplacer(`\\`, `\`, `\(`, `(`, `\)`, `)`, `\r`, "\r").Replace(string(m[1]))
		b.WriteString(s)
	}
	return squash(b.String())
}

func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// TestPDF checks the PDF at the level of its syntax: a PDF header and trailer, its
// title and language in the catalogue, the reference on every page's footer, and French
// accents as Windows-1252 bytes of the core font, not dots.
func TestPDF(t *testing.T) {
	n := order(t)
	var b bytes.Buffer
	if err := forms.PDF(&b, n); err != nil {
		t.Fatal(err)
	}
	pdf := b.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Fatal("not a PDF: header or trailer missing")
	}
	if !bytes.Contains(pdf, []byte("/Lang (fr)")) {
		t.Error("the catalogue does not give the language")
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"TD-2026-000042", "Hébergeur Exemple SAS", "Numéro de référence", "Comment répondre", "kind=cannot_comply,reason=manifest_error", "[X]incite"} {
		tr := fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor("")
		if !strings.Contains(text, squash(tr(want))) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if !bytes.Contains(pdf, []byte("H\xe9bergeur")) {
		t.Error("é is not the Windows-1252 byte 0xE9")
	}
	// The same notice gives the same bytes: the dates are the notice's, not the clock's.
	var again bytes.Buffer
	if err := forms.PDF(&again, n); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again.Bytes()) {
		t.Error("two renderings of the same notice differ")
	}
}

// TestValidate proves that a notice missing what every form needs, or contradicting
// itself, is refused with the field at fault.
func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(n *forms.Notice)
		field  string
	}{
		{"valid", func(n *forms.Notice) {}, ""},
		{"no reference", func(n *forms.Notice) { n.Reference = " " }, "reference"},
		{"unknown kind", func(n *forms.Notice) { n.Kind = "takedown_notice" }, "kind"},
		{"unknown purpose", func(n *forms.Notice) { n.Purpose = "reminder" }, "purpose"},
		{"no authority", func(n *forms.Notice) { n.Authority.Name = "" }, "authority"},
		{"no issue time", func(n *forms.Notice) { n.IssuedAt = time.Time{} }, "issued_at"},
		{"no addressee", func(n *forms.Notice) { n.Operator.Name = "" }, "addressee"},
		{"no targets", func(n *forms.Notice) { n.Targets = nil }, "targets"},
		{"empty target", func(n *forms.Notice) { n.Targets = []string{"https://a.example/", " "} }, "targets[1]"},
		{"no reasons", func(n *forms.Notice) { n.Reasons = "" }, "reasons"},
		{"no legal basis", func(n *forms.Notice) { n.LegalBasis = "" }, "legal_basis"},
		{"no redress", func(n *forms.Notice) { n.Redress = "" }, "redress"},
		{"negative deadline", func(n *forms.Notice) { n.Deadline = -time.Hour }, "deadline"},
		{"order without category", func(n *forms.Notice) { n.Offence.Category = "" }, "category"},
		{"unknown category", func(n *forms.Notice) { n.Offence.Category = "propaganda" }, "category"},
		{"non-disclosure without end", func(n *forms.Notice) { n.NonDisclosureUntil = nil }, "non_disclosure_until"},
		{"end without non-disclosure", func(n *forms.Notice) { n.NonDisclosure = false }, "non_disclosure_until"},
		{"non-disclosure on a request", func(n *forms.Notice) { n.Kind = takedown.RemovalRequest }, "non_disclosure"},
		{"emergency on a request", func(n *forms.Notice) {
			n.Kind, n.NonDisclosure, n.NonDisclosureUntil, n.Emergency = takedown.RemovalRequest, false, nil, "urgent"
		}, "emergency"},
		{"advance information needs no reasons", func(n *forms.Notice) { n.Purpose, n.Reasons = takedown.PurposeAdvanceInformation, "" }, ""},
		{"a withdrawal needs no redress", func(n *forms.Notice) { n.Purpose, n.Redress = takedown.PurposeWithdrawal, "" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := order(t)
			tc.change(&n)
			err := n.Validate()
			if got := takedown.ErrorField(err); got != tc.field || (tc.field != "" && takedown.ErrorCode(err) != takedown.EINVALID) {
				t.Errorf("Validate() = %v, want an invalid %q", err, tc.field)
			}
		})
	}
}

// TestComplete proves that a notice missing a field its profile requires is refused, and
// that the end of a non-disclosure is required only with one.
func TestComplete(t *testing.T) {
	rule, _ := procedure.Default().Measure(takedown.RemovalOrder)
	n := order(t)
	n.Authority.MemberState = ""
	if err := n.Complete(rule.Form); takedown.ErrorField(err) != "authority_member_state" {
		t.Errorf("Complete without the Member State = %v", err)
	}
	n = order(t)
	n.NonDisclosure, n.NonDisclosureUntil = false, nil
	if err := n.Complete(rule.Form); err != nil {
		t.Errorf("Complete without non-disclosure = %v", err)
	}
}

// TestHowToAnswer proves that each form offers exactly the answers casework accepts for
// it, and that on a removal order comply is Annex II and cannot_comply Annex III.
func TestHowToAnswer(t *testing.T) {
	all := []string{"acknowledge", "comply", "cannot_comply/force_majeure", "cannot_comply/manifest_error", "cannot_comply/insufficient_information", "dispute"}
	for _, tc := range []struct {
		kind    takedown.MeasureKind
		purpose takedown.Purpose
		want    []string
	}{
		{takedown.RemovalOrder, takedown.PurposeAction, all},
		{takedown.RemovalRequest, takedown.PurposeAction, all},
		{takedown.Blocking, takedown.PurposeAction, all},
		{takedown.Referral, takedown.PurposeAction, []string{"acknowledge", "comply", "decline"}},
		{takedown.Blocking, takedown.PurposeRestoration, []string{"acknowledge", "comply"}},
		{takedown.RemovalRequest, takedown.PurposeInformation, []string{"acknowledge"}},
		{takedown.RemovalOrder, takedown.PurposeAdvanceInformation, []string{"acknowledge"}},
		{takedown.RemovalOrder, takedown.PurposeWithdrawal, []string{"acknowledge"}},
	} {
		t.Run(string(tc.kind)+"/"+string(tc.purpose), func(t *testing.T) {
			var got []string
			for _, a := range forms.HowToAnswer(forms.Notice{Kind: tc.kind, Purpose: tc.purpose}) {
				s := string(a.Kind)
				if a.Reason != "" {
					s += "/" + string(a.Reason)
				}
				got = append(got, s)
				wantAnnex := ""
				if tc.kind == takedown.RemovalOrder && tc.purpose == takedown.PurposeAction {
					wantAnnex = map[takedown.AnswerKind]string{takedown.AnswerComply: "II", takedown.AnswerCannotComply: "III"}[a.Kind]
				}
				if a.Annex != wantAnnex {
					t.Errorf("%s: annex %q, want %q", s, a.Annex, wantAnnex)
				}
				if a.Label == "" || a.Help == "" {
					t.Errorf("%s has no label or help", s)
				}
				// Each option is an answer the domain accepts.
				in := takedown.AnswerInput{Kind: a.Kind, Reason: a.Reason, Text: "synthetic"}
				if err := in.Validate(); err != nil {
					t.Errorf("%s is not a valid answer: %v", s, err)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("answers = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEveryForm renders every kind and purpose in both languages in the four formats:
// each has its form id, a title and, in JSON, the members the documentation promises.
func TestEveryForm(t *testing.T) {
	for _, kind := range takedown.MeasureKinds {
		for _, purpose := range takedown.Purposes {
			for _, lang := range []string{"fr", "en", "de"} {
				t.Run(string(kind)+"/"+string(purpose)+"/"+lang, func(t *testing.T) {
					n := order(t)
					n.Kind, n.Purpose, n.Language = kind, purpose, lang
					if kind != takedown.RemovalOrder {
						n.NonDisclosure, n.NonDisclosureUntil, n.Offence.Category = false, nil, ""
					}
					if err := n.Validate(); err != nil {
						t.Fatal(err)
					}
					out := renderAll(t, n)
					var doc map[string]any
					if err := json.Unmarshal(out.json, &doc); err != nil {
						t.Fatalf("invalid JSON: %v", err)
					}
					wantLang := map[string]string{"fr": "fr", "en": "en", "de": "en"}[lang]
					if doc["form"] != forms.FormID(kind, purpose) || doc["version"] != float64(forms.Version) || doc["language"] != wantLang {
						t.Errorf("form %v version %v language %v", doc["form"], doc["version"], doc["language"])
					}
					for _, member := range []string{"title", "intro", "kind", "purpose", "reference", "issued_at", "targets", "answers"} {
						if v, ok := doc[member]; !ok || v == "" {
							t.Errorf("JSON lacks %s", member)
						}
					}
					title := forms.Title(n)
					if !strings.Contains(string(out.html), `<html lang="`+wantLang+`">`) || !strings.Contains(string(out.html), html.EscapeString(title)) {
						t.Errorf("HTML lacks its language or title %q", title)
					}
					if !strings.HasPrefix(string(out.text), title+"\n") {
						t.Errorf("text does not start with its title %q", title)
					}
					if strings.Contains(title, "%!") || strings.Contains(string(out.text), "%!") {
						t.Errorf("a text was formatted with the wrong arguments: %s", out.text)
					}
				})
			}
		}
	}
}

// TestFormID pins the form ids operators' software relies on.
func TestFormID(t *testing.T) {
	for _, tc := range []struct {
		kind    takedown.MeasureKind
		purpose takedown.Purpose
		want    string
	}{
		{takedown.RemovalOrder, takedown.PurposeAction, "tco_annex_i"},
		{takedown.RemovalRequest, takedown.PurposeAction, "lcen_6_1_removal_request"},
		{takedown.Referral, takedown.PurposeAction, "referral"},
		{takedown.Blocking, takedown.PurposeAction, "lcen_6_1_blocking"},
		{takedown.Dereferencing, takedown.PurposeAction, "lcen_6_1_dereferencing"},
		{takedown.RemovalRequest, takedown.PurposeInformation, "information"},
		{takedown.RemovalOrder, takedown.PurposeAdvanceInformation, "tco_advance_information"},
		{takedown.Blocking, takedown.PurposeWithdrawal, "withdrawal"},
		{takedown.Blocking, takedown.PurposeRestoration, "restoration"},
		{"unknown", takedown.PurposeAction, "notice"},
	} {
		if got := forms.FormID(tc.kind, tc.purpose); got != tc.want {
			t.Errorf("FormID(%s, %s) = %q, want %q", tc.kind, tc.purpose, got, tc.want)
		}
	}
}

// TestFieldsShape checks what the renderers rely on: names are unique snake_case, each
// field has a label in both languages, and the category shows all five tick boxes of
// Annex I with exactly the offence's ticked.
func TestFieldsShape(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for _, lang := range []string{"fr", "en"} {
		n := order(t)
		n.Language = lang
		n.Ending, n.Emergency, n.DeadlineAt = "synthetic", "synthetic", ptr(n.IssuedAt.Add(time.Hour))
		seen := map[string]bool{}
		for _, f := range forms.Fields(n) {
			if !snake.MatchString(f.Name) || seen[f.Name] {
				t.Errorf("field name %q is not unique snake_case", f.Name)
			}
			seen[f.Name] = true
			if f.Label == "" || strings.HasPrefix(f.Label, "field.") {
				t.Errorf("%s: field %s has no label", lang, f.Name)
			}
			if f.Name == "category" {
				var codes, ticked []string
				for _, o := range f.Options {
					codes = append(codes, o.Code)
					if o.Checked {
						ticked = append(ticked, o.Code)
					}
				}
				if !slices.Equal(codes, procedure.Categories) || !reflect.DeepEqual(ticked, []string{"incitement"}) {
					t.Errorf("category boxes %v, ticked %v", codes, ticked)
				}
			}
		}
		if len(seen) < 25 {
			t.Errorf("%s: only %d fields on a full order", lang, len(seen))
		}
	}
}
