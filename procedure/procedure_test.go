package procedure_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// TestDefaultProfile proves that the embedded France profile parses and carries the law's
// numbers: only the offences the law lists, each with a checklist, and the deadlines of LCEN
// art. 6-1, its decrees and the TCO Regulation.
func TestDefaultProfile(t *testing.T) {
	p := procedure.Default()
	if p.ID != procedure.DefaultID || p.Location().String() != "Europe/Paris" || p.RecheckMonths != 3 {
		t.Fatalf("default profile: id %s zone %s recheck %d", p.ID, p.Location(), p.RecheckMonths)
	}
	if got, want := p.OffenceCodes(), []string{"terrorism-provocation", "terrorism-apology", "csam"}; !slices.Equal(got, want) {
		t.Errorf("offences = %v, want exactly %v", got, want)
	}
	for _, o := range p.Offences {
		if len(o.Elements) == 0 {
			t.Errorf("offence %s has no elements", o.Code)
		}
		for _, e := range o.Elements {
			if e.Label.In("fr") == "" || e.Label.In("en") == "" {
				t.Errorf("offence %s element %s has no label", o.Code, e.ID)
			}
		}
		if o.LegalBasis["fr"] == "" || o.LegalBasis["en"] == "" {
			t.Errorf("offence %s lacks a French or English legal basis", o.Code)
		}
	}
	for _, tc := range []struct {
		kind                           takedown.MeasureKind
		deadline, advance, restoration time.Duration
		secondApproval, afterRemoval   bool
	}{
		{takedown.RemovalRequest, 24 * time.Hour, 0, 0, false, false},
		{takedown.RemovalOrder, time.Hour, 12 * time.Hour, 0, false, false},
		{takedown.Referral, 0, 0, 0, false, false},
		{takedown.Blocking, 24 * time.Hour, 0, 24 * time.Hour, true, true},
		{takedown.Dereferencing, 48 * time.Hour, 0, 48 * time.Hour, true, true},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			m, ok := p.Measure(tc.kind)
			if !ok {
				t.Fatalf("no %s in the default profile", tc.kind)
			}
			if m.Deadline.Duration != tc.deadline || m.AdvanceInformation.Duration != tc.advance ||
				m.RestorationDeadline.Duration != tc.restoration || m.SecondApproval != tc.secondApproval || m.AfterRemoval != tc.afterRemoval {
				t.Errorf("%s = %+v", tc.kind, m)
			}
			if m.LegalBasis["fr"] == "" || m.Redress["fr"] == "" {
				t.Errorf("%s lacks a French legal basis or redress", tc.kind)
			}
		})
	}
	if m, _ := p.Measure(takedown.RemovalRequest); !slices.Equal(m.Inform, []takedown.OperatorKind{takedown.KindISP}) {
		t.Errorf("removal requests inform %v, want the ISPs", m.Inform)
	}

	// Terrorist offences carry their TCO art. 2(7) category; child sexual abuse material is
	// outside the TCO Regulation and has none.
	for code, want := range map[string]string{
		"terrorism-provocation": procedure.CategoryIncitement,
		"terrorism-apology":     procedure.CategoryIncitement,
		"csam":                  "",
	} {
		if o, _ := p.Offence(code); o.Category != want {
			t.Errorf("offence %s category = %q, want %q", code, o.Category, want)
		}
	}
	// The forms the law prescribes list their required fields (delivery/forms checks the
	// names); the others have none.
	for _, kind := range takedown.MeasureKinds {
		m, _ := p.Measure(kind)
		wantForm := kind == takedown.RemovalRequest || kind == takedown.RemovalOrder
		if got := len(m.Form) > 0; got != wantForm {
			t.Errorf("%s form = %v, want a list: %v", kind, m.Form, wantForm)
		}
	}
	if m, _ := p.Measure(takedown.RemovalOrder); !slices.Contains(m.Form, "category") || !slices.Contains(m.Form, "non_disclosure_until") {
		t.Errorf("removal order form = %v, want the art. 2(7) category and the non-disclosure's end", m.Form)
	}
}

// TestLoad proves how profiles are found: by built-in id, or by file path; an unknown id
// names the built-in ones.
func TestLoad(t *testing.T) {
	p, err := procedure.Load("fr")
	if err != nil || p.ID != "fr" {
		t.Fatalf("Load(fr) = %v, %v", p, err)
	}
	if !slices.Contains(procedure.EmbeddedIDs(), "fr") {
		t.Errorf("built-in ids = %v", procedure.EmbeddedIDs())
	}
	_, err = procedure.Load("does-not-exist")
	if err == nil || !strings.Contains(err.Error(), `"does-not-exist"`) || !strings.Contains(err.Error(), "built in: fr") {
		t.Errorf("Load(does-not-exist) error = %v, want one naming the built-in profiles", err)
	}
	_, err = procedure.Load("testdata/missing.json")
	if err == nil {
		t.Error("Load of a missing file succeeded")
	}

	// Another jurisdiction is a file, not code.
	ex, err := procedure.Load("testdata/example-jurisdiction.json")
	if err != nil {
		t.Fatal(err)
	}
	if ex.ID != "exampleland" || ex.Authority != "Example Internet Referral Office" || ex.Location().String() != "Europe/Brussels" || ex.RecheckMonths != 1 {
		t.Errorf("example profile: %s %s %s %d", ex.ID, ex.Authority, ex.Location(), ex.RecheckMonths)
	}
	if got, want := ex.OffenceCodes(), []string{"terrorism-provocation", "csam"}; !slices.Equal(got, want) {
		t.Errorf("example offences = %v, want %v", got, want)
	}
	for _, kind := range []takedown.MeasureKind{takedown.RemovalOrder, takedown.Referral, takedown.Dereferencing} {
		if _, ok := ex.Measure(kind); ok {
			t.Errorf("example profile has %s", kind)
		}
	}
	if m, _ := ex.Measure(takedown.Blocking); m.SecondApproval || m.AfterRemoval || m.Deadline.Duration != 6*time.Hour {
		t.Errorf("example blocking = %+v", m)
	}
}

// validProfile is a small profile that Parse accepts; each case of TestParseRejects breaks
// one thing in it.
const validProfile = `{
  "id": "test", "name": "Test", "authority": "Test Office", "time_zone": "Europe/Paris", "recheck_months": 3,
  "offences": [
    {"code": "csam", "title": {"en": "CSAM"}, "legal_basis": {"en": "Section 1"}, "dsa_category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
     "elements": [
       {"id": "minor", "type": "confirm", "label": {"en": "A minor is depicted"}},
       {"id": "kind", "type": "choose", "options": ["image", "text"], "require": "image", "label": {"en": "Kind"}}
     ]}
  ],
  "measures": {
    "removal_request": {"recipients": ["host"], "deadline": "24h", "inform": ["isp"],
      "legal_basis": {"en": "Section 2"}, "redress": {"en": "Court"}},
    "referral": {"recipients": ["platform"], "legal_basis": {"en": "Terms"}, "redress": {"en": "Platform"}},
    "blocking": {"recipients": ["isp"], "deadline": "24h", "restoration_deadline": "24h",
      "legal_basis": {"en": "Section 3"}, "redress": {"en": "Court"}}
  }
}`

// TestParseRejects proves that a broken profile is refused with a message that names the
// problem, so that an authority cannot run a procedure its profile does not describe.
func TestParseRejects(t *testing.T) {
	if _, err := procedure.Parse([]byte(validProfile)); err != nil {
		t.Fatalf("the base profile is refused: %v", err)
	}
	type obj = map[string]any
	offence := func(p obj) obj { return p["offences"].([]any)[0].(obj) }
	element := func(p obj, i int) obj { return offence(p)["elements"].([]any)[i].(obj) }
	measure := func(p obj, kind string) obj { return p["measures"].(obj)[kind].(obj) }
	for _, tc := range []struct {
		name   string
		change func(p obj)
		want   string
	}{
		{"unknown field", func(p obj) { p["colour"] = "blue" }, `unknown field "colour"`},
		{"unknown nested field", func(p obj) { measure(p, "blocking")["dealine"] = "24h" }, `unknown field "dealine"`},
		{"missing id", func(p obj) { delete(p, "id") }, "id, name and authority are required"},
		{"missing authority", func(p obj) { p["authority"] = "" }, "id, name and authority are required"},
		{"bad time zone", func(p obj) { p["time_zone"] = "Mars/Olympus_Mons" }, `time_zone "Mars/Olympus_Mons" is not an IANA time zone`},
		{"no time zone", func(p obj) { delete(p, "time_zone") }, "is not an IANA time zone"},
		{"recheck_months 0", func(p obj) { p["recheck_months"] = 0 }, "recheck_months must be between 1 and 12"},
		{"recheck_months 13", func(p obj) { p["recheck_months"] = 13 }, "recheck_months must be between 1 and 12"},
		{"no offences", func(p obj) { p["offences"] = []any{} }, "at least one offence is required"},
		{"duplicate offence code", func(p obj) { p["offences"] = append(p["offences"].([]any), offence(p)) }, `offence code "csam" is empty or repeated`},
		{"unknown category", func(p obj) { offence(p)["category"] = "propaganda" }, `offence csam: category "propaganda" is not one of incitement, solicitation`},
		{"no DSA category", func(p obj) { delete(offence(p), "dsa_category") }, `offence csam: dsa_category "" is not one of STATEMENT_CATEGORY_ANIMAL_WELFARE`},
		{"unknown DSA keyword", func(p obj) { offence(p)["dsa_keywords"] = []any{"csam"} }, `offence csam: dsa_keywords: "csam" is not a keyword`},
		{"repeated form field", func(p obj) { measure(p, "blocking")["form"] = []any{"reference", "reference"} }, `measure blocking: form field "reference" is empty or repeated`},
		{"empty form field", func(p obj) { measure(p, "blocking")["form"] = []any{""} }, `form field "" is empty or repeated`},
		{"offence without elements", func(p obj) { offence(p)["elements"] = []any{} }, "at least one legal element is required"},
		{"element with unknown type", func(p obj) { element(p, 0)["type"] = "guess" }, "element minor: type must be confirm, describe or choose"},
		{"choose element with one option", func(p obj) { element(p, 1)["options"] = []any{"image"} }, "element kind: a choose element needs at least two options"},
		{"require not among options", func(p obj) { element(p, 1)["require"] = "video" }, `element kind: require "video" is not one of the options`},
		{"options on a confirm element", func(p obj) { element(p, 0)["options"] = []any{"a", "b"} }, "options and require are for choose elements"},
		{"element without English label", func(p obj) { element(p, 0)["label"] = obj{"fr": "Mineur"} }, "element minor: label needs an English (en) text"},
		{"offence without English legal basis", func(p obj) { offence(p)["legal_basis"] = obj{"fr": "Article 1"} }, "offence csam: title and legal_basis need at least an English (en) text"},
		{"measure without English legal basis", func(p obj) { measure(p, "blocking")["legal_basis"] = obj{"fr": "Article 3"} }, "measure blocking: legal_basis and redress need at least an English (en) text"},
		{"no measures", func(p obj) { p["measures"] = obj{} }, "at least one measure is required"},
		{"unknown measure kind", func(p obj) { p["measures"].(obj)["takedown_notice"] = measure(p, "referral") }, `unknown measure kind "takedown_notice"`},
		{"unknown recipient kind", func(p obj) { measure(p, "removal_request")["recipients"] = []any{"cdn"} }, `measure removal_request: unknown operator kind "cdn"`},
		{"unknown informed kind", func(p obj) { measure(p, "removal_request")["inform"] = []any{"registrar"} }, `unknown operator kind "registrar"`},
		{"no recipients", func(p obj) { measure(p, "blocking")["recipients"] = []any{} }, "measure blocking: recipients are required"},
		{"negative duration", func(p obj) { measure(p, "blocking")["restoration_deadline"] = "-1h" }, "measure blocking: durations must not be negative"},
		{"duration without unit", func(p obj) { measure(p, "blocking")["deadline"] = "24" }, "missing unit"},
		{"duration as a number", func(p obj) { measure(p, "blocking")["deadline"] = 24 }, `a string such as "24h"`},
		{"referral with a deadline", func(p obj) { measure(p, "referral")["deadline"] = "24h" }, "a referral has no deadline"},
		{"removal request without a deadline", func(p obj) { delete(measure(p, "removal_request"), "deadline") }, "measure removal_request: deadline is required"},
		{"blocking without restoration deadline", func(p obj) { delete(measure(p, "blocking"), "restoration_deadline") }, "measure blocking: restoration_deadline is required for lists"},
		{"restoration on a removal request", func(p obj) { measure(p, "removal_request")["restoration_deadline"] = "1h" }, "restoration_deadline and after_removal are for blocking and dereferencing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p obj
			if err := json.Unmarshal([]byte(validProfile), &p); err != nil {
				t.Fatal(err)
			}
			tc.change(p)
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := procedure.Parse(b)
			if err == nil {
				t.Fatalf("Parse accepted the profile: %+v", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
		})
	}

	t.Run("the machine's local zone", func(t *testing.T) {
		b := []byte(strings.Replace(validProfile, `"Europe/Paris"`, `"Local"`, 1))
		if _, err := procedure.Parse(b); err == nil {
			t.Error(`Parse accepted time_zone "Local"`)
		}
	})

	t.Run("trailing data", func(t *testing.T) {
		for _, tail := range []string{`{"id": "second"}`, `garbage`} {
			if _, err := procedure.Parse([]byte(validProfile + "\n" + tail)); err == nil {
				t.Errorf("Parse accepted a profile followed by %q", tail)
			}
		}
	})
}
