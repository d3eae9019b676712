package transparency

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestScanAgrees: the scanner reads what encoding/json reads, or leaves it to it.
func TestScanAgrees(t *testing.T) {
	samples := []string{
		`{}`, `{"report_id":12,"receipt":"R-1","channel":"public","urls":1,"hashes":0,"matches":0,"evidence":["ab","cd"]}`,
		`{"kind":"blocking","targets":["a.example","b.example"],"subtree":false,"next_recheck":"2026-06-01T10:00:00Z"}`,
		`{"kind":"removal_request","targets":[],"emergency":false}`, `{"targets":null}`,
		`{"delivery_id":5,"answer":"acknowledge","deadline_at":"2026-03-02T10:00:00.123456789+01:00","acted_at":null}`,
		`{"delivery_id":5,"kind":"blocking","purpose":"action","deadline_at":null}`,
		`{"follow":true,"reasons":"a \"quoted\" reason","recommendation_id":7}`, `{"follow":false}`,
		`{"offence":"csam","elements":{"public":true,"act":"x, y}"},"reasons":"r"}`,
		`{"outcome":"annulled","summary":"s"}`, `{"name":"Opérateur \u00e9","kind":"host"}`, `{"name":"Host","channels":{"webhook":"x"}}`,
		`{"channel":"publ\"ic"}`, `{"report_id":"12"}`, `{"follow":"yes"}`, `{"deadline_at":"yesterday"}`, `not json`, `{"a":1,}`,
		`{"report_id":1}trailing`, `{"kind":null,"complaint_id":3}`, `[1]`, ``,
	}
	for _, s := range samples {
		e := &takedown.Event{Data: json.RawMessage(s)}
		got := decode(e)
		var want eventData
		_ = json.Unmarshal([]byte(s), &want)
		want.targets, want.Targets = len(want.Targets), nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", s, got, want)
		}
	}
}

func FuzzScanAgrees(f *testing.F) {
	f.Add(`{"report_id":12,"channel":"public","targets":["a","b"],"follow":true,"deadline_at":"2026-03-02T10:00:00Z"}`)
	f.Fuzz(func(t *testing.T, s string) {
		got := decode(&takedown.Event{Data: json.RawMessage(s)})
		var want eventData
		if json.Unmarshal([]byte(s), &want) != nil {
			return // invalid input: the scanner may read what it can
		}
		want.targets, want.Targets = len(want.Targets), nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", s, got, want)
		}
	})
}
