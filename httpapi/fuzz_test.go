package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/takedown-project/takedown"
)

// checkDecoded fails the test unless err is nil for a body that is exactly one JSON value, or
// an invalid *takedown.Error with a message.
func checkDecoded(t *testing.T, body []byte, err error) {
	t.Helper()
	if err == nil {
		if !json.Valid(body) {
			t.Fatalf("accepted %q, which is not one JSON value", body)
		}
		return
	}
	var e *takedown.Error
	if !errors.As(err, &e) || e.Code != takedown.EINVALID || e.Message == "" {
		t.Fatalf("decoding %q: error %#v, want an invalid *takedown.Error with a message", body, err)
	}
}

// bodySeeds are valid and broken request bodies.
var bodySeeds = []string{
	`{"urls": ["https://video.host.test/v/1"], "offence": "terrorism-apology", "description": "A video.", "good_faith": true}`,
	`{"offence": "terrorism-apology", "elements": {"predicate_act": "An attack.", "predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology"}, "reasons": "Praise."}`,
	``, ` `, `null`, `[]`, `"x"`, `1e999`, `{`, `{"urls": [`, `{} {}`, `{}}`, `{"urls": "x"}`, `{"urls": [1]}`,
	`{"urlz": []}`, `{"good_faith": "yes"}`, `{"elements": []}`, `{"elements": {"x": 1e999}}`, `{"description": "\ud800"}`,
	`{"urls": null, "urls": ["a"]}`, "{\"contact\": \"\xff\"}",
}

// FuzzDecodeReportInput proves that decoding any report body never panics and either
// accepts one JSON value or fails with an invalid *takedown.Error.
func FuzzDecodeReportInput(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in takedown.ReportInput
		checkDecoded(t, body, decodeJSON(body, &in))
	})
}

// FuzzDecodeQualificationInput is FuzzDecodeReportInput for qualifications, whose elements
// are free-form JSON.
func FuzzDecodeQualificationInput(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in takedown.QualificationInput
		checkDecoded(t, body, decodeJSON(body, &in))
	})
}

// FuzzDecodeQuery proves that decoding any query string into the case and delivery filters
// never panics, fails only with an invalid *takedown.Error, and refuses what it cannot parse.
func FuzzDecodeQuery(f *testing.F) {
	for _, s := range []string{"", "state=new", "limit=10&cursor=5", "limit=ten", "overdue=maybe", "state=new&state=closed",
		"colour=red", "state=closed;", "x=%zz", "pending=true&deadline=overdue", "operator_id=-1&measure_id=99999999999999999999",
		"url=https%3A%2F%2Fvideo.host.test%2Fv%2F1", "Limit=1", "=&&=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, filter := range []any{&takedown.CaseFilter{}, &takedown.DeliveryFilter{}} {
			err := decodeQuery(&http.Request{URL: &url.URL{RawQuery: raw}}, filter)
			if err == nil {
				if _, perr := url.ParseQuery(raw); perr != nil {
					t.Fatalf("query %q was accepted although it does not parse: %v", raw, perr)
				}
				continue
			}
			var e *takedown.Error
			if !errors.As(err, &e) || e.Code != takedown.EINVALID || e.Message == "" {
				t.Fatalf("query %q into %T: error %#v, want an invalid *takedown.Error with a message", raw, filter, err)
			}
		}
	})
}
