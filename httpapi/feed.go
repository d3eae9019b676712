package httpapi

import (
	"net/http"
	"slices"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/feed"
)

// feedQuery is the query of a list's feed.
type feedQuery struct {
	// Since is the version the reader has: 0 (the default) for the whole list.
	Since int64 `query:"since"`
	// Format is json (the default) or csv.
	Format feed.Format `query:"format"`
}

// signedFeed is the type of the answers that are signed feeds, for the OpenAPI document.
type signedFeed []byte

// FeedFormatHeader names the format of the signed feed an answer holds.
const FeedFormatHeader = "Takedown-Feed-Format"

// feedHandler serves a list's signed feed. The answer is a signed note, text/plain whatever
// the format of its text, which FeedFormatHeader names: a note is not a JSON document nor a
// CSV file until its signature lines are taken off, which is what verifying it does.
func (s *Server) feedHandler() handler {
	return handler{query: typeOf[feedQuery](), out: typeOf[signedFeed](), handle: func(r *http.Request) (any, error) {
		var q feedQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if q.Format == "" {
			q.Format = feed.JSON
		}
		if !slices.Contains(feed.Formats, q.Format) {
			return nil, takedown.Invalid("format", "must be json or csv, not %q", q.Format)
		}
		if len(s.cfg.FeedSigners) == 0 {
			return nil, takedown.Errorf(takedown.EUNAVAILABLE, "this server has no key to sign feeds")
		}
		list, err := pathList(r)
		if err != nil {
			return nil, err
		}
		f, err := s.svc.Feed(r.Context(), list, q.Since)
		if err != nil {
			return nil, err
		}
		msg, err := feed.Sign(f, q.Format, s.cfg.FeedSigners...)
		if err != nil {
			return nil, err
		}
		return rawResponse{contentType: "text/plain; charset=utf-8", body: msg, header: http.Header{
			FeedFormatHeader: {string(q.Format)}, "Cache-Control": {"no-store"}, "X-Content-Type-Options": {"nosniff"}}}, nil
	}}
}
