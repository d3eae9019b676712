package webui

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// Evidence on the case page is shown as a blurred mosaic; opening it is a deliberate act,
// recorded in the audit log and counted per user and per day, and the picture comes only in
// the answer to that act, never at an address a browser could fetch again.

// exposureWarning is the day's count of openings beyond which the page suggests rotating.
const exposureWarning = 50

func (c *Console) evidencePreview(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	preview, err := c.svc.EvidencePreview(v.ctx(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	_, err = w.Write(preview)
	return err
}

type evidencePage struct {
	Evidence *takedown.Evidence
	CaseID   int64
	DataURI  string // the picture, inline; empty for a file that is not one
	Exposure takedown.Exposure
	Warn     bool
}

// openEvidence opens a piece of evidence: a picture is shown on a page of its own, any
// other file is sent as a download.
func (c *Console) openEvidence(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := c.svc.OpenEvidence(v.ctx(r), id, casework.EvidenceAccess{Reason: r.PostFormValue("reason")})
	if err != nil {
		return err
	}
	e, data, exposure := o.Evidence, o.Content, o.Exposure
	caseID, _ := strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	if !strings.HasPrefix(e.ContentType, "image/") {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+strconv.FormatInt(e.ID, 10)+`"`)
		_, err = w.Write(data)
		return err
	}
	v.Title = v.T("evidence.title", e.ID)
	return c.render(w, v, http.StatusOK, "evidence", evidencePage{Evidence: e, CaseID: caseID, Exposure: exposure,
		DataURI: "data:" + e.ContentType + ";base64," + base64.StdEncoding.EncodeToString(data), Warn: exposure.Today >= exposureWarning})
}
