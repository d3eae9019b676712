package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// periodQuery chooses the period of the figures: a year (this year by default), or the days
// from one date to another, both included.
type periodQuery struct {
	Year int    `query:"year,positive"`
	From string `query:"from"`
	To   string `query:"to"`
}

func (s *Server) period(ctx context.Context, q periodQuery) (transparency.Period, error) {
	return s.svc.Period(ctx, q.Year, q.From, q.To)
}

func (s *Server) transparencyFigures(ctx context.Context, q periodQuery) (*transparency.Figures, error) {
	p, err := s.period(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.svc.Transparency(ctx, p)
}

// traceQuery names a figure of a period.
type traceQuery struct {
	periodQuery
	Figure string `query:"figure"`
}

// FigureTrace is a figure with the ids of the events it counts, to check against the audit
// log (GET /events/{id}/proof).
type FigureTrace struct {
	Figure string              `json:"figure"`
	Period transparency.Period `json:"period"`
	Events []int64             `json:"events"`
}

func (s *Server) transparencyTrace(ctx context.Context, q traceQuery) (*FigureTrace, error) {
	if q.Figure == "" {
		return nil, takedown.Invalid("figure", "is required: a figure's name, such as reports.received")
	}
	p, err := s.period(ctx, q.periodQuery)
	if err != nil {
		return nil, err
	}
	ids, err := s.svc.TransparencyTrace(ctx, p, q.Figure)
	if err != nil {
		return nil, err
	}
	return &FigureTrace{Figure: q.Figure, Period: p, Events: append([]int64{}, ids...)}, nil
}

// reportQuery chooses a report, its period, language and format.
type reportQuery struct {
	periodQuery
	Report string `query:"report"`
	Lang   string `query:"lang"`
	Format string `query:"format"`
}

// reportDocument is the type of a report in the OpenAPI document: HTML or PDF.
type reportDocument []byte

func (s *Server) reportHandler() handler {
	h := handler{query: typeOf[reportQuery](), out: typeOf[reportDocument]()}
	h.handle = func(r *http.Request) (any, error) {
		var q reportQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if q.Report == "" {
			q.Report = transparency.Annual
		}
		if q.Format == "" {
			q.Format = "html"
		}
		if q.Format != "html" && q.Format != "pdf" {
			return nil, takedown.Invalid("format", "must be html or pdf, not %q", q.Format)
		}
		p, err := s.period(r.Context(), q.periodQuery)
		if err != nil {
			return nil, err
		}
		rep, err := s.svc.TransparencyReport(r.Context(), q.Report, p, q.Lang)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		header := http.Header{"X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-store"}}
		contentType := "text/html; charset=utf-8"
		if q.Format == "pdf" {
			err, contentType = rep.PDF(&buf), "application/pdf"
			header.Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%d.pdf"`, q.Report, p.From.Year()))
		} else {
			err = rep.HTML(&buf)
			// The report is a document, not an application: nothing runs and nothing loads.
			header.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		if err != nil {
			return nil, err
		}
		return rawResponse{contentType: contentType, body: buf.Bytes(), header: header}, nil
	}
	return h
}
