package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/feed"
	"github.com/takedown-project/takedown/hashbank"
)

// Body limits of the routes that take files: a file, or files base64-encoded in JSON.
const (
	maxFileBody  = takedown.MaxReportFileSize + 1<<10
	maxFilesBody = (takedown.MaxReportFiles*takedown.MaxReportFileSize)*4/3 + 64<<10
	maxListBody  = takedown.MaxImportSize
)

// withBody lets a handler read a body up to n bytes instead of the server's limit.
func withBody(h handler, n int64) handler {
	h.maxBody = n
	return h
}

// fileBody is a request body that is a file as it is, for the OpenAPI document.
type fileBody []byte

// readBody reads a raw request body.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, takedown.Errorf(takedown.ETOOLARGE, "the request body is larger than %d bytes", tooLarge.Limit)
	} else if err != nil {
		return nil, takedown.Errorf(takedown.EINVALID, "the request body could not be read")
	}
	return body, nil
}

// hashQuery names the file hashed.
type hashQuery struct {
	Name string `query:"name"`
}

// hashHandler serves the hashes of the file in the body.
func (s *Server) hashHandler() handler {
	return withBody(handler{in: typeOf[fileBody](), query: typeOf[hashQuery](), out: typeOf[*takedown.ImageHashes](),
		handle: func(r *http.Request) (any, error) {
			var q hashQuery
			if err := decodeQuery(r, &q); err != nil {
				return nil, err
			}
			body, err := readBody(r)
			if err != nil {
				return nil, err
			}
			return s.svc.HashFile(r.Context(), q.Name, body)
		}}, maxFileBody)
}

// hashFeedQuery is the query of the platform feed.
type hashFeedQuery struct {
	Since int64 `query:"since"`
	Limit int   `query:"limit"`
}

// signedHashFeed is the type of the hash feed answer, for the OpenAPI document.
type signedHashFeed []byte

// hashFeedHandler serves a platform's hash feed as a signed note.
func (s *Server) hashFeedHandler() handler {
	return handler{query: typeOf[hashFeedQuery](), out: typeOf[signedHashFeed](), handle: func(r *http.Request) (any, error) {
		var q hashFeedQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if len(s.cfg.FeedSigners) == 0 {
			return nil, takedown.Errorf(takedown.EUNAVAILABLE, "this server has no key to sign feeds")
		}
		f, err := s.svc.HashFeed(r.Context(), q.Since, q.Limit)
		if err != nil {
			return nil, err
		}
		msg, err := feed.SignHashes(f, s.cfg.FeedSigners...)
		if err != nil {
			return nil, err
		}
		return rawResponse{contentType: "text/plain; charset=utf-8", body: msg, header: http.Header{
			"Cache-Control": {"no-store"}, "X-Content-Type-Options": {"nosniff"}}}, nil
	}}
}

// evidenceInput names the bank a case's hashes go to.
type evidenceInput struct {
	BankID int64 `json:"bank_id"`
}

func (s *Server) addCaseEvidence(ctx context.Context, caseID int64, in evidenceInput) (*casework.AddResult, error) {
	if in.BankID <= 0 {
		return nil, takedown.Invalid("bank_id", "is required: the evidence bank of the case's offence")
	}
	return s.svc.AddCaseEvidence(ctx, caseID, in.BankID)
}

// feedbackBatch is a platform's feedback.
type feedbackBatch struct {
	Feedback []takedown.FeedbackInput `json:"feedback"`
}

func (s *Server) submitFeedback(ctx context.Context, in feedbackBatch) (*listResponse[*takedown.Feedback], error) {
	list, err := s.svc.SubmitFeedback(ctx, in.Feedback)
	if err != nil {
		return nil, err
	}
	return &listResponse[*takedown.Feedback]{Items: list}, nil
}

// lookupResponse is what a lookup found, one result per query hash.
type lookupResponse struct {
	Results []takedown.MatchResult `json:"results"`
}

func (s *Server) lookup(ctx context.Context, in casework.LookupInput) (*lookupResponse, error) {
	res, err := s.svc.Lookup(ctx, in)
	if err != nil {
		return nil, err
	}
	return &lookupResponse{Results: res}, nil
}

// hashList is a request or answer body that is a hash list, for the OpenAPI document.
type hashList []byte

// importQuery gives the hash type of a plain list.
type importQuery struct {
	Type takedown.HashType `query:"type"`
}

// listFormats maps the media types of hash lists to their formats.
var listFormats = map[string]hashbank.Format{"text/csv": hashbank.CSV, "application/json": hashbank.JSON, "text/plain": hashbank.Plain}

// importHandler adds the hash list in the body to the bank of the path.
func (s *Server) importHandler() handler {
	return withBody(handler{in: typeOf[hashList](), query: typeOf[importQuery](), out: typeOf[*casework.AddResult](),
		handle: func(r *http.Request) (any, error) {
			id, err := pathID(r)
			if err != nil {
				return nil, err
			}
			var q importQuery
			if err := decodeQuery(r, &q); err != nil {
				return nil, err
			}
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			format, ok := listFormats[mt]
			if !ok {
				return nil, takedown.Errorf(takedown.EUNSUPPORTED, "send the list as text/csv, application/json or text/plain (one hash a line, with ?type=)")
			}
			if format == hashbank.Plain && q.Type == "" {
				return nil, takedown.Invalid("type", "is required for a plain list: pdq, md5 or sha256")
			}
			body, err := readBody(r)
			if err != nil {
				return nil, err
			}
			entries, err := hashbank.ReadEntries(bytes.NewReader(body), format, q.Type)
			if err != nil {
				return nil, takedown.Invalid("body", "%v", err)
			}
			return s.svc.AddEntries(r.Context(), id, entries)
		}}, maxListBody)
}

// exportQuery chooses the format and the entries of an export.
type exportQuery struct {
	Format hashbank.Format     `query:"format"`
	State  takedown.EntryState `query:"state"`
	Type   takedown.HashType   `query:"type"`
}

// exportHandler writes the entries of the bank of the path as a hash list.
func (s *Server) exportHandler() handler {
	return handler{query: typeOf[exportQuery](), out: typeOf[hashList](), handle: func(r *http.Request) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		var q exportQuery
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		if q.Format == "" {
			q.Format = hashbank.CSV
		}
		var contentType string
		for mt, f := range listFormats {
			if f == q.Format {
				contentType = mt
				if strings.HasPrefix(mt, "text/") {
					contentType += "; charset=utf-8"
				}
			}
		}
		if contentType == "" {
			return nil, takedown.Invalid("format", "must be csv, json or plain, not %q", q.Format)
		}
		if _, err := s.svc.Bank(r.Context(), id); err != nil {
			return nil, err
		}
		entries, err := takedown.All(func(p takedown.Page) ([]*takedown.HashEntry, string, error) {
			return s.svc.Entries(r.Context(), takedown.EntryFilter{BankID: id, State: q.State, Type: q.Type, Page: p})
		})
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := hashbank.WriteEntries(&buf, q.Format, entries); err != nil {
			return nil, err
		}
		return rawResponse{contentType: contentType, body: buf.Bytes(), header: http.Header{"Cache-Control": {"no-store"}}}, nil
	}}
}
