package hashbank

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

func entries() []*takedown.HashEntry {
	q := 87
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return []*takedown.HashEntry{
		{ID: 1, BankID: 2, HashValue: takedown.HashValue{Type: takedown.HashPDQ, Value: strings.Repeat("ab", 32), Quality: &q},
			Labels: []string{"propaganda", "video"}, CaseIDs: []int64{4, 9}, State: takedown.EntryActive, AddedAt: at, Seq: 3},
		{ID: 2, BankID: 2, HashValue: takedown.HashValue{Type: takedown.HashMD5, Value: strings.Repeat("0f", 16)},
			Labels: []string{}, CaseIDs: []int64{}, State: takedown.EntryDisabled, AddedAt: at, Seq: 4},
	}
}

// TestRoundTrip: what WriteEntries writes, ReadEntries reads back, in CSV and JSON; plain
// keeps the values of one type.
func TestRoundTrip(t *testing.T) {
	for _, format := range []Format{CSV, JSON} {
		var buf bytes.Buffer
		if err := WriteEntries(&buf, format, entries()); err != nil {
			t.Fatal(err)
		}
		got, err := ReadEntries(&buf, format, "")
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, buf.String())
		}
		var want []takedown.EntryInput
		for _, e := range entries() {
			want = append(want, takedown.EntryInput{HashValue: e.HashValue, Labels: e.Labels, CaseIDs: e.CaseIDs})
		}
		for i := range got {
			if len(got[i].Labels) == 0 && len(want[i].Labels) == 0 {
				got[i].Labels, want[i].Labels = nil, nil
			}
			if len(got[i].CaseIDs) == 0 && len(want[i].CaseIDs) == 0 {
				got[i].CaseIDs, want[i].CaseIDs = nil, nil
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", format, got, want)
		}
	}
	var buf bytes.Buffer
	if err := WriteEntries(&buf, Plain, entries()[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEntries(&buf, Plain, takedown.HashPDQ)
	if err != nil || len(got) != 1 || got[0].Value != strings.Repeat("ab", 32) {
		t.Errorf("plain round trip: %+v, %v", got, err)
	}
}

func TestReadEntries(t *testing.T) {
	pdq := strings.Repeat("c3", 32)
	got, err := ReadEntries(strings.NewReader("type,value,labels\npdq,"+strings.ToUpper(pdq)+",Video;news\npdq,"+pdq+",propaganda\n"), CSV, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Value != pdq || !reflect.DeepEqual(got[0].Labels, []string{"news", "propaganda", "video"}) {
		t.Errorf("a hash twice, in two cases of letters: %+v, want one entry with the labels of both", got)
	}
	got, err = ReadEntries(strings.NewReader("# a PDQ list\n\n"+pdq+",92\n"+strings.Repeat("d4", 32)+"\n"), Plain, takedown.HashPDQ)
	if err != nil || len(got) != 2 || *got[0].Quality != 92 || got[1].Quality != nil {
		t.Errorf("plain list with a comment and a quality: %+v, %v", got, err)
	}
}

func TestReadEntriesErrors(t *testing.T) {
	pdq := strings.Repeat("c3", 32)
	for _, tc := range []struct {
		name, input string
		format      Format
		typ         takedown.HashType
		want        string
	}{
		{"empty CSV", "", CSV, "", "line 1: the list is empty"},
		{"no value column", "type,labels\n", CSV, "", "must name the columns type and value"},
		{"unknown column", "type,value,colour\n", CSV, "", `"colour" is not a column`},
		{"short hash", "type,value\npdq,abc\n", CSV, "", "line 2: a pdq hash is 64 hex digits, not 3"},
		{"bad quality", "type,value,quality\npdq," + pdq + ",high\n", CSV, "", `line 2: quality: "high" is not a number`},
		{"quality out of range", "type,value,quality\npdq," + pdq + ",101\n", CSV, "", "line 2: quality: must be from 0 to 100"},
		{"bad case id", "type,value,case_ids\npdq," + pdq + ",x\n", CSV, "", `line 2: case_ids: "x" is not a case id`},
		{"bad label", "type,value,labels\npdq," + pdq + ",a b\n", CSV, "", "line 2: labels[0]"},
		{"ragged row", "type,value\npdq\n", CSV, "", "line 2: wrong number of fields"},
		{"JSON without format", `{"entries": []}`, JSON, "", `a JSON hash list says "format": "takedown.hashes/v1"`},
		{"JSON unknown field", `{"format": "takedown.hashes/v1", "entries": [{"type": "md5", "value": "` + strings.Repeat("0", 32) + `", "colour": 1}]}`, JSON, "", `unknown field "colour"`},
		{"JSON bad entry", `{"format": "takedown.hashes/v1", "entries": [{"type": "sha1", "value": "00"}]}`, JSON, "", `entry 1: "sha1" is not a hash type`},
		{"JSON trailing data", `{"format": "takedown.hashes/v1", "entries": []} {}`, JSON, "", "data after the document"},
		{"plain without type", pdq + "\n", Plain, "", "needs its hash type"},
		{"plain bad line", "# list\n" + pdq + "\nnot-a-hash\n", Plain, takedown.HashPDQ, "line 3: a pdq hash is 64 hex digits, not 10"},
		{"nothing", "# only a comment\n", Plain, takedown.HashMD5, "holds no hash"},
		{"unknown format", "x", "xml", "", `"xml" is not a list format`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadEntries(strings.NewReader(tc.input), tc.format, tc.typ)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestReadEntriesLimits(t *testing.T) {
	big := strings.NewReader(strings.Repeat("#", takedown.MaxImportSize+1))
	if _, err := ReadEntries(big, Plain, takedown.HashMD5); err == nil || !strings.Contains(err.Error(), "larger than 64 MB") {
		t.Errorf("a list over the size limit: %v", err)
	}
	var b strings.Builder
	for i := range takedown.MaxImportLines + 1 {
		fmt.Fprintf(&b, "%032x\n", i)
	}
	if _, err := ReadEntries(strings.NewReader(b.String()), Plain, takedown.HashMD5); err == nil || !strings.Contains(err.Error(), "more than 1000000 hashes") {
		t.Errorf("a list over the line limit: %v", err)
	}
}

func FuzzReadEntries(f *testing.F) {
	pdq := strings.Repeat("c3", 32)
	f.Add([]byte("type,value,quality,labels,case_ids\npdq,"+pdq+",90,a;b,1;2\n"), uint8(0))
	f.Add([]byte(`{"format": "takedown.hashes/v1", "entries": [{"type": "pdq", "value": "`+pdq+`", "labels": ["x"]}]}`), uint8(1))
	f.Add([]byte("# list\n"+pdq+",50\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := Formats[int(which)%len(Formats)]
		in, err := ReadEntries(bytes.NewReader(data), format, takedown.HashPDQ)
		if err != nil {
			return
		}
		for i := range in {
			if err := in[i].Validate("entry"); err != nil {
				t.Fatalf("ReadEntries returned an entry that does not validate: %+v: %v", in[i], err)
			}
		}
	})
}
