package forms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes the notice as a JSON object for operators' software: "form" and "version"
// say what it is, then "language", "title", "intro", "kind" and "purpose", then one
// member per field of Fields, named by Field.Name and in the same order, holding
// Field.Data, and last "answers", the answers the operator may send. docs/forms.md
// documents every member.
func JSON(w io.Writer, n Notice) error {
	d := newDocument(n)
	var buf bytes.Buffer
	buf.WriteByte('{')
	member := func(name string, v any) error {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		b, err := marshal(name)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte(':')
		if b, err = marshal(v); err != nil {
			return fmt.Errorf("forms: json: %s: %w", name, err)
		}
		buf.Write(b)
		return nil
	}
	type answer struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason,omitempty"`
		Annex  string `json:"annex,omitempty"`
		Label  string `json:"label"`
		Help   string `json:"help"`
	}
	answers := make([]answer, len(d.Answers))
	for i, a := range d.Answers {
		answers[i] = answer{Kind: string(a.Kind), Reason: string(a.Reason), Annex: a.Annex, Label: a.Label, Help: a.Help}
	}
	head := []struct {
		name string
		v    any
	}{
		{"form", d.Form}, {"version", Version}, {"language", d.Lang}, {"title", d.Title}, {"intro", d.Intro},
		{"kind", string(n.Kind)}, {"purpose", string(n.Purpose)},
	}
	for _, m := range head {
		if err := member(m.name, m.v); err != nil {
			return err
		}
	}
	for _, s := range d.Sections {
		for _, f := range s.Fields {
			if err := member(f.Name, f.Data); err != nil {
				return err
			}
		}
	}
	if err := member("answers", answers); err != nil {
		return err
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return fmt.Errorf("forms: json: %w", err)
	}
	out.WriteByte('\n')
	if _, err := out.WriteTo(w); err != nil {
		return fmt.Errorf("forms: json: %w", err)
	}
	return nil
}

// marshal encodes v without escaping <, > and &: the document is read by programs and
// people, not embedded in HTML.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
