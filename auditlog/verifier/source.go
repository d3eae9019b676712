package verifier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/client"
)

// Source is where the log is read from: the authority's server, or a bundle exported from
// it. Nothing it returns is trusted: Verify checks all of it.
type Source interface {
	// Checkpoint returns the latest signed checkpoint, as published.
	Checkpoint(ctx context.Context) ([]byte, error)
	// Tile returns the data of a tile of the tree: the hashes of a hash tile, or, for
	// t.L == auditlog.EntriesLevel, the entry bundle, at the width t.W.
	Tile(ctx context.Context, t tlog.Tile) ([]byte, error)
	// Events returns the record's events, oldest first, each with its salt. A source
	// without them returns an error wrapping ErrNoEvents that says why.
	Events(ctx context.Context) (iter.Seq2[*takedown.Event, error], error)
}

// HTTPSource reads the log from the authority's server: the public tiles under /log/, and,
// with a token of a role that may read the record (officer, supervisor or controller), the
// events from the API.
type HTTPSource struct {
	server string // the base URL, such as https://takedown.example
	token  string // the API token; empty for the public tiles only
	hc     *http.Client
}

// NewHTTPSource returns a source for the server at the base URL, with an API token or none.
func NewHTTPSource(server, token string) *HTTPSource {
	return &HTTPSource{server: strings.TrimRight(server, "/"), token: token, hc: &http.Client{Timeout: time.Minute}}
}

// String names the source in messages.
func (s *HTTPSource) String() string { return s.server + "/log/" }

// Checkpoint fetches /log/checkpoint.
func (s *HTTPSource) Checkpoint(ctx context.Context) ([]byte, error) {
	b, _, err := s.get(ctx, "checkpoint", auditlog.MaxCheckpoint)
	return b, err
}

// Tile fetches a tile. A partial tile the server no longer has, because the log grew and
// filled it, is read from the full tile, whose first hashes it is (C2SP tlog-tiles).
func (s *HTTPSource) Tile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	want := tileDataSize(t)
	b, status, err := s.get(ctx, auditlog.TilePath(t), want)
	if status == http.StatusNotFound && t.W < auditlog.TileWidth {
		full := t
		full.W = auditlog.TileWidth
		if fb, _, ferr := s.get(ctx, auditlog.TilePath(full), tileDataSize(full)); ferr == nil && int64(len(fb)) == tileDataSize(full) {
			return fb[:want], nil
		}
	}
	return b, err
}

// get fetches a path under /log/, of at most max bytes.
func (s *HTTPSource) get(ctx context.Context, path string, max int64) ([]byte, int, error) {
	u := s.server + "/log/" + path
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, 0, takedown.Errorf(takedown.EINVALID, "bad server address %q: %v", s.server, err)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, takedown.Errorf(takedown.EUNAVAILABLE, "cannot reach the server at %s: %v", s.server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, resp.StatusCode, takedown.Errorf(takedown.CodeForStatus(resp.StatusCode), "GET %s: the server answered %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, resp.StatusCode, takedown.Errorf(takedown.EUNAVAILABLE, "GET %s: reading the answer: %v", u, err)
	}
	if int64(len(b)) > max {
		return nil, resp.StatusCode, fmt.Errorf("verifier: GET %s: %w answer: longer than %d bytes", u, auditlog.ErrMalformed, max)
	}
	return b, resp.StatusCode, nil
}

// eventPage is the API's size of a page of events.
const eventPage = 500

// eventsPage is one page of events as fetched, or the error that ended the fetching.
type eventsPage struct {
	items  []*takedown.Event
	cursor string // the page's own cursor, for messages
	err    error
}

// Events reads the record from GET /api/v1/events, page by page. The next page is fetched
// while the caller checks the current one, so that the server's work and the verifier's
// overlap instead of taking turns.
func (s *HTTPSource) Events(ctx context.Context) (iter.Seq2[*takedown.Event, error], error) {
	if s.token == "" {
		return nil, fmt.Errorf("%w: the events are not public, and no token was given", ErrNoEvents)
	}
	c := client.New(s.server, s.token)
	c.HTTP = s.hc
	return func(yield func(*takedown.Event, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops the fetching when the caller stops early
		pages := make(chan eventsPage, 1)
		go func() {
			defer close(pages)
			send := func(p eventsPage) bool {
				select {
				case pages <- p:
					return true
				case <-ctx.Done():
					return false
				}
			}
			cursor := ""
			for {
				q := url.Values{"limit": {fmt.Sprint(eventPage)}}
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				var page struct {
					Items      []*takedown.Event `json:"items"`
					NextCursor string            `json:"next_cursor"`
				}
				if err := c.Do(ctx, "GET", "/events", q, nil, &page); err != nil {
					send(eventsPage{err: fmt.Errorf("verifier: read the events after cursor %q: %w", cursor, err)})
					return
				}
				if !send(eventsPage{items: page.Items, cursor: cursor}) || page.NextCursor == "" || len(page.Items) == 0 {
					return
				}
				if page.NextCursor == cursor {
					send(eventsPage{err: errors.New("verifier: the server gives the same page of events again: its cursor does not move")})
					return
				}
				cursor = page.NextCursor
			}
		}()
		for p := range pages {
			if p.err != nil {
				yield(nil, p.err)
				return
			}
			for _, e := range p.items {
				if e == nil {
					yield(nil, fmt.Errorf("verifier: the server's page of events after cursor %q holds a null: %w", p.cursor, auditlog.ErrMalformed))
					return
				}
				if !yield(e, nil) {
					return
				}
			}
		}
	}, nil
}
