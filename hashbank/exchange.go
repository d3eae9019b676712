package hashbank

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// Format is a format of hash lists (docs/hash-exchange.md).
type Format string

// The formats of hash lists.
const (
	// CSV: a header row naming the columns, type and value required.
	CSV Format = "csv"
	// JSON: {"format": "takedown.hashes/v1", "entries": [...]}.
	JSON Format = "json"
	// Plain: one hex hash a line, of one type given apart (how PDQ and MD5 lists are often
	// exchanged); a PDQ line may end with ",QUALITY".
	Plain Format = "plain"
)

// Formats lists the formats.
var Formats = []Format{CSV, JSON, Plain}

// ListMagic names the JSON format and its version.
const ListMagic = "takedown.hashes/v1"

// FormatFor returns the format of a file from its extension.
func FormatFor(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".json":
		return JSON, nil
	case ".txt", ".lst":
		return Plain, nil
	}
	return "", fmt.Errorf("%s: name the list .csv, .json or .txt (one hash a line) so its format is known", name)
}

// The columns of a CSV list: those an import reads, then those only an export writes (an
// export imports again as it is).
var (
	csvInput  = []string{"type", "value", "quality", "labels", "case_ids"}
	csvExport = []string{"id", "bank_id", "type", "value", "quality", "labels", "case_ids", "state", "added_at", "seq"}
)

// listEntry is an entry in a JSON list: what an import reads, and what an export adds.
type listEntry struct {
	ID      int64               `json:"id,omitempty"`
	BankID  int64               `json:"bank_id,omitempty"`
	Type    takedown.HashType   `json:"type"`
	Value   string              `json:"value"`
	Quality *int                `json:"quality,omitempty"`
	Labels  []string            `json:"labels,omitempty"`
	CaseIDs []int64             `json:"case_ids,omitempty"`
	State   takedown.EntryState `json:"state,omitempty"`
	AddedAt *time.Time          `json:"added_at,omitempty"`
	Seq     int64               `json:"seq,omitempty"`
}

type listDocument struct {
	Format  string      `json:"format"`
	Entries []listEntry `json:"entries"`
}

// ReadEntries reads a hash list; plainType is the type of the hashes of a Plain list. Each
// entry is validated, and an error says where it is (line N, or entry N of JSON). A hash
// given twice is one entry with the labels and cases of both.
func ReadEntries(r io.Reader, format Format, plainType takedown.HashType) ([]takedown.EntryInput, error) {
	data, err := io.ReadAll(io.LimitReader(r, takedown.MaxImportSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > takedown.MaxImportSize {
		return nil, fmt.Errorf("the list is larger than %d MB; split it", takedown.MaxImportSize>>20)
	}
	var in []takedown.EntryInput
	switch format {
	case CSV:
		in, err = readCSV(data)
	case JSON:
		in, err = readJSON(data)
	case Plain:
		in, err = readPlain(data, plainType)
	default:
		return nil, fmt.Errorf("%q is not a list format; use csv, json or plain", format)
	}
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, errors.New("the list holds no hash")
	}
	return merge(in), nil
}

// add validates one entry and appends it, or says where it is wrong.
func add(in []takedown.EntryInput, e takedown.EntryInput, where string) ([]takedown.EntryInput, error) {
	if len(in) >= takedown.MaxImportLines {
		return nil, fmt.Errorf("the list has more than %d hashes; split it", takedown.MaxImportLines)
	}
	if err := e.Validate("entry"); err != nil {
		var te *takedown.Error
		if errors.As(err, &te) {
			if field := strings.TrimPrefix(strings.TrimPrefix(te.Field, "entry"), "."); field != "" {
				return nil, fmt.Errorf("%s: %s: %s", where, field, te.Message)
			}
			return nil, fmt.Errorf("%s: %s", where, te.Message)
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return append(in, e), nil
}

func readCSV(data []byte) ([]takedown.EntryInput, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("line 1: %v", csvError(err))
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		switch {
		case !slices.Contains(csvExport, name):
			return nil, fmt.Errorf("line 1: %q is not a column of a hash list; the columns are %s", name, strings.Join(csvInput, ", "))
		case col[name] > 0:
			return nil, fmt.Errorf("line 1: the column %q is there twice", name)
		}
		col[name] = i + 1
	}
	if col["type"] == 0 || col["value"] == 0 {
		return nil, errors.New("line 1: the header must name the columns type and value")
	}
	field := func(rec []string, name string) string {
		if i := col[name]; i > 0 {
			return strings.TrimSpace(rec[i-1])
		}
		return ""
	}
	var in []takedown.EntryInput
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return in, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: %v", pe.StartLine, pe.Err)
		} else if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("line %d", line)
		e := takedown.EntryInput{HashValue: takedown.HashValue{Type: takedown.HashType(field(rec, "type")), Value: field(rec, "value")}}
		if q := field(rec, "quality"); q != "" {
			n, err := strconv.Atoi(q)
			if err != nil {
				return nil, fmt.Errorf("%s: quality: %q is not a number", where, q)
			}
			e.Quality = &n
		}
		e.Labels = splitList(field(rec, "labels"))
		for _, c := range splitList(field(rec, "case_ids")) {
			id, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: case_ids: %q is not a case id", where, c)
			}
			e.CaseIDs = append(e.CaseIDs, id)
		}
		if in, err = add(in, e, where); err != nil {
			return nil, err
		}
	}
}

// csvError words a CSV error without the reader's own position, which the caller gives.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	if err == io.EOF {
		return errors.New("the list is empty: the first line is the header, such as type,value,labels")
	}
	return err
}

// splitList splits a CSV cell holding a list separated by ";".
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func readJSON(data []byte) ([]takedown.EntryInput, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc listDocument
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON hash list: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a JSON hash list: there is data after the document")
	}
	if doc.Format != ListMagic {
		return nil, fmt.Errorf("format is %q; a JSON hash list says \"format\": %q", doc.Format, ListMagic)
	}
	var in []takedown.EntryInput
	for i, e := range doc.Entries {
		var err error
		in, err = add(in, takedown.EntryInput{HashValue: takedown.HashValue{Type: e.Type, Value: e.Value, Quality: e.Quality},
			Labels: e.Labels, CaseIDs: e.CaseIDs}, fmt.Sprintf("entry %d", i+1))
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

func readPlain(data []byte, typ takedown.HashType) ([]takedown.EntryInput, error) {
	if typ.HexLength() == 0 {
		return nil, fmt.Errorf("a plain list needs its hash type (pdq, md5 or sha256), not %q", typ)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 4096)
	var in []takedown.EntryInput
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		where := fmt.Sprintf("line %d", line)
		value, q, hasQuality := strings.Cut(text, ",")
		e := takedown.EntryInput{HashValue: takedown.HashValue{Type: typ, Value: strings.TrimSpace(value)}}
		if hasQuality {
			n, err := strconv.Atoi(strings.TrimSpace(q))
			if err != nil {
				return nil, fmt.Errorf("%s: quality: %q is not a number", where, q)
			}
			e.Quality = &n
		}
		var err error
		if in, err = add(in, e, where); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("a line is longer than 4096 bytes: %v", err)
	}
	return in, nil
}

// merge makes one entry of a hash given several times, with the labels and cases of all,
// keeping the order of first appearance.
func merge(in []takedown.EntryInput) []takedown.EntryInput {
	at := map[string]int{}
	out := in[:0]
	for _, e := range in {
		k := exactKey(e.Type, e.Value)
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, e)
			continue
		}
		m := &out[i]
		m.Labels = slices.Compact(slices.Sorted(slices.Values(append(m.Labels, e.Labels...))))
		m.CaseIDs = slices.Compact(slices.Sorted(slices.Values(append(m.CaseIDs, e.CaseIDs...))))
		if m.Quality == nil {
			m.Quality = e.Quality
		}
	}
	return out
}

// WriteEntries writes entries as a hash list; ReadEntries reads it back.
func WriteEntries(w io.Writer, format Format, entries []*takedown.HashEntry) error {
	switch format {
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvExport); err != nil {
			return err
		}
		for _, e := range entries {
			quality := ""
			if e.Quality != nil {
				quality = strconv.Itoa(*e.Quality)
			}
			cases := make([]string, len(e.CaseIDs))
			for i, id := range e.CaseIDs {
				cases[i] = strconv.FormatInt(id, 10)
			}
			if err := cw.Write([]string{strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.BankID, 10), string(e.Type), e.Value, quality,
				strings.Join(e.Labels, ";"), strings.Join(cases, ";"), string(e.State), e.AddedAt.UTC().Format(time.RFC3339),
				strconv.FormatInt(e.Seq, 10)}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case JSON:
		doc := listDocument{Format: ListMagic, Entries: make([]listEntry, len(entries))}
		for i, e := range entries {
			added := e.AddedAt.UTC()
			doc.Entries[i] = listEntry{ID: e.ID, BankID: e.BankID, Type: e.Type, Value: e.Value, Quality: e.Quality, Labels: e.Labels,
				CaseIDs: e.CaseIDs, State: e.State, AddedAt: &added, Seq: e.Seq}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	case Plain:
		bw := bufio.NewWriter(w)
		for _, e := range entries {
			bw.WriteString(e.Value + "\n")
		}
		return bw.Flush()
	}
	return fmt.Errorf("%q is not a list format; use csv, json or plain", format)
}
