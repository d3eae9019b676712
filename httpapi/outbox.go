package httpapi

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery/forms"
)

// recordsQuery is the period of an operator's records, and the format of the answer.
type recordsQuery struct {
	From   time.Time `query:"from"`
	To     time.Time `query:"to"`
	Format string    `query:"format"`
}

// recordsHandler serves an operator's records as JSON, or as CSV, one delivery a line.
func (s *Server) recordsHandler() handler {
	h := handler{query: typeOf[recordsQuery](), out: typeOf[casework.OperatorRecords]()}
	h.handle = func(r *http.Request) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		var q recordsQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if q.Format != "" && q.Format != "json" && q.Format != "csv" {
			return nil, takedown.Invalid("format", "must be json or csv, not %q", q.Format)
		}
		rec, err := s.svc.Records(r.Context(), id, casework.RecordsFilter{From: q.From, To: q.To})
		if err != nil || q.Format != "csv" {
			return rec, err
		}
		return rawResponse{contentType: "text/csv; charset=utf-8", body: RecordsCSV(rec), header: http.Header{
			"Content-Disposition": {fmt.Sprintf(`attachment; filename="operator-%d-records-%s-%s.csv"`, id,
				rec.From.Format(time.DateOnly), rec.To.Format(time.DateOnly))}}}, nil
	}
	return h
}

// RecordsCSV writes an operator's deliveries as CSV, one a line, times in RFC 3339 UTC.
func RecordsCSV(rec *casework.OperatorRecords) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"delivery_id", "measure_id", "case_id", "kind", "purpose", "state", "sent_at", "received_at", "received_via",
		"answer", "complied_at", "verified_at", "deadline", "seconds_to_receipt", "seconds_to_compliance", "attempts"})
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	secs := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', 0, 64)
	}
	for _, d := range rec.Deliveries {
		w.Write([]string{strconv.FormatInt(d.DeliveryID, 10), strconv.FormatInt(d.MeasureID, 10), strconv.FormatInt(d.CaseID, 10),
			string(d.Kind), string(d.Purpose), string(d.State), at(&d.SentAt), at(d.ReceivedAt), string(d.ReceivedVia), string(d.Answer),
			at(d.CompliedAt), at(d.VerifiedAt), string(d.Deadline), secs(d.SecondsToReceipt), secs(d.SecondsToCompliance),
			strconv.Itoa(d.Attempts)})
	}
	w.Flush()
	return buf.Bytes()
}

// formQuery chooses a form's format.
type formQuery struct {
	Format string `query:"format"`
}

// formFormats are the formats of a form, by name, with their content types.
var formFormats = map[string]struct {
	contentType string
	render      func(io.Writer, forms.Notice) error
}{
	"html": {"text/html; charset=utf-8", forms.HTML},
	"json": {"application/json", forms.JSON},
	"pdf":  {"application/pdf", forms.PDF},
	"text": {"text/plain; charset=utf-8", forms.Text},
}

// formHandler serves a delivery's official form as HTML (the default), JSON, PDF or text.
func (s *Server) formHandler() handler {
	h := handler{query: typeOf[formQuery](), out: typeOf[formDocument]()}
	h.handle = func(r *http.Request) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		var q formQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if q.Format == "" {
			q.Format = "html"
		}
		f, ok := formFormats[q.Format]
		if !ok {
			return nil, takedown.Invalid("format", "must be html, json, pdf or text, not %q", q.Format)
		}
		n, err := s.svc.Form(r.Context(), id)
		if err != nil {
			return nil, err
		}
		n.AnswerURL = s.publicURL(r) + fmt.Sprintf("/api/v1/deliveries/%d/answer", id)
		var buf bytes.Buffer
		if err := f.render(&buf, *n); err != nil {
			return nil, err
		}
		header := http.Header{"X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-store"}}
		if q.Format == "html" {
			// The form is a document, not an application: nothing runs and nothing loads.
			header.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		if q.Format == "pdf" {
			header.Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s.pdf"`, n.Reference))
		}
		return rawResponse{contentType: f.contentType, body: buf.Bytes(), header: header}, nil
	}
	return h
}

// formDocument is the type of a form in the OpenAPI document: a document in the format asked.
type formDocument []byte

// publicURL is where operators reach the server.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
