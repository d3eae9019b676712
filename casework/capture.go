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

// AttachEvidence adds a file an officer brings to an open case — a screenshot, a download of
// the content — as sealed evidence: its digest is recorded in the audit log
// (evidence.attached), its content encrypted at rest.
func (s *Service) AttachEvidence(ctx context.Context, caseID int64, f takedown.ReportFile) (*takedown.Evidence, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := f.Validate("file"); err != nil {
		return nil, err
	}
	return s.addEvidence(ctx, u, caseID, f, takedown.EvidenceAttached, "", "")
}

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
	// The case must be open before the fetch, which takes time and reaches outside.
	if err := s.view(ctx, func(tx takedown.Tx) error { return openCase(tx, caseID) }); err != nil {
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
	return s.addEvidence(ctx, u, caseID, takedown.ReportFile{Name: name, Data: body}, takedown.EvidenceCaptured, final, contentType)
}

// openCase refuses evidence on a closed or unknown case.
func openCase(tx takedown.Tx, caseID int64) error {
	c, err := tx.Case(caseID)
	if err != nil {
		return err
	}
	if !c.Open() {
		return conflict("case %d is closed: evidence is added to open cases", caseID)
	}
	return nil
}

// addEvidence seals a file and adds it to an open case, with its event. contentType, when
// set, is the type its server gave; otherwise the type is detected from the content.
func (s *Service) addEvidence(ctx context.Context, u *takedown.User, caseID int64, f takedown.ReportFile, source, sourceURL, contentType string) (*takedown.Evidence, error) {
	sealed, err := s.sealEvidence([]takedown.ReportFile{f})
	if err != nil {
		return nil, err
	}
	e := sealed[0]
	if contentType != "" {
		e.ContentType = contentType
	}
	e.CaseID, e.Source, e.SourceURL, e.AddedBy = caseID, source, sourceURL, u.ID
	kind := takedown.EventEvidenceAttached
	if source == takedown.EvidenceCaptured {
		kind = takedown.EventEvidenceCaptured
	}
	err = s.update(ctx, func(tx takedown.Tx) error {
		if err := openCase(tx, caseID); err != nil {
			return err
		}
		e.ReceivedAt = tx.Now()
		if err := tx.CreateEvidence(e); err != nil {
			return err
		}
		data := map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "size": e.Size, "content_type": e.ContentType}
		if sourceURL != "" {
			data["url"] = sourceURL
		}
		return record(tx, u, event{kind: kind, caseID: caseID, data: data})
	})
	if err != nil {
		return nil, err
	}
	e.Sealed, e.SealedPreview = nil, nil
	return e, nil
}
