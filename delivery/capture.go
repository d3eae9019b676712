package delivery

import (
	"context"
	"fmt"

	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery/fetch"
)

// Capturer is casework's capture of pages as evidence, through a guarded client of the
// compliance checks' configuration: the same address guard, proxy, timeout and size cap.
// Whatever stops a capture — an address refused, a timeout, a page too large or not given —
// is the officer's to know, not a failure of the server.
func Capturer(cfg fetch.Config) casework.Capturer {
	client := fetch.NewClient(cfg)
	return func(ctx context.Context, rawURL string) ([]byte, string, string, error) {
		p, err := fetch.Capture(ctx, client, rawURL)
		if err != nil {
			return nil, "", "", fmt.Errorf("%w: %v", casework.ErrCaptureRefused, err)
		}
		return p.Body, p.ContentType, p.FinalURL, nil
	}
}
