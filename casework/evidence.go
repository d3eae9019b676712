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
		sealed, err := s.sealer.Seal(f.Data)
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
			if e.SealedPreview, err = s.sealer.Seal(b.Bytes()); err != nil {
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

// OpenEvidence unseals a piece of evidence for the signed-in user: the reading is an
// event of the audit log and counts in the user's exposure of the day.
func (s *Service) OpenEvidence(ctx context.Context, id int64) (*takedown.Evidence, []byte, takedown.Exposure, error) {
	u, err := require(ctx, readers...)
	if err != nil {
		return nil, nil, takedown.Exposure{}, err
	}
	var e *takedown.Evidence
	var exposure takedown.Exposure
	var plain []byte
	err = s.update(ctx, func(tx takedown.Tx) error {
		if e, err = tx.Evidence(id); err != nil {
			return err
		}
		if plain, err = s.sealer.Unseal(e.Sealed); err != nil {
			return fmt.Errorf("casework: unseal evidence %d: %w", id, err)
		}
		if exposure.Today, err = tx.CountExposure(u.ID, s.day(tx.Now())); err != nil {
			return err
		}
		r, err := tx.Report(e.ReportID)
		if err != nil {
			return err
		}
		for _, caseID := range r.CaseIDs() {
			if err := record(tx, u, event{kind: takedown.EventEvidenceViewed, caseID: caseID,
				data: map[string]any{"evidence_id": e.ID, "sha256": e.SHA256, "views_today": exposure.Today}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, takedown.Exposure{}, err
	}
	e.Sealed = nil
	return e, plain, exposure, nil
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
	preview, err := s.sealer.Unseal(e.SealedPreview)
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
