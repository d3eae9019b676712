package httpapi

import (
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
		if err := transparency.CheckFormat(q.Format); err != nil {
			return nil, err
		}
		p, err := s.period(r.Context(), q.periodQuery)
		if err != nil {
			return nil, err
		}
		rep, err := s.svc.TransparencyReport(r.Context(), q.Report, p, q.Lang)
		if err != nil {
			return nil, err
		}
		body, contentType, name, err := rep.Document(q.Format, p)
		if err != nil {
			return nil, err
		}
		header := http.Header{"X-Content-Type-Options": {"nosniff"}, "Cache-Control": {"no-store"},
			"Content-Disposition": {fmt.Sprintf(`inline; filename="%s"`, name)}}
		if contentType != "application/pdf" {
			header.Set("Content-Security-Policy", transparency.DocumentPolicy)
		}
		return rawResponse{contentType: contentType, body: body, header: header}, nil
	}
	return h
}
