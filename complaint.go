package takedown

import (
	"strings"
	"time"
)

// ComplaintState is where a complaint stands.
type ComplaintState string

// The complaint states.
const (
	// ComplaintOpen: received; the authority must answer it.
	ComplaintOpen ComplaintState = "open"
	// ComplaintAnswered: the authority answered, with reasons.
	ComplaintAnswered ComplaintState = "answered"
)

// Complainant says who contests a measure.
type Complainant string

// The complainants.
const (
	ComplainantPublisher Complainant = "publisher" // the content's publisher or the site's owner
	ComplainantHost      Complainant = "host"      // its host, or another operator
	ComplainantUser      Complainant = "user"      // a member of the public, such as a visitor of a blocked site
)

// Complainants lists them, in the order of the form.
var Complainants = []Complainant{ComplainantPublisher, ComplainantHost, ComplainantUser}

// Complaint is the contest of a measure, or the report of an error, sent by anyone through
// the public complaint form (the stop page links to it). It reaches the authority, which
// must answer it, and the controller, who sees every complaint and its answer.
type Complaint struct {
	ID      int64          `json:"id"`
	Receipt string         `json:"receipt"`
	State   ComplaintState `json:"state"`
	// Address is the address or host name the complaint is about, canonical when it parses.
	Address string      `json:"address"`
	From    Complainant `json:"from"`
	Text    string      `json:"text"`
	// Contact is how to send the answer, sealed in the store like reporters' contacts and
	// shown only to the authority and the controller.
	Contact       string `json:"contact,omitempty"`
	SealedContact []byte `json:"-"`
	// CaseID is the case holding the address, when one does; 0 otherwise.
	CaseID     int64     `json:"case_id,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	Answer     *Decision `json:"answer,omitempty"`
	// ContactPurgedAt is when the contact was deleted, its retention over.
	ContactPurgedAt *time.Time `json:"contact_purged_at,omitempty"`
}

// ComplaintInput is what the complaint form sends.
type ComplaintInput struct {
	Address string      `json:"address"`
	From    Complainant `json:"from"`
	Text    string      `json:"text"`
	Contact string      `json:"contact"`
}

// Limits on complaints.
const (
	MaxComplaintLength        = 10000
	MaxComplaintAddressLength = 2048
)

// Validate checks the fields: an answer needs a contact to go to.
func (in *ComplaintInput) Validate() error {
	in.Address, in.Text, in.Contact = strings.TrimSpace(in.Address), strings.TrimSpace(in.Text), strings.TrimSpace(in.Contact)
	switch {
	case in.Address == "":
		return Invalid("address", "is required: the address of the content, or the name of the blocked site")
	case len(in.Address) > MaxComplaintAddressLength:
		return Invalid("address", "is longer than %d bytes", MaxComplaintAddressLength)
	case in.From != ComplainantPublisher && in.From != ComplainantHost && in.From != ComplainantUser:
		return Invalid("from", "must be publisher, host or user")
	case in.Text == "":
		return Invalid("text", "is required: say what you contest and why")
	case len(in.Text) > MaxComplaintLength:
		return Invalid("text", "is longer than %d bytes", MaxComplaintLength)
	case in.Contact == "":
		return Invalid("contact", "is required: the authority must be able to send you its answer")
	case len(in.Contact) > MaxContactLength:
		return Invalid("contact", "is longer than %d bytes", MaxContactLength)
	}
	for field, s := range map[string]string{"address": in.Address, "text": in.Text, "contact": in.Contact} {
		if err := CheckText(field, s, field == "text"); err != nil {
			return err
		}
	}
	return nil
}

// ComplaintFilter selects complaints.
type ComplaintFilter struct {
	State ComplaintState `query:"state"`
	Page
}
