package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Page is a page fetched whole, to keep as evidence.
type Page struct {
	// FinalURL is where the redirects, if any, ended.
	FinalURL    string
	ContentType string
	Body        []byte
}

// ErrNotCaptured says the page was fetched but cannot be kept: it is too large, or the
// server did not give it (a status other than 200).
var ErrNotCaptured = errors.New("not captured")

// Capture fetches rawURL whole with client, the guarded client of NewClient: the same
// address guard, timeout and redirect limit as a compliance check. A body larger than the
// client's MaxBytes is refused rather than kept cut short: evidence is the whole content or
// nothing.
func Capture(ctx context.Context, client *http.Client, rawURL string) (Page, error) {
	var body bytes.Buffer
	s, err := get(ctx, client, rawURL, "", &body)
	switch {
	case err != nil:
		return Page{}, err
	case s.truncated:
		limit := Default().MaxBytes
		if t, ok := client.Transport.(*transport); ok {
			limit = t.config.MaxBytes
		}
		return Page{}, fmt.Errorf("fetch: %w: %s is larger than %d MB, the most kept as evidence", ErrNotCaptured, rawURL, limit>>20)
	case s.status != http.StatusOK:
		return Page{}, fmt.Errorf("fetch: %w: %s answered %d %s", ErrNotCaptured, s.finalURL, s.status, http.StatusText(s.status))
	case s.size == 0:
		return Page{}, fmt.Errorf("fetch: %w: %s answered an empty page", ErrNotCaptured, s.finalURL)
	}
	return Page{FinalURL: s.finalURL, ContentType: s.contentType, Body: body.Bytes()}, nil
}
