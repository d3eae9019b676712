package takedown

import (
	"slices"
	"strings"
	"time"
)

// Channel is how a report arrived.
type Channel string

// The channels.
const (
	// ChannelPublic is the anonymous public form or API.
	ChannelPublic Channel = "public"
	// ChannelFlagger is a trusted flagger's authenticated API; its reports come first.
	ChannelFlagger Channel = "flagger"
	// ChannelAuthority is an officer's own finding (proactive monitoring); it comes first too.
	ChannelAuthority Channel = "authority"
)

// Channels lists every channel.
var Channels = []Channel{ChannelPublic, ChannelFlagger, ChannelAuthority}

// Priority of a case in the officers' queue: higher comes first.
const (
	PriorityPublic  = 0
	PriorityFlagger = 1
)

// Report is one submission by the public or a trusted flagger.
type Report struct {
	ID      int64       `json:"id"`
	Receipt string      `json:"receipt"` // the reference given to the reporter
	Channel Channel     `json:"channel"`
	Flagger int64       `json:"flagger_id,omitempty"` // the flagger's user id
	URLs    []ReportURL `json:"urls"`
	// Offence is the reporter's suggestion; the officer qualifies the case independently.
	Offence     string `json:"offence"`
	Description string `json:"description"`
	// Contact is the reporter's optional contact, shown only to the authority and the
	// controller. It is stored encrypted; SealedContact is the stored form.
	Contact       string    `json:"contact,omitempty"`
	SealedContact []byte    `json:"-"`
	HasContact    bool      `json:"has_contact"`
	GoodFaith     bool      `json:"good_faith"`
	ReceivedAt    time.Time `json:"received_at"`
	// Hashes are the hashes of the files the report carried, or that it gave.
	Hashes []HashValue `json:"hashes"`
	// Matches are the bank entries its hashes matched when it arrived, closest first.
	Matches []Match `json:"matches"`
}

// ReportURL is one address in a report, as given and as canonicalised, with the case it was
// grouped into.
type ReportURL struct {
	URL       string `json:"url"`
	Canonical string `json:"canonical"`
	CaseID    int64  `json:"case_id"`
}

// CaseIDs returns the cases the report was grouped into, in the order of its URLs.
func (r *Report) CaseIDs() []int64 {
	var ids []int64
	for _, u := range r.URLs {
		if !slices.Contains(ids, u.CaseID) {
			ids = append(ids, u.CaseID)
		}
	}
	return ids
}

// Limits on reports. A report is small; anything larger is a mistake or an attack.
const (
	MaxReportURLs        = 50
	MaxDescriptionLength = 10000
	MaxContactLength     = 500
	MaxReportFiles       = 3
	MaxReportFileSize    = 10 << 20
	MaxReportHashes      = 20
	MaxFileNameLength    = 255
)

// ReportFile is a file a reporter or an officer attaches: a screenshot or the image itself,
// kept sealed as evidence with its hashes.
type ReportFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"` // base64 in JSON
}

// Validate checks the file's size and name.
func (f ReportFile) Validate(field string) error {
	switch {
	case len(f.Data) == 0:
		return Invalid(field+".data", "is empty: attach the file's content, base64-encoded in JSON")
	case len(f.Data) > MaxReportFileSize:
		return Invalid(field+".data", "is larger than %d MB", MaxReportFileSize>>20)
	case len(f.Name) > MaxFileNameLength:
		return Invalid(field+".name", "is longer than %d bytes", MaxFileNameLength)
	}
	return CheckText(field+".name", f.Name, false)
}

// ReportInput is what a reporter submits.
type ReportInput struct {
	URLs        []string `json:"urls"`
	Offence     string   `json:"offence"`
	Description string   `json:"description"`
	Contact     string   `json:"contact,omitempty"`
	// GoodFaith is the reporter's statement that the report is made in good faith and is
	// accurate to the best of their knowledge; a false report is itself an offence.
	GoodFaith bool `json:"good_faith"`
	// Files are hashed on arrival to find the cases about the same content; Hashes are
	// hashes the reporter computed (PDQ, MD5, SHA-256).
	Files  []ReportFile `json:"files,omitempty"`
	Hashes []HashValue  `json:"hashes,omitempty"`
}

// Validate checks the shape of a report; casework checks the offence against the procedure
// profile and canonicalises the URLs.
func (in *ReportInput) Validate() error {
	in.Description = strings.TrimSpace(in.Description)
	in.Contact = strings.TrimSpace(in.Contact)
	switch {
	case len(in.URLs) == 0:
		return Invalid("urls", "needs at least one address of the content")
	case len(in.URLs) > MaxReportURLs:
		return Invalid("urls", "has more than %d addresses; split the report", MaxReportURLs)
	case in.Offence == "":
		return Invalid("offence", "is required: say which kind of content this is")
	case in.Description == "":
		return Invalid("description", "is required: say briefly what the content shows or says")
	case len(in.Description) > MaxDescriptionLength:
		return Invalid("description", "is longer than %d bytes", MaxDescriptionLength)
	case len(in.Contact) > MaxContactLength:
		return Invalid("contact", "is longer than %d bytes", MaxContactLength)
	case !in.GoodFaith:
		return Invalid("good_faith", "must be true: confirm that the report is made in good faith")
	case len(in.Files) > MaxReportFiles:
		return Invalid("files", "has more than %d files", MaxReportFiles)
	case len(in.Hashes) > MaxReportHashes:
		return Invalid("hashes", "has more than %d hashes", MaxReportHashes)
	}
	for i, f := range in.Files {
		if err := f.Validate(IndexField("files", i)); err != nil {
			return err
		}
	}
	for i := range in.Hashes {
		if err := in.Hashes[i].Validate(IndexField("hashes", i)); err != nil {
			return err
		}
	}
	if err := CheckText("description", in.Description, true); err != nil {
		return err
	}
	return CheckText("contact", in.Contact, false)
}

// ReportFilter selects reports.
type ReportFilter struct {
	CaseID  int64 `query:"case_id"`    // reports grouped into this case
	Flagger int64 `query:"flagger_id"` // reports by this trusted flagger
	Page
}

// CaptureInput asks the server to fetch a page of a case's content and keep it as evidence.
type CaptureInput struct {
	URL string `json:"url"`
}

// Validate checks that an address is given; casework checks the address itself.
func (in *CaptureInput) Validate() error {
	if in.URL = strings.TrimSpace(in.URL); in.URL == "" {
		return Invalid("url", "is required: the address of the page to capture")
	}
	return nil
}
