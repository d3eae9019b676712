package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestBadInput sends requests that must be refused, and proves that each gets a problem
// document with the right status, code and field and a detail that says what to change,
// and that nothing was written: the record has as many events after as before.
func TestBadInput(t *testing.T) {
	f := newFixture(t, unlimited)
	// report is a public report with one change to a valid report.
	report := func(change func(in *takedown.ReportInput)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			in := reportInput(f.newURL())
			change(&in)
			return f.newRequest(t, "POST", "/reports", "", jsonBody(t, in))
		}
	}
	// rawReport is a public report with the body as given.
	rawReport := func(body string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return f.newRequest(t, "POST", "/reports", "", []byte(body)) }
	}
	// onCase is a request by a on a new case at stage s; the path's %d is the case id.
	onCase := func(s stage, a *account, method, path string, body any) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			c := f.caseAt(t, s)
			return f.newRequest(t, method, fmt.Sprintf(path, c.ID), a.token, jsonBody(t, body))
		}
	}
	// qualify qualifies a new accepted case as terrorism-apology with one element changed.
	qualify := func(element string, value any) func(t *testing.T) *http.Request {
		in := qualification()
		if value == nil {
			delete(in.Elements, element)
		} else {
			in.Elements[element] = value
		}
		return onCase(accepted, f.officer, "POST", "/cases/%d/qualify", in)
	}
	// get is a GET by the officer.
	get := func(path string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return f.newRequest(t, "GET", path, f.officer.token, nil) }
	}
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
		status  int
		code    string
		field   string
		hints   []string
	}{
		// Reports.
		{"malformed URL", report(func(in *takedown.ReportInput) { in.URLs = append(in.URLs, "https://[::1/v/2") }),
			400, takedown.EINVALID, "urls[1]", []string{`"[::1" has no closing "]"`}},
		{"ftp URL", report(func(in *takedown.ReportInput) { in.URLs = []string{"ftp://video.host.test/v/1"} }),
			400, takedown.EINVALID, "urls[0]", []string{"http:// or https://"}},
		{"javascript URL", report(func(in *takedown.ReportInput) { in.URLs = []string{"javascript:alert(1)"} }),
			400, takedown.EINVALID, "urls[0]", []string{"http:// or https://"}},
		{"URL without scheme", report(func(in *takedown.ReportInput) { in.URLs = []string{"video.host.test/v/1"} }),
			400, takedown.EINVALID, "urls[0]", []string{"http:// or https://"}},
		{"terminal escape in the description", report(func(in *takedown.ReportInput) { in.Description = "Look \x1b]0;pwned\a\x1b[2J here" }),
			400, takedown.EINVALID, "description", []string{"control character U+001B"}},
		{"line break in the contact", report(func(in *takedown.ReportInput) { in.Contact = "a@mail.example\nBcc: b@mail.example" }),
			400, takedown.EINVALID, "contact", []string{"control character U+000A"}},
		{"unknown offence", report(func(in *takedown.ReportInput) { in.Offence = "hate-speech" }),
			400, takedown.EINVALID, "offence", []string{`"hate-speech"`, "terrorism-apology"}},
		{"missing description", rawReport(`{"urls": ["https://video.host.test/v/nodesc"], "offence": "terrorism-apology", "good_faith": true}`),
			400, takedown.EINVALID, "description", []string{"is required"}},
		{"blank description", report(func(in *takedown.ReportInput) { in.Description = " \n " }),
			400, takedown.EINVALID, "description", []string{"is required"}},
		{"good faith not confirmed", report(func(in *takedown.ReportInput) { in.GoodFaith = false }),
			400, takedown.EINVALID, "good_faith", []string{"good faith"}},
		{"more than 50 URLs", report(func(in *takedown.ReportInput) {
			for i := range 51 {
				in.URLs = append(in.URLs, fmt.Sprintf("https://video.host.test/many/%d", i))
			}
		}), 400, takedown.EINVALID, "urls", []string{"more than 50"}},
		{"description over 10000 bytes", report(func(in *takedown.ReportInput) { in.Description = strings.Repeat("é", 5001) }),
			400, takedown.EINVALID, "description", []string{"10000 bytes"}},
		{"body over 64 KiB", func(t *testing.T) *http.Request {
			return f.newRequest(t, "POST", "/hashbanks", f.officer.token, jsonBody(t, bigBank()))
		}, 413, takedown.ETOOLARGE, "", []string{"65536 bytes"}},
		{"file as a report's JSON", rawReport(`{"urls": ["https://video.host.test/v/f"], "offence": "terrorism-apology", "description": "x", "good_faith": true, "files": [{"name": "a.png", "data": "not base64!"}]}`),
			400, takedown.EINVALID, "", []string{"base64"}},
		{"text/plain body", func(t *testing.T) *http.Request {
			req := report(func(*takedown.ReportInput) {})(t)
			req.Header.Set("Content-Type", "text/plain")
			return req
		}, 415, takedown.EUNSUPPORTED, "", []string{"Content-Type: application/json"}},
		{"no Content-Type", func(t *testing.T) *http.Request {
			req := report(func(*takedown.ReportInput) {})(t)
			req.Header.Del("Content-Type")
			return req
		}, 415, takedown.EUNSUPPORTED, "", []string{"Content-Type: application/json"}},
		{"invalid JSON", rawReport(`{"urls" ["https://video.host.test/v/1"]}`), 400, takedown.EINVALID, "", []string{"not valid JSON (at byte 9)"}},
		{"truncated JSON", rawReport(`{"urls": [`), 400, takedown.EINVALID, "", []string{"ends in the middle"}},
		{"empty body", rawReport(" "), 400, takedown.EINVALID, "", []string{"empty"}},
		{"array body", rawReport(`[]`), 400, takedown.EINVALID, "", []string{"must be a JSON object"}},
		{"second object after the body", rawReport(string(jsonBody(t, reportInput("https://video.host.test/twice"))) + `{}`),
			400, takedown.EINVALID, "", []string{"data after the JSON object"}},
		{"closing brace and text after the body", rawReport(string(jsonBody(t, reportInput("https://video.host.test/brace"))) + `} trailing text`),
			400, takedown.EINVALID, "", []string{"data after the JSON object"}},
		{"unknown field", rawReport(`{"urlz": ["https://video.host.test/v/1"]}`), 400, takedown.EINVALID, "urlz", []string{"not a field"}},
		{"urls as a string", rawReport(`{"urls": "x"}`), 400, takedown.EINVALID, "urls", []string{"must be an array, not string"}},
		{"good_faith as a string", rawReport(`{"good_faith": "yes"}`), 400, takedown.EINVALID, "good_faith", []string{"must be true or false"}},

		// Reasons.
		{"dismiss without reasons", onCase(reported, f.officer, "POST", "/cases/%d/dismiss", map[string]any{}),
			400, takedown.EINVALID, "reasons", []string{"is required"}},
		{"return without reasons", onCase(qualified, f.supervisor, "POST", "/cases/%d/return", map[string]any{"reasons": " \n "}),
			400, takedown.EINVALID, "reasons", []string{"is required"}},
		{"close without reasons", onCase(approved, f.officer, "POST", "/cases/%d/close", map[string]any{}),
			400, takedown.EINVALID, "reasons", []string{"is required"}},

		// Qualification.
		{"element missing", qualify("predicate_act", nil), 400, takedown.EINVALID, "elements.predicate_act", []string{"is required for terrorism-apology"}},
		{"element not confirmed", qualify("public_character", false), 400, takedown.EINVALID, "elements.public_character", []string{"not established"}},
		{"provocation qualified as apology", qualify("characterisation", "provocation"),
			400, takedown.EINVALID, "elements.characterisation", []string{`"provocation" does not fit`, "qualify it as terrorism-provocation"}},

		// Transitions.
		{"approve a new case", onCase(reported, f.supervisor, "POST", "/cases/%d/approve", nil),
			409, takedown.ECONFLICT, "", []string{"is new", "awaiting_approval"}},
		{"accept twice", onCase(accepted, f.officer, "POST", "/cases/%d/accept", nil),
			409, takedown.ECONFLICT, "", []string{"is qualifying"}},
		{"measure before approval", onCase(qualified, f.officer, "POST", "/cases/%d/measures",
			takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: f.host.ID}),
			422, takedown.EPRECONDITION, "", []string{"approved"}},
		{"supervisor approves own qualification", func(t *testing.T) *http.Request {
			c := f.caseAt(t, accepted)
			f.do(t, f.supervisor.api, "POST", fmt.Sprintf("/cases/%d/qualify", c.ID), qualification(), nil)
			return f.newRequest(t, "POST", fmt.Sprintf("/cases/%d/approve", c.ID), f.supervisor.token, nil)
		}, 403, takedown.EFORBIDDEN, "", []string{"four eyes"}},
		{"operator answers another operator's delivery", func(t *testing.T) *http.Request {
			d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
			return f.newRequest(t, "POST", fmt.Sprintf("/deliveries/%d/answer", d.ID), f.desk[f.platform.ID].token,
				jsonBody(t, takedown.AnswerInput{Kind: takedown.AnswerComply}))
		}, 403, takedown.EFORBIDDEN, "", []string{"another operator"}},

		// Paths and queries.
		{"id not a number", get("/cases/abc"), 400, takedown.EINVALID, "id", []string{`"abc" is not an id`}},
		{"id zero", get("/cases/0"), 400, takedown.EINVALID, "id", []string{`"0" is not an id`}},
		{"unknown query parameter", get("/cases?colour=red"), 400, takedown.EINVALID, "colour", []string{"not a query parameter"}},
		{"parameter given twice", get("/cases?state=new&state=closed"), 400, takedown.EINVALID, "state", []string{"2 times"}},
		{"unknown state", get("/cases?state=open"), 400, takedown.EINVALID, "state", []string{`"open" is not a case state`}},
		{"malformed query", get("/cases?state=closed;"), 400, takedown.EINVALID, "", []string{"cannot be parsed"}},
		{"bad escape in the query", get("/cases?x=%zz"), 400, takedown.EINVALID, "", []string{"cannot be parsed"}},
		{"bad cursor", get("/cases?cursor=abc"), 400, takedown.EINVALID, "cursor", []string{"not a cursor"}},
		{"limit 0", get("/events?limit=0"), 400, takedown.EINVALID, "limit", []string{"at least 1"}},
		{"limit -1", get("/events?limit=-1"), 400, takedown.EINVALID, "limit", []string{"at least 1"}},
		{"limit 501", get("/events?limit=501"), 400, takedown.EINVALID, "limit", []string{"between 1 and 500"}},
		{"limit not a number", get("/events?limit=ten"), 400, takedown.EINVALID, "limit", []string{`"ten" is not an integer`}},
		{"unknown route", get("/nothing"), 404, takedown.ENOTFOUND, "", []string{"there is no /api/v1/nothing"}},
		{"feed of no list", get("/lists/removal_request/feed"), 400, takedown.EINVALID, "list", []string{"blocking or dereferencing", `not "removal_request"`}},
		{"feed since not a number", get("/lists/blocking/feed?since=latest"), 400, takedown.EINVALID, "since", []string{`"latest" is not an integer`}},
		{"feed since negative", get("/lists/blocking/feed?since=-1"), 400, takedown.EINVALID, "since", []string{"must be 0 for the whole list"}},
		{"feed since a version to come", get("/lists/blocking/feed?since=99"), 400, takedown.EINVALID, "since", []string{"latest version is", "not 99"}},
		{"feed in an unknown format", get("/lists/blocking/feed?format=xml"), 400, takedown.EINVALID, "format", []string{`json or csv, not "xml"`}},
		{"feed with an unknown parameter", get("/lists/blocking/feed?version=3"), 400, takedown.EINVALID, "version", []string{"not a query parameter"}},
		{"wrong method", func(t *testing.T) *http.Request { return f.newRequest(t, "DELETE", "/cases/1", f.officer.token, nil) },
			405, takedown.EMETHOD, "", []string{"DELETE is not allowed", "allowed: GET, HEAD"}},

		// Tokens.
		{"invalid token on the public report form", func(t *testing.T) *http.Request {
			return f.newRequest(t, "POST", "/reports", "tdk_notavalidtoken", jsonBody(t, reportInput(f.newURL())))
		}, 401, takedown.EUNAUTHORIZED, "", []string{"not valid"}},
		{"Basic authorization", func(t *testing.T) *http.Request {
			req := f.newRequest(t, "POST", "/reports", "", jsonBody(t, reportInput(f.newURL())))
			req.SetBasicAuth("officer", f.officer.token)
			return req
		}, 401, takedown.EUNAUTHORIZED, "", []string{"Bearer <token>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.request(t)
			before := f.eventCount(t)
			r := f.send(t, req)
			wantProblem(t, r, tt.status, tt.code, tt.field, tt.hints...)
			if after := f.eventCount(t); after != before {
				t.Errorf("the refused request wrote %d events", after-before)
			}
		})
	}
}

// bigBank is a bank whose description makes its body larger than the server's limit.
func bigBank() takedown.BankInput {
	return takedown.BankInput{Name: "big", Offence: "terrorism-apology", Source: takedown.SourceEvidence, Description: strings.Repeat("a", 65<<10)}
}

// jsonBody encodes v as a request body; nil stays nil.
func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOversizedBodiesAtOnce proves that oversized bodies arriving together each get their own
// 413 (with the race detector, that the answer shares no state between requests).
func TestOversizedBodiesAtOnce(t *testing.T) {
	f := newFixture(t, unlimited)
	body := jsonBody(t, bigBank())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := f.send(t, f.newRequest(t, "POST", "/hashbanks", f.officer.token, body))
			wantProblem(t, r, 413, takedown.ETOOLARGE, "", "65536 bytes")
		})
	}
	wg.Wait()
}
