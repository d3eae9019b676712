package casework

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
)

// Capturer fetches a page whole, to keep as evidence, with the protections of the
// compliance checks (delivery/fetch.Capture with its guarded client): no private address,
// a timeout, a size cap. Its errors say what went wrong; a refusal wraps ErrCaptureRefused.
type Capturer func(ctx context.Context, rawURL string) (body []byte, contentType, finalURL string, err error)

// ErrCaptureRefused marks a capture the fetcher refused or could not keep, as opposed to a
// failure of the server itself.
var ErrCaptureRefused = errors.New("capture refused")

// SetCapturer lets officers capture pages as evidence; without one, a capture is refused.
func (s *Service) SetCapturer(c Capturer) { s.capture = c }

// CaptureEvidence fetches a page of an open case's content and keeps it as sealed evidence,
// with the type the server gave and the address where the redirects ended: its digest and
// address are recorded in the audit log (evidence.captured).
func (s *Service) CaptureEvidence(ctx context.Context, caseID int64, in takedown.CaptureInput) (*takedown.Evidence, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if _, err := canon.URL(in.URL); err != nil {
		return nil, takedown.Invalid("url", "%v", err)
	}
	if s.capture == nil {
		return nil, takedown.Errorf(takedown.EUNSUPPORTED, "this server captures no page (no capturer configured); attach the file instead")
	}
	// The case is checked before the fetch too, which takes time and reaches outside.
	if err := s.view(ctx, func(tx takedown.Tx) error { return acceptedCase(tx, caseID) }); err != nil {
		return nil, err
	}
	body, contentType, final, err := s.capture(ctx, in.URL)
	if errors.Is(err, ErrCaptureRefused) {
		return nil, takedown.Invalid("url", "could not be captured: %s", strings.TrimPrefix(err.Error(), ErrCaptureRefused.Error()+": "))
	}
	if err != nil {
		return nil, fmt.Errorf("casework: capture %s: %w", in.URL, err)
	}
	name := path.Base(strings.TrimSuffix(final, "/"))
	if len(name) > takedown.MaxFileNameLength || name == "." || name == "/" {
		name = "capture"
	}
	list, err := s.sealEvidence([]takedown.ReportFile{{Name: name, Data: body}})
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		list[0].ContentType = contentType // as its server gave it
	}
	if err := s.addEvidence(ctx, u, caseID, list, final); err != nil {
		return nil, err
	}
	return list[0], nil
}
