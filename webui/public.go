package webui

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/ratelimit"
	"github.com/takedown-project/takedown/procedure"
)

// The public pages: the home page and the report form, which works without JavaScript and
// answers with the report's receipt.

func (c *Console) home(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.User != nil {
		c.redirect(w, r, "/console/")
		return nil
	}
	v.Title = v.T("home.title")
	return c.render(w, v, http.StatusOK, "home", nil)
}

type reportPage struct{ Offences []procedure.Offence }

func (c *Console) reportForm(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = v.T("report.title")
	return c.render(w, v, http.StatusOK, "report", reportPage{Offences: c.svc.Profile().Offences})
}

// maxReportBody is the report form's limit: its files and its fields.
const maxReportBody = takedown.MaxReportFiles*takedown.MaxReportFileSize + 256<<10

func (c *Console) submitReport(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return formTooLarge(err)
	}
	defer func() {
		if r.MultipartForm != nil {
			r.MultipartForm.RemoveAll()
		}
	}()
	id, done, err := c.claimForm(w, r)
	if done || err != nil {
		return err
	}
	v.Form = r.PostForm
	in := takedown.ReportInput{URLs: lines(r.PostFormValue("urls")), Offence: r.PostFormValue("offence"),
		Description: r.PostFormValue("description"), Contact: r.PostFormValue("contact"), GoodFaith: r.PostFormValue("good_faith") == "yes"}
	files, err := formFiles(r, "files")
	if err == nil {
		err = c.limitPublic(w, r, v)
	}
	if err == nil {
		in.Files = files
		var report *takedown.Report
		if report, err = c.svc.SubmitReport(v.ctx(r), in); err == nil {
			v.Title = v.T("receipt.title")
			c.finishForm(r, id, "/report")
			return c.render(w, v, http.StatusCreated, "receipt", report)
		}
	}
	c.releaseForm(r, id)
	if !v.invalid(err) {
		return err
	}
	v.Title = v.T("report.title")
	return c.render(w, v, takedown.HTTPStatus(takedown.ErrorCode(err)), "report", reportPage{Offences: c.svc.Profile().Offences})
}

// clientOf is the client's address, for the limit on public submissions only.
var clientOf = ratelimit.Client

// formFiles reads the files of a multipart field, at most MaxReportFiles of at most
// MaxReportFileSize each; an empty file input sends one nameless empty part, skipped.
func formFiles(r *http.Request, field string) ([]takedown.ReportFile, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var files []takedown.ReportFile
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		if len(files) == takedown.MaxReportFiles {
			return nil, takedown.Invalid(field, "has more than %d files", takedown.MaxReportFiles)
		}
		if fh.Size > takedown.MaxReportFileSize {
			return nil, takedown.Invalid(field, "%s is larger than %d MB", fh.Filename, takedown.MaxReportFileSize>>20)
		}
		data, err := readPart(fh)
		if err != nil {
			return nil, err
		}
		files = append(files, takedown.ReportFile{Name: fh.Filename, Data: data})
	}
	return files, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, takedown.MaxReportFileSize+1))
}

// formTooLarge turns an error reading a form into the domain's.
func formTooLarge(err error) error {
	if tooBig, ok := tooLarge(err); ok {
		return tooBig
	}
	return takedown.Errorf(takedown.EINVALID, "the form could not be read: %v", err)
}

// tooLarge is the domain's error for a body over its limit.
func tooLarge(err error) (error, bool) {
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) {
		return nil, false
	}
	return takedown.Errorf(takedown.ETOOLARGE, "the form is larger than %d KiB", tooBig.Limit>>10), true
}

// limitPublic counts a submission from the public against the limit per connection it
// shares with the API; signed-in users are not limited.
func (c *Console) limitPublic(w http.ResponseWriter, r *http.Request, v *view) error {
	if v.User != nil || c.cfg.Reports == nil || c.cfg.Reports.Allow(clientOf(r, c.cfg.ClientIPHeader)) {
		return nil
	}
	w.Header().Set("Retry-After", "60")
	return takedown.Errorf(takedown.ERATELIMITED, "too many reports from your connection; wait a minute and try again")
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
