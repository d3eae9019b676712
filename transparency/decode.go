package transparency

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/takedown-project/takedown"
)

// decode reads the fields the figures need from an event's data. A year holds millions of
// events and encoding/json took a third of the time of the figures (docs/performance.md), so
// a small scanner reads the flat objects the casework writes, and hands anything it does not
// expect (an escaped string, a field of another type) to encoding/json, whose reading is
// the reference: the tests check that both agree.
func decode(e *takedown.Event) eventData {
	if d, ok := scanData(e.Data); ok {
		return d
	}
	var d eventData
	_ = json.Unmarshal(e.Data, &d) // a field that does not decode is missing, and counted so
	d.targets = len(d.Targets)
	d.Targets = nil
	return d
}

// scanData reads a JSON object's top-level fields; false when it meets anything it leaves
// to encoding/json.
func scanData(b []byte) (d eventData, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return d, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return d, skipSpace(b, i+1) == len(b)
	}
	for {
		key, next, ok := scanString(b, i)
		if !ok {
			return d, false
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return d, false
		}
		i = skipSpace(b, i+1)
		end, ok := skipValue(b, i)
		if !ok {
			return d, false
		}
		if !d.set(key, b[i:end]) {
			return d, false
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return d, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return d, skipSpace(b, i+1) == len(b)
		default:
			return d, false
		}
	}
}

// dataKeys are the fields set reads.
var dataKeys = []string{"channel", "offence", "outcome", "name", "kind", "purpose", "answer", "report_id", "delivery_id",
	"complaint_id", "recommendation_id", "follow", "deadline_at", "targets"}

// set stores one field's value; false for a value it leaves to encoding/json.
func (d *eventData) set(key string, v []byte) bool {
	null := string(v) == "null"
	str := func() (string, bool) {
		s, end, ok := scanString(v, 0)
		return s, ok && end == len(v)
	}
	num := func() (*int64, bool) {
		if null {
			return nil, true
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		return &n, err == nil
	}
	text := func(p **string) bool {
		if null {
			return true
		}
		s, ok := str()
		*p = &s
		return ok
	}
	var ok bool
	switch key {
	case "channel":
		return text(&d.Channel)
	case "offence":
		return text(&d.Offence)
	case "outcome":
		return text(&d.Outcome)
	case "name":
		return text(&d.Name)
	case "kind", "purpose", "answer":
		var s *string
		if !text(&s) {
			return false
		}
		if s != nil {
			switch key {
			case "kind":
				k := takedown.MeasureKind(*s)
				d.Kind = &k
			case "purpose":
				p := takedown.Purpose(*s)
				d.Purpose = &p
			case "answer":
				a := takedown.AnswerKind(*s)
				d.Answer = &a
			}
		}
		return true
	case "report_id":
		d.ReportID, ok = num()
	case "delivery_id":
		d.DeliveryID, ok = num()
	case "complaint_id":
		d.Complaint, ok = num()
	case "recommendation_id":
		d.Recommend, ok = num()
	case "follow":
		switch string(v) {
		case "true", "false":
			f := string(v) == "true"
			d.Follow = &f
		case "null":
		default:
			return false
		}
		return true
	case "deadline_at":
		if null {
			return true
		}
		s, ok := str()
		if !ok {
			return false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return false
		}
		d.DeadlineAt = &t
		return true
	case "targets":
		if null {
			d.targets = 0
			return true
		}
		n, ok := countElements(v)
		d.targets = n
		return ok
	default:
		// A field the figures do not read, unless encoding/json would take it for one of
		// theirs: it matches names without regard to case.
		for _, k := range dataKeys {
			if strings.EqualFold(key, k) {
				return false
			}
		}
		return true
	}
	return ok
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString reads a string without escapes at b[i]; false for one with escapes or with
// bytes that are not UTF-8.
func scanString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			if !utf8.Valid(b[i+1 : j]) {
				return "", j, false // encoding/json replaces invalid bytes
			}
			return string(b[i+1 : j]), j + 1, true
		case c == '\\' || c < 0x20:
			return "", j, false
		}
	}
	return "", len(b), false
}

// skipValue returns the end of the value at b[i]: a string (escapes allowed), an object or
// an array (nesting followed), or a literal or number.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			k := j + 1
			for ; k < len(b) && b[k] != '"'; k++ {
				if b[k] == '\\' {
					k++
				}
			}
			if k >= len(b) {
				return k, false
			}
			j = k
			if depth == 0 {
				return j + 1, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j, j > i
			}
			depth--
			if depth == 0 {
				return j + 1, true
			}
		case ',':
			if depth == 0 {
				return j, j > i
			}
		}
	}
	return len(b), depth == 0 && len(b) > i
}

// countElements counts the elements of an array.
func countElements(v []byte) (int, bool) {
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
		return 0, false
	}
	i := skipSpace(v, 1)
	if v[i] == ']' {
		return 0, true
	}
	n := 0
	for {
		end, ok := skipValue(v, i)
		if !ok {
			return 0, false
		}
		n++
		i = skipSpace(v, end)
		if i >= len(v) {
			return 0, false
		}
		if v[i] == ']' {
			return n, i == len(v)-1
		}
		if v[i] != ',' {
			return 0, false
		}
		i = skipSpace(v, i+1)
	}
}
