package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/pdq"
)

// sealEvidence seals a report's files before its transaction, each picture with its preview,
// made once here rather than at every showing of the case.
func (s *Service) sealEvidence(files []takedown.ReportFile) ([]*takedown.Evidence, error) {
	var out []*takedown.Evidence
	for _, f := range files {
		sealed, err := s.evidence.Seal(f.Data)
		if err != nil {
			return nil, fmt.Errorf("casework: seal evidence: %w", err)
		}
		sum := sha256.Sum256(f.Data)
		e := &takedown.Evidence{Name: f.Name, ContentType: http.DetectContentType(f.Data), Size: len(f.Data),
			SHA256: hex.EncodeToString(sum[:]), Sealed: sealed}
		if img, _, err := pdq.Decode(bytes.NewReader(f.Data), pdq.Limits{}); err == nil {
			var b bytes.Buffer
			if err := png.Encode(&b, mosaic(img, previewSize)); err != nil {
				return nil, fmt.Errorf("casework: evidence preview: %w", err)
			}
			if e.SealedPreview, err = s.evidence.Seal(b.Bytes()); err != nil {
				return nil, fmt.Errorf("casework: seal evidence: %w", err)
			}
			e.HasPreview = true
		}
		out = append(out, e)
	}
	return out, nil
}

// CaseEvidence lists the evidence of a case's reports, and how much evidence the signed-in
// user opened today.
func (s *Service) CaseEvidence(ctx context.Context, caseID int64) ([]*takedown.Evidence, takedown.Exposure, error) {
	u, err := require(ctx, readers...)
	if err != nil {
		return nil, takedown.Exposure{}, err
	}
	var list []*takedown.Evidence
	var exposure takedown.Exposure
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		if list, err = tx.CaseEvidence(caseID); err != nil {
			return err
		}
		exposure.Today, err = tx.Exposure(u.ID, s.day(tx.Now()))
		return err
	})
	return list, exposure, err
}

// day is a time's day in the authority's zone.
func (s *Service) day(t time.Time) string { return t.In(s.profile.Location()).Format("2006-01-02") }

// EvidenceAccess is why a user opens a piece of evidence: the reasons are required, and
// recorded with the user in the audit log.
type EvidenceAccess struct {
	Reason string `json:"reason"`
}

// OpenedEvidence is a piece of evidence opened: its description and its content, or for
// the controller's sealed copy the age file to open with its own identity.
type OpenedEvidence struct {
	Evidence *takedown.Evidence `json:"evidence"`
	Content  []byte             `json:"content,omitempty"`
	Sealed   []byte             `json:"sealed,omitempty"`
	Exposure takedown.Exposure  `json:"exposure"`
}

// OpenEvidence unseals a piece of evidence for the signed-in user, who must give the reason:
// the reading is an event of the audit log, with the user and the reason, and counts in the
// user's exposure of the day. A blob that the server's key cannot open (damaged, or sealed
// to another key) is an error naming the evidence, and nothing is recorded.
func (s *Service) OpenEvidence(ctx context.Context, id int64, in EvidenceAccess) (*OpenedEvidence, error) {
	return s.accessEvidence(ctx, id, in.Reason, false)
}

// SealedEvidence gives the controller a piece of evidence still sealed, for it to open with
// its own identity, which never reaches the server; the access is recorded like an opening.
func (s *Service) SealedEvidence(ctx context.Context, id int64, in EvidenceAccess) (*OpenedEvidence, error) {
	return s.accessEvidence(ctx, id, in.Reason, true)
}

func (s *Service) accessEvidence(ctx context.Context, id int64, reason string, sealed bool) (*OpenedEvidence, error) {
	roles := readers
	if sealed {
		roles = []takedown.Role{takedown.RoleController}
	}
	u, err := require(ctx, roles...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reason", &reason); err != nil {
		return nil, err
	}
	o := &OpenedEvidence{}
	err = s.update(ctx, func(tx takedown.Tx) error {
		e, err := tx.Evidence(id)
		if err != nil {
			return err
		}
		if len(e.Sealed) == 0 {
			return takedown.Errorf(takedown.ENOTFOUND, "evidence %d has no content any more (purged)", id)
		}
		if sealed {
			o.Sealed = e.Sealed
		} else if o.Content, err = s.evidence.Unseal(e.Sealed); err != nil {
			return takedown.Errorf(takedown.EUNAVAILABLE, "evidence %d cannot be unsealed with the server's key (damaged, or sealed to another key): %v", id, err)
		}
		if o.Exposure.Today, err = tx.CountExposure(u.ID, s.day(tx.Now())); err != nil {
			return err
		}
		caseIDs := []int64{e.CaseID}
		if e.ReportID != 0 {
			r, err := tx.Report(e.ReportID)
			if err != nil {
				return err
			}
			caseIDs = r.CaseIDs()
		}
		data := map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "views_today": o.Exposure.Today, "reason": reason}
		if sealed {
			data["sealed"] = true
		}
		for _, caseID := range caseIDs {
			if err := record(tx, u, event{kind: takedown.EventEvidenceViewed, caseID: caseID, data: data}); err != nil {
				return err
			}
		}
		e.Sealed, e.SealedPreview = nil, nil
		o.Evidence = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// EvidencePreview returns the preview of a picture, a PNG of previewSize cells a side, so
// that an officer can tell pictures apart without seeing them; it is not an opening of the
// evidence. A file that is not a picture has none (EUNSUPPORTED).
func (s *Service) EvidencePreview(ctx context.Context, id int64) ([]byte, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var e *takedown.Evidence
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		e, err = tx.Evidence(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !e.HasPreview {
		return nil, takedown.Errorf(takedown.EUNSUPPORTED, "evidence %d is not a picture this server decodes", id)
	}
	preview, err := s.evidence.Unseal(e.SealedPreview)
	if err != nil {
		return nil, fmt.Errorf("casework: unseal the preview of evidence %d: %w", id, err)
	}
	return preview, nil
}

// previewSize is the width and height of a preview: few enough cells that nothing can be
// recognised, enough to tell one picture from another.
const previewSize = 12

// mosaic averages an image into n×n cells.
func mosaic(img image.Image, n int) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, n, n))
	for cy := range n {
		for cx := range n {
			x0, x1 := b.Min.X+cx*b.Dx()/n, b.Min.X+(cx+1)*b.Dx()/n
			y0, y1 := b.Min.Y+cy*b.Dy()/n, b.Min.Y+(cy+1)*b.Dy()/n
			var r, g, bl, count uint64
			for y := y0; y < max(y1, y0+1); y++ {
				for x := x0; x < max(x1, x0+1); x++ {
					cr, cg, cb, _ := img.At(x, y).RGBA()
					r, g, bl, count = r+uint64(cr), g+uint64(cg), bl+uint64(cb), count+1
				}
			}
			out.Set(cx, cy, color.RGBA64{R: uint16(r / count), G: uint16(g / count), B: uint16(bl / count), A: 0xffff})
		}
	}
	return out
}

// AttachInput is the files an officer attaches to a case.
type AttachInput struct {
	Files []takedown.ReportFile `json:"files"`
}

// AttachEvidence seals files an officer attaches to an accepted case (from qualification to
// approval and its measures); each digest goes into an evidence.attached event, the content
// only into the sealed blob.
func (s *Service) AttachEvidence(ctx context.Context, caseID int64, in AttachInput) ([]*takedown.Evidence, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	switch {
	case len(in.Files) == 0:
		return nil, takedown.Invalid("files", "is empty: attach at least one file")
	case len(in.Files) > takedown.MaxReportFiles:
		return nil, takedown.Invalid("files", "holds %d files, at most %d", len(in.Files), takedown.MaxReportFiles)
	}
	for i, f := range in.Files {
		if err := f.Validate(fmt.Sprintf("files[%d]", i)); err != nil {
			return nil, err
		}
	}
	list, err := s.sealEvidence(in.Files)
	if err != nil {
		return nil, err
	}
	return list, s.addEvidence(ctx, u, caseID, list, "")
}

// addEvidence adds sealed evidence an officer attached, or a page captured at sourceURL, to
// an accepted case (from qualification to approval and its measures), with an event each
// giving its digest; the content goes only into the sealed blob.
func (s *Service) addEvidence(ctx context.Context, u *takedown.User, caseID int64, list []*takedown.Evidence, sourceURL string) error {
	source, kind := takedown.EvidenceAttached, takedown.EventEvidenceAttached
	if sourceURL != "" {
		source, kind = takedown.EvidenceCaptured, takedown.EventEvidenceCaptured
	}
	err := s.update(ctx, func(tx takedown.Tx) error {
		if err := acceptedCase(tx, caseID); err != nil {
			return err
		}
		for _, e := range list {
			e.CaseID, e.Source, e.SourceURL, e.AddedBy, e.ReceivedAt = caseID, source, sourceURL, u.ID, tx.Now()
			if err := tx.CreateEvidence(e); err != nil {
				return err
			}
			data := map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "size": e.Size, "content_type": e.ContentType}
			if sourceURL != "" {
				data["url"] = sourceURL
			}
			if err := record(tx, u, event{kind: kind, caseID: caseID, data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	for _, e := range list {
		e.Sealed, e.SealedPreview = nil, nil
	}
	return err
}

// acceptedCase refuses evidence on a case not accepted, or closed.
func acceptedCase(tx takedown.Tx, caseID int64) error {
	c, err := tx.Case(caseID)
	if err != nil {
		return err
	}
	switch c.State {
	case takedown.CaseQualifying, takedown.CaseAwaitingApproval, takedown.CaseApproved:
		return nil
	}
	return wrongState(c, "given evidence", takedown.CaseQualifying, takedown.CaseAwaitingApproval, takedown.CaseApproved)
}
