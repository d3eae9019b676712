package auditlog_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// goldenEvent is the event of testdata/event-v1.body: every field set, a fraction of a second,
// a time outside UTC, and data with non-ASCII text and an escaped newline.
func goldenEvent() *takedown.Event {
	return &takedown.Event{
		ID:         42,
		At:         time.Date(2026, 12, 2, 10, 30, 0, 123456789, time.FixedZone("CET", 3600)),
		Kind:       takedown.EventCaseQualified,
		ActorID:    7,
		ActorRole:  "officer",
		CaseID:     12,
		MeasureID:  0,
		OperatorID: 3,
		Data:       []byte(`{"reasons":"Aufruf zu Gewalt – § 131 StGB","note":"Zeile 1\nZeile 2"}`),
		Salt:       goldenSalt(),
	}
}

// goldenSalt is the salt of the golden event: the bytes 0x00 to 0x1f.
func goldenSalt() []byte {
	salt := make([]byte, auditlog.SaltSize)
	for i := range salt {
		salt[i] = byte(i)
	}
	return salt
}

// TestEventGolden pins the canonical body and the entry of one event. The body is a public
// format that controllers and operators implement again; if this test fails, the format has
// changed, and every implementation and every receipt already given out with it.
func TestEventGolden(t *testing.T) {
	wantBody, err := os.ReadFile(filepath.Join("testdata", "event-v1.body"))
	if err != nil {
		t.Fatal(err)
	}
	wantEntry, err := os.ReadFile(filepath.Join("testdata", "event-v1.entry"))
	if err != nil {
		t.Fatal(err)
	}
	e := goldenEvent()
	body, err := auditlog.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(body), string(wantBody); got != want {
		t.Errorf("EncodeEvent:\n%s\nwant:\n%s", got, want)
	}
	entry, err := auditlog.Entry(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(entry)+"\n", string(wantEntry); got != want {
		t.Errorf("Entry = %s, want %s", got, want)
	}
	if err := auditlog.CheckEvent(e, entry); err != nil {
		t.Errorf("CheckEvent: %v", err)
	}
}

// TestEventRoundTrip checks that DecodeEvent gives back every event EncodeEvent encodes, with
// its time in UTC.
func TestEventRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		e    takedown.Event
	}{
		{"golden", *goldenEvent()},
		{"zero ids and zero time", takedown.Event{Kind: takedown.EventReportReceived, ActorRole: takedown.ActorPublic, Data: []byte(`{}`)}},
		{"big ids", takedown.Event{
			ID: math.MaxInt64, At: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), Kind: "log.verified",
			ActorID: math.MaxInt64, ActorRole: "controller", CaseID: math.MaxInt64, MeasureID: math.MaxInt64 - 1,
			OperatorID: 1 << 62, Data: []byte(`{}`),
		}},
		{"one nanosecond", takedown.Event{
			ID: 1, At: time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC), Kind: "measure.issued", ActorRole: "supervisor",
			Data: []byte(`{"n":1}`),
		}},
		{"other zone", takedown.Event{
			ID: 2, At: time.Date(2026, 3, 29, 2, 30, 0, 5e8, time.FixedZone("", -9*3600-30*60)), Kind: "case.opened",
			ActorRole: takedown.ActorScheduler, Data: []byte(`{"a":"b"}`),
		}},
		{"year 0", takedown.Event{ID: 3, At: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), Kind: "a", ActorRole: "b", Data: []byte(`0`)}},
		{"unicode and escapes in data", takedown.Event{
			ID: 4, At: time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC), Kind: "delivery.answered", ActorID: 9,
			ActorRole: "operator", OperatorID: 5,
			Data: []byte(`{"answer":"gelöscht ✓ 削除","raw":"a\nb\r\tc\u2028\"d\"\\"}`),
		}},
		{"names with all their characters", takedown.Event{
			ID: 5, Kind: "abc.xyz_0-9", ActorRole: "local_admin-2.x", Data: []byte(`null`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := auditlog.EncodeEvent(&tt.e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := auditlog.DecodeEvent(body)
			if err != nil {
				t.Fatalf("DecodeEvent(%q): %v", body, err)
			}
			if err := sameEvent(got, &tt.e); err != nil {
				t.Error(err)
			}
			if loc := got.At.Location(); loc != time.UTC {
				t.Errorf("DecodeEvent: time in %v, want UTC", loc)
			}
			again, err := auditlog.EncodeEvent(got)
			if err != nil || !bytes.Equal(again, body) {
				t.Errorf("EncodeEvent(DecodeEvent(body)) = %q, %v, want %q", again, err, body)
			}
		})
	}
}

// sameEvent reports how two events differ in what their bodies hold.
func sameEvent(got, want *takedown.Event) error {
	switch {
	case got.ID != want.ID:
		return errors.New("id differs")
	case !got.At.Equal(want.At):
		return errors.New("time differs")
	case got.Kind != want.Kind:
		return errors.New("kind differs")
	case got.ActorID != want.ActorID || got.ActorRole != want.ActorRole:
		return errors.New("actor differs")
	case got.CaseID != want.CaseID || got.MeasureID != want.MeasureID || got.OperatorID != want.OperatorID:
		return errors.New("object differs")
	case !bytes.Equal(got.Data, want.Data):
		return errors.New("data differs")
	}
	return nil
}

// TestDecodeEventRejects checks that only the canonical body of an event is read: one event,
// one body, so that no two receipts can claim different things for one leaf.
func TestDecodeEventRejects(t *testing.T) {
	valid := "takedown.event/v1\nid 42\nat 2026-12-02T09:30:00.5Z\nkind case.qualified\nactor officer 7\n" +
		"case 12\nmeasure 0\noperator 0\ndata {\"a\":1}\n"
	if _, err := auditlog.DecodeEvent([]byte(valid)); err != nil {
		t.Fatalf("DecodeEvent(valid): %v", err)
	}
	tests := []struct {
		name, old, new string // valid with the first old replaced by new
	}{
		{"leading zero in id", "id 42", "id 042"},
		{"leading zero in zero", "measure 0", "measure 00"},
		{"leading zero in actor id", "officer 7", "officer 07"},
		{"sign", "id 42", "id +42"},
		{"negative", "case 12", "case -12"},
		{"overflow", "id 42", "id 9223372036854775808"},
		{"hex", "id 42", "id 0x2a"},
		{"empty number", "case 12", "case "},
		{"space before number", "case 12", "case  12"},
		{"trailing space", "case 12", "case 12 "},
		{"trailing garbage", "{\"a\":1}\n", "{\"a\":1}\ngarbage\n"},
		{"an empty line after", "{\"a\":1}\n", "{\"a\":1}\n\n"},
		{"no final newline", "{\"a\":1}\n", "{\"a\":1}"},
		{"carriage returns", "\n", "\r\n"},
		{"wrong version", "takedown.event/v1", "takedown.event/v2"},
		{"no version", "takedown.event/v1\n", ""},
		{"missing line", "measure 0\n", ""},
		{"lines swapped", "case 12\nmeasure 0", "measure 0\ncase 12"},
		{"field misnamed", "operator 0", "operators 0"},
		{"non-UTC time", "09:30:00.5Z", "10:30:00.5+01:00"},
		{"UTC as an offset", "09:30:00.5Z", "09:30:00.5+00:00"},
		{"trailing zero in fraction", "00.5Z", "00.50Z"},
		{"empty fraction", "00.5Z", "00.Z"},
		{"lowercase z", "00.5Z", "00.5z"},
		{"date only", "2026-12-02T09:30:00.5Z", "2026-12-02"},
		{"no time", "at 2026-12-02T09:30:00.5Z", "at "},
		{"uppercase kind", "case.qualified", "Case.Qualified"},
		{"space in kind", "case.qualified", "case qualified"},
		{"empty kind", "kind case.qualified", "kind "},
		{"uppercase role", "officer 7", "Officer 7"},
		{"no actor id", "officer 7", "officer"},
		{"empty role", "officer 7", " 7"},
		{"two spaces in actor", "officer 7", "officer  7"},
		{"no data field", "data {\"a\":1}", "{\"a\":1}"},
		{"newline in data", "{\"a\":1}", "{\"a\":\n1}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("the valid body has no %q", tt.old)
			}
			body := strings.Replace(valid, tt.old, tt.new, 1)
			e, err := auditlog.DecodeEvent([]byte(body))
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("DecodeEvent(%q) = %+v, %v, want an error wrapping ErrMalformed", body, e, err)
			}
		})
	}
	t.Run("too long", func(t *testing.T) {
		body := strings.Replace(valid, "{\"a\":1}", `"`+strings.Repeat("x", auditlog.MaxEventBody)+`"`, 1)
		if _, err := auditlog.DecodeEvent([]byte(body)); !errors.Is(err, auditlog.ErrMalformed) {
			t.Errorf("DecodeEvent(%d bytes) = %v, want an error wrapping ErrMalformed", len(body), err)
		}
	})
}

// TestEncodeEventRefuses checks that EncodeEvent writes no body that another event could
// share, or that DecodeEvent could not read back.
func TestEncodeEventRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *takedown.Event)
	}{
		{"space in kind", func(e *takedown.Event) { e.Kind = "case qualified" }},
		{"newline in kind", func(e *takedown.Event) { e.Kind = "case.qualified\nid 1" }},
		{"uppercase kind", func(e *takedown.Event) { e.Kind = "Case.qualified" }},
		{"non-ASCII kind", func(e *takedown.Event) { e.Kind = "case.qualifié" }},
		{"empty kind", func(e *takedown.Event) { e.Kind = "" }},
		{"space in role", func(e *takedown.Event) { e.ActorRole = "officer 8" }},
		{"newline in role", func(e *takedown.Event) { e.ActorRole = "officer\n" }},
		{"uppercase role", func(e *takedown.Event) { e.ActorRole = "Officer" }},
		{"empty role", func(e *takedown.Event) { e.ActorRole = "" }},
		{"negative id", func(e *takedown.Event) { e.ID = -1 }},
		{"negative actor", func(e *takedown.Event) { e.ActorID = -7 }},
		{"negative case", func(e *takedown.Event) { e.CaseID = -12 }},
		{"negative measure", func(e *takedown.Event) { e.MeasureID = math.MinInt64 }},
		{"negative operator", func(e *takedown.Event) { e.OperatorID = -3 }},
		{"year 10000", func(e *takedown.Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"year -1", func(e *takedown.Event) { e.At = time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC) }},
		{"year 10000 in UTC only", func(e *takedown.Event) {
			e.At = time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("", -3600))
		}},
		{"data that is not JSON", func(e *takedown.Event) { e.Data = []byte("{") }},
		{"no data", func(e *takedown.Event) { e.Data = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goldenEvent()
			tt.change(e)
			if body, err := auditlog.EncodeEvent(e); err == nil {
				t.Errorf("EncodeEvent = %q, want an error", body)
			}
			if entry, err := auditlog.Entry(e); err == nil {
				t.Errorf("Entry = %x, want an error", entry)
			}
		})
	}
}

func TestEntrySalt(t *testing.T) {
	for _, n := range []int{0, 1, auditlog.SaltSize - 1, auditlog.SaltSize + 1, 64} {
		e := goldenEvent()
		e.Salt = make([]byte, n)
		if entry, err := auditlog.Entry(e); err == nil {
			t.Errorf("Entry with a salt of %d bytes = %x, want an error", n, entry)
		}
		if err := auditlog.CheckEvent(e, make([]byte, auditlog.EntrySize)); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("CheckEvent with a salt of %d bytes = %v, want an error wrapping ErrInconsistent", n, err)
		}
	}
	e := goldenEvent()
	entry, err := auditlog.Entry(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(entry), auditlog.EntrySize; got != want {
		t.Errorf("len(Entry) = %d, want %d", got, want)
	}
}

func TestNewSalt(t *testing.T) {
	a, b := auditlog.NewSalt(), auditlog.NewSalt()
	if got, want := len(a), auditlog.SaltSize; got != want {
		t.Errorf("len(NewSalt()) = %d, want %d", got, want)
	}
	if bytes.Equal(a, b) {
		t.Errorf("NewSalt() twice = %x", a)
	}
}

// TestCheckEvent checks that a change of any part of an event or of its salt is seen.
func TestCheckEvent(t *testing.T) {
	entry, err := auditlog.Entry(goldenEvent())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(e *takedown.Event)
	}{
		{"id", func(e *takedown.Event) { e.ID++ }},
		{"time", func(e *takedown.Event) { e.At = e.At.Add(time.Nanosecond) }},
		{"kind", func(e *takedown.Event) { e.Kind = takedown.EventCaseApproved }},
		{"actor id", func(e *takedown.Event) { e.ActorID = 8 }},
		{"actor role", func(e *takedown.Event) { e.ActorRole = "supervisor" }},
		{"case", func(e *takedown.Event) { e.CaseID = 13 }},
		{"measure", func(e *takedown.Event) { e.MeasureID = 1 }},
		{"operator", func(e *takedown.Event) { e.OperatorID = 0 }},
		{"data", func(e *takedown.Event) { e.Data = bytes.Replace(e.Data, []byte("131"), []byte("130"), 1) }},
		{"data emptied", func(e *takedown.Event) { e.Data = nil }},
		{"salt", func(e *takedown.Event) { e.Salt[31] ^= 1 }},
		{"salt replaced", func(e *takedown.Event) { e.Salt = make([]byte, auditlog.SaltSize) }},
		{"salt missing", func(e *takedown.Event) { e.Salt = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goldenEvent()
			tt.change(e)
			if err := auditlog.CheckEvent(e, entry); !errors.Is(err, auditlog.ErrInconsistent) {
				t.Errorf("CheckEvent = %v, want an error wrapping ErrInconsistent", err)
			}
		})
	}
	t.Run("unchanged but in UTC", func(t *testing.T) {
		e := goldenEvent()
		e.At = e.At.UTC()
		if err := auditlog.CheckEvent(e, entry); err != nil {
			t.Errorf("CheckEvent = %v, want nil", err)
		}
	})
	t.Run("entry changed", func(t *testing.T) {
		for i := range entry {
			bad := bytes.Clone(entry)
			bad[i] ^= 0x80
			if err := auditlog.CheckEvent(goldenEvent(), bad); !errors.Is(err, auditlog.ErrInconsistent) {
				t.Errorf("CheckEvent with byte %d of the entry changed = %v, want ErrInconsistent", i, err)
			}
		}
		if err := auditlog.CheckEvent(goldenEvent(), entry[:31]); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("CheckEvent with a short entry = %v, want ErrInconsistent", err)
		}
	})
}

func TestLeafIndex(t *testing.T) {
	for _, id := range []int64{1, 2, 256, 257, math.MaxInt64} {
		if got, want := auditlog.LeafIndex(id), id-1; got != want {
			t.Errorf("LeafIndex(%d) = %d, want %d", id, got, want)
		}
		if got, want := auditlog.EventID(auditlog.LeafIndex(id)), id; got != want {
			t.Errorf("EventID(LeafIndex(%d)) = %d, want %d", id, got, want)
		}
	}
}

// FuzzDecodeEvent checks that DecodeEvent never panics and that what it reads is canonical:
// encoding it again gives back the input.
func FuzzDecodeEvent(f *testing.F) {
	body, err := auditlog.EncodeEvent(goldenEvent())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte("takedown.event/v1\nid 0\nat 0001-01-01T00:00:00Z\nkind a\nactor b 0\ncase 0\nmeasure 0\noperator 0\ndata \n"))
	f.Add([]byte("takedown.event/v1\nid 1\nat 2026-12-02T09:30:00.000000001Z\nkind k\nactor r 1\ncase 1\nmeasure 1\noperator 1\ndata {}\n"))
	f.Add([]byte("takedown.event/v1\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := auditlog.DecodeEvent(body)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("DecodeEvent: %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		again, err := auditlog.EncodeEvent(e)
		if err != nil || !bytes.Equal(again, body) {
			t.Fatalf("EncodeEvent(DecodeEvent(%q)) = %q, %v", body, again, err)
		}
	})
}

// TestEntryIgnoresInsignificantWhitespace: the API pretty-prints the JSON it sends, the data
// of events included; the entry of an event read from it must be the entry of the event as
// recorded. Anything but whitespace outside strings still changes the entry.
func TestEntryIgnoresInsignificantWhitespace(t *testing.T) {
	recorded := goldenEvent()
	want, err := auditlog.Entry(recorded)
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, recorded.Data, "  ", "\t"); err != nil {
		t.Fatal(err)
	}
	read := *recorded
	read.Data = append([]byte(" \n"), append(indented.Bytes(), '\n')...)
	if got, err := auditlog.Entry(&read); err != nil || !bytes.Equal(got, want) {
		t.Errorf("the indented event's entry is %x, %v; want %x", got, err, want)
	}
	if err := auditlog.CheckEvent(&read, want); err != nil {
		t.Error(err)
	}
	read.Data = bytes.Replace(recorded.Data, []byte(`"`), []byte(` "`), 1)
	read.Data = bytes.Replace(read.Data, []byte(`"reasons":"`), []byte(`"reasons":" `), 1)
	if err := auditlog.CheckEvent(&read, want); !errors.Is(err, auditlog.ErrInconsistent) {
		t.Errorf("a space inside a string: CheckEvent = %v, want an inconsistency", err)
	}
}
