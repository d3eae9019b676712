package forms

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// Field is one labelled line of a form. Every renderer shows the fields Fields returns,
// in that order, so a field the law requires appears in all four formats or in none.
type Field struct {
	// Name is stable snake_case: the key in the JSON document and the name a procedure
	// profile's form list uses.
	Name string
	// Section groups consecutive fields under a heading (identification, authority,
	// content, obligation, content_provider, redress, follow_up).
	Section string
	// Label is the field's label in the notice's language.
	Label string
	// Value is the value as shown, in the notice's language; a list's items are joined
	// by newlines.
	Value string
	// List holds a list's items (targets), shown one a line.
	List []string
	// Options holds, for a field shown as tick boxes (category), every box; Value is the
	// ticked one's label.
	Options []Option
	// Data is the machine value written in the JSON document: a string, a number, a
	// boolean, a list of strings, or an RFC 3339 time.
	Data any
}

// Option is one tick box of a field.
type Option struct {
	Code    string
	Label   string
	Checked bool
}

// Fields returns the form's fields in order. It shows what the notice holds and leaves
// out optional fields that are empty; Validate says whether the notice is complete.
func Fields(n Notice) []Field {
	l := language(n.Language)
	loc := location(n)
	var fs []Field
	add := func(section, name, value string, data any) {
		fs = append(fs, Field{Name: name, Section: section, Label: l.t("field." + name), Value: value, Data: data})
	}
	addText := func(section, name, value string) {
		if strings.TrimSpace(value) != "" {
			add(section, name, value, value)
		}
	}

	const ident, auth, content, oblig, provider, redress, follow = "identification", "authority", "content", "obligation", "content_provider", "redress", "follow_up"
	add(ident, "reference", n.Reference, n.Reference)
	add(ident, "issued_at", formatTime(l, n.IssuedAt, loc), n.IssuedAt.In(loc).Format(time.RFC3339))
	add(ident, "measure", capitalise(measureName(l, n.Kind)), string(n.Kind))
	add(ident, "addressee", n.Operator.Name, n.Operator.Name)
	addText(ident, "addressee_contact", n.Operator.Contact)
	addText(ident, "legal_representative", n.Operator.LegalRepresentative)

	add(auth, "authority", n.Authority.Name, n.Authority.Name)
	addText(auth, "authority_member_state", n.Authority.MemberState)
	addText(auth, "authority_representative", n.Authority.Representative)
	addText(auth, "authority_address", n.Authority.Address)
	addText(auth, "authority_email", n.Authority.Email)
	addText(auth, "authority_phone", n.Authority.Phone)

	targets := Field{Name: "targets", Section: content, Label: l.t("field.targets"), Value: strings.Join(n.Targets, "\n"),
		List: n.Targets, Data: nonNil(n.Targets)}
	if n.Kind == takedown.Blocking {
		targets.Label = l.t("field.targets.blocking")
	}
	fs = append(fs, targets)
	if n.Offence.Title != "" || n.Offence.Code != "" {
		title := n.Offence.Title
		if title == "" {
			title = n.Offence.Code
		}
		add(content, "offence", title, map[string]string{"code": n.Offence.Code, "title": n.Offence.Title})
	}
	addText(content, "offence_legal_basis", n.Offence.LegalBasis)
	if n.Offence.Category != "" || n.Kind == takedown.RemovalOrder {
		f := Field{Name: "category", Section: content, Label: l.t("field.category"), Data: n.Offence.Category}
		for _, c := range procedure.Categories {
			o := Option{Code: c, Label: l.t("category." + c), Checked: c == n.Offence.Category}
			if o.Checked {
				f.Value = o.Label
			}
			f.Options = append(f.Options, o)
		}
		if f.Value == "" {
			f.Value = n.Offence.Category // an unknown code, shown as it is
		}
		fs = append(fs, f)
	}
	addText(content, "reasons", n.Reasons)
	addText(content, "ending", n.Ending)
	addText(content, "clarification", n.Clarification)

	if n.Deadline > 0 {
		add(oblig, "deadline", formatDeadline(l, n.Deadline), formatDuration(n.Deadline))
	}
	if n.DeadlineAt != nil {
		add(oblig, "deadline_at", formatTime(l, *n.DeadlineAt, loc), n.DeadlineAt.In(loc).Format(time.RFC3339))
	}
	addText(oblig, "legal_basis", n.LegalBasis)
	addText(oblig, "emergency", n.Emergency)

	if n.Kind == takedown.RemovalOrder || n.NonDisclosure {
		v := l.t("non_disclosure.no")
		if n.NonDisclosure {
			v = l.t("non_disclosure.yes")
		}
		add(provider, "non_disclosure", v, n.NonDisclosure)
	}
	if n.NonDisclosureUntil != nil {
		add(provider, "non_disclosure_until", formatTime(l, *n.NonDisclosureUntil, loc), n.NonDisclosureUntil.In(loc).Format(time.RFC3339))
	}

	addText(redress, "redress", n.Redress)

	addText(follow, "answer_url", n.AnswerURL)
	for _, id := range []struct {
		name string
		v    int64
	}{{"delivery_id", n.DeliveryID}, {"measure_id", n.MeasureID}, {"case_id", n.CaseID}} {
		if id.v != 0 {
			add(follow, id.name, strconv.FormatInt(id.v, 10), id.v)
		}
	}
	return fs
}

// Title is the form's title in the notice's language.
func Title(n Notice) string {
	l := language(n.Language)
	switch id := FormID(n.Kind, n.Purpose); id {
	case FormInformation, FormWithdrawal, FormRestoration, formUnknown:
		return l.t("title."+id, measureName(l, n.Kind))
	default:
		return l.t("title." + id)
	}
}

// intro says what the notice is and what the operator must do.
func intro(n Notice) string {
	return language(n.Language).t("intro." + FormID(n.Kind, n.Purpose))
}

// sectionHeading is a section's heading; on a removal order it names the section of the
// Annex I form it corresponds to, so an operator used to the official form finds its way.
func sectionHeading(n Notice, section string) string {
	l := language(n.Language)
	h := l.t("section." + section)
	if FormID(n.Kind, n.Purpose) != FormRemovalOrder {
		return h
	}
	annex := map[string]string{"identification": "A", "content": "B", "content_provider": "C", "authority": "E", "follow_up": "F", "redress": "G"}
	if s, ok := annex[section]; ok {
		h += " (" + l.t("annex_section", s) + ")"
	}
	return h
}

// footer names the form and its version, so a printed copy says what it is.
func footer(n Notice) string {
	return language(n.Language).t("form_footer", FormID(n.Kind, n.Purpose), Version)
}

// AnswerOption is one answer the operator may give, as the "How to answer" section
// lists it: the kind and reason to send (takedown.AnswerInput), a label, what the text
// must say, and the TCO annex the answer stands for on a removal order.
type AnswerOption struct {
	Kind   takedown.AnswerKind
	Reason takedown.CannotComplyReason
	// Annex is "II" (feedback after removal) or "III" (inability to comply) on a removal
	// order; empty otherwise.
	Annex string
	Label string
	Help  string
}

// HowToAnswer lists the answers the operator may give to the notice, in the order a form
// shows them. They are the answers casework accepts for the notice's kind and purpose:
// information, advance information and withdrawal are only acknowledged; a restoration is
// acknowledged and complied with; a referral is complied with or declined; any other
// action may also be answered with cannot_comply (TCO Annex III) or disputed.
func HowToAnswer(n Notice) []AnswerOption {
	l := language(n.Language)
	tco := n.Kind == takedown.RemovalOrder
	ack := AnswerOption{Kind: takedown.AnswerAcknowledge, Label: l.t("answer.acknowledge"), Help: l.t("answer.acknowledge.help")}
	if n.Deadline > 0 && n.DeadlineAt == nil && (n.Purpose == takedown.PurposeAction || n.Purpose == takedown.PurposeRestoration) {
		ack.Help = l.t("answer.acknowledge.clock")
	}
	comply := AnswerOption{Kind: takedown.AnswerComply, Label: l.t("answer.comply"), Help: l.t("answer.comply.help")}
	if tco && n.Purpose == takedown.PurposeAction {
		comply = AnswerOption{Kind: takedown.AnswerComply, Annex: "II", Label: l.t("answer.comply.tco"), Help: l.t("answer.comply.tco.help")}
	}
	switch {
	case n.Purpose == takedown.PurposeRestoration:
		return []AnswerOption{ack, comply}
	case n.Purpose != takedown.PurposeAction:
		return []AnswerOption{ack}
	case n.Kind == takedown.Referral:
		return []AnswerOption{ack, comply, {Kind: takedown.AnswerDecline, Label: l.t("answer.decline"), Help: l.t("answer.decline.help")}}
	}
	opts := []AnswerOption{ack, comply}
	for _, r := range takedown.CannotComplyReasons {
		o := AnswerOption{Kind: takedown.AnswerCannotComply, Reason: r, Label: l.t("answer." + string(r)), Help: l.t("answer." + string(r) + ".help")}
		if tco {
			o.Annex = "III"
			o.Help = strings.TrimSuffix(o.Help, ".") + " (" + l.t("answer.tco."+string(r)) + ")."
		}
		opts = append(opts, o)
	}
	return append(opts, AnswerOption{Kind: takedown.AnswerDispute, Label: l.t("answer.dispute"), Help: l.t("answer.dispute.help")})
}

// Code is how an answer is sent: its kind, and its reason if any.
func (o AnswerOption) Code() string {
	if o.Reason != "" {
		return fmt.Sprintf("kind=%s, reason=%s", o.Kind, o.Reason)
	}
	return "kind=" + string(o.Kind)
}

func measureName(l lang, kind takedown.MeasureKind) string {
	if s, ok := texts["kind."+string(kind)]; ok {
		return s[l]
	}
	return string(kind)
}

func location(n Notice) *time.Location {
	if n.Location == nil {
		return time.UTC
	}
	return n.Location
}

// formatTime writes a time with its offset and zone name, so that a deadline cannot be
// misread across time zones.
func formatTime(l lang, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	layout := "2006-01-02 15:04"
	if l == french {
		layout = "02/01/2006 15:04"
	}
	return fmt.Sprintf("%s (UTC%s, %s)", t.Format(layout), t.Format("-07:00"), loc)
}

// formatDeadline says the deadline in words: hours when it is whole hours, else minutes.
func formatDeadline(l lang, d time.Duration) string {
	switch {
	case d == time.Hour:
		return l.t("deadline.hour")
	case d%time.Hour == 0:
		return l.t("deadline.hours", int64(d/time.Hour))
	}
	return l.t("deadline.minutes", int64((d+time.Minute-1)/time.Minute))
}

// formatDuration writes a duration as a profile does ("24h", "90m", not "24h0m0s").
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
