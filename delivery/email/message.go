package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/takedown-project/takedown"
)

// Limits that keep every header line under RFC 5322's 998 characters without splitting a
// word (an unencoded ASCII word cannot be folded).
const (
	maxHeaderValue = 900 // subject, extra header values, message id
	maxHeaderName  = 76
	maxNameLen     = 200 // attachment name; RFC 2231 encoding may triple it
	maxTypeLen     = 200 // attachment content type
	foldAt         = 78  // RFC 5322's recommended line length
)

// Message is one e-mail to an operator: the text of the delivery, an HTML rendering of it and
// its documents (the measure as JSON, a PDF). It is a value, so the outbox can rebuild the
// same message on every attempt.
type Message struct {
	// To are the operator's addresses, as in "Point de contact <pdc@host.example>".
	To []string
	// Subject may be in French: it is encoded as RFC 2047 words when it is not plain ASCII.
	Subject string
	// Text is required: every reader can show it. HTML is optional; when given, readers
	// choose between the two. In both, a line break (LF, CRLF or a lone CR) is sent as CRLF.
	Text, HTML  string
	Attachments []Attachment
	// MessageID, as in "<delivery-42@takedown.example>", is required and must be the same on
	// every attempt: a receiving system deduplicates a retried delivery on it.
	MessageID string
	// Headers are extra headers, such as "X-Takedown-Delivery": "42". They may not replace
	// the headers the message sets itself.
	Headers map[string]string
	// Date is required: time is the caller's, so that a retry can keep the first date and a
	// test can fix it.
	Date time.Time
}

// Attachment is one document attached to a message.
type Attachment struct {
	// Name is the file name the reader sees; no directories.
	Name string
	// ContentType is a media type such as "application/json"; application/octet-stream if
	// empty.
	ContentType string
	Data        []byte
}

// ownHeaders are the headers Bytes writes; Headers may not set them.
var ownHeaders = []string{"Date", "From", "To", "Cc", "Bcc", "Subject", "Message-Id", "Mime-Version",
	"Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Sender", "Reply-To", "Return-Path"}

// Bytes returns the message as sent, from the given address: RFC 5322 with CRLF line endings,
// a multipart/mixed body holding the text (or a multipart/alternative of text and HTML) and
// the attachments. Text is quoted-printable, so the French stays readable in the source;
// attachments are base64. The boundaries are random, so two calls differ in them only.
// Input that could inject a header (a line break in a header value) is refused with an
// EINVALID error, never cleaned up.
func (m Message) Bytes(from string) ([]byte, error) {
	b, _, err := m.build(from)
	return b, err
}

// build returns the message and its envelope recipients.
func (m Message) build(from string) ([]byte, []string, error) {
	sender, err := parseAddress("from", from)
	if err != nil {
		return nil, nil, err
	}
	if len(m.To) == 0 {
		return nil, nil, takedown.Invalid("to", "needs at least one address")
	}
	var to, rcpts []string
	for i, s := range m.To {
		a, err := parseAddress(takedown.IndexField("to", i), s)
		if err != nil {
			return nil, nil, err
		}
		to = append(to, a.String())
		rcpts = append(rcpts, a.Address)
	}
	if err := checkHeaderValue("subject", m.Subject); err != nil {
		return nil, nil, err
	}
	if err := checkMessageID(m.MessageID); err != nil {
		return nil, nil, err
	}
	if m.Date.IsZero() {
		return nil, nil, takedown.Invalid("date", "is required")
	}
	if m.Text == "" {
		return nil, nil, takedown.Invalid("text", "is required: every reader can show plain text")
	}
	for _, f := range []struct{ field, s string }{{"text", m.Text}, {"html", m.HTML}} {
		if !utf8.ValidString(f.s) {
			return nil, nil, takedown.Invalid(f.field, "is not valid UTF-8")
		}
	}
	extra := make(map[string]string, len(m.Headers))
	for name, value := range m.Headers {
		field := "headers[" + name + "]"
		if err := checkHeaderName(field, name); err != nil {
			return nil, nil, err
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		if _, dup := extra[key]; dup {
			return nil, nil, takedown.Invalid(field, "is given twice")
		}
		if err := checkHeaderValue(field, value); err != nil {
			return nil, nil, err
		}
		extra[key] = value
	}

	var buf bytes.Buffer
	headers := [][2]string{
		{"Date", m.Date.Format(time.RFC1123Z)},
		{"From", sender.String()},
		{"To", strings.Join(to, ", ")},
		{"Subject", mime.QEncoding.Encode("utf-8", m.Subject)},
		{"Message-ID", m.MessageID},
	}
	for _, key := range slices.Sorted(maps.Keys(extra)) {
		headers = append(headers, [2]string{key, mime.QEncoding.Encode("utf-8", extra[key])})
	}
	mixed := multipart.NewWriter(&buf)
	headers = append(headers, [2]string{"MIME-Version", "1.0"},
		[2]string{"Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed.Boundary()})})
	for _, h := range headers {
		if err := writeHeader(&buf, h[0], h[1]); err != nil {
			return nil, nil, err
		}
	}
	buf.WriteString("\r\n")

	if err := m.writeBody(mixed); err != nil {
		return nil, nil, err
	}
	if err := mixed.Close(); err != nil {
		return nil, nil, fmt.Errorf("email: write message: %w", err)
	}
	return buf.Bytes(), rcpts, nil
}

// writeBody writes the parts of the multipart/mixed body.
func (m Message) writeBody(mixed *multipart.Writer) error {
	if m.HTML == "" {
		if err := writeText(mixed, "text/plain", m.Text); err != nil {
			return err
		}
		return writeAttachments(mixed, m.Attachments)
	}
	var alt bytes.Buffer
	aw := multipart.NewWriter(&alt)
	if err := writeText(aw, "text/plain", m.Text); err != nil {
		return err
	}
	if err := writeText(aw, "text/html", m.HTML); err != nil {
		return err
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("email: write alternative part: %w", err)
	}
	pw, err := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type": {mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": aw.Boundary()})},
	})
	if err != nil {
		return fmt.Errorf("email: write alternative part: %w", err)
	}
	if _, err := pw.Write(alt.Bytes()); err != nil {
		return fmt.Errorf("email: write alternative part: %w", err)
	}
	return writeAttachments(mixed, m.Attachments)
}

// lineBreaks normalises CRLF, CR and LF to CRLF, the one line break of a text part: a
// lone CR would otherwise reach the reader as a line break or not, depending on where it is.
var lineBreaks = strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n")

// writeText writes one quoted-printable UTF-8 text part, its line breaks as CRLF.
func writeText(w *multipart.Writer, mediaType, text string) error {
	text = lineBreaks.Replace(text)
	pw, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(mediaType, map[string]string{"charset": "utf-8"})},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("email: write %s part: %w", mediaType, err)
	}
	qp := quotedprintable.NewWriter(pw)
	if _, err := qp.Write([]byte(text)); err != nil {
		return fmt.Errorf("email: write %s part: %w", mediaType, err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("email: write %s part: %w", mediaType, err)
	}
	return nil
}

// writeAttachments writes each attachment as a base64 part.
func writeAttachments(w *multipart.Writer, attachments []Attachment) error {
	for i, a := range attachments {
		field := takedown.IndexField("attachments", i)
		ctype, disposition, err := a.headers(field)
		if err != nil {
			return err
		}
		pw, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {ctype},
			"Content-Disposition":       {disposition},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return fmt.Errorf("email: write %s: %w", field, err)
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 0 {
			n := min(76, len(enc))
			if _, err := fmt.Fprintf(pw, "%s\r\n", enc[:n]); err != nil {
				return fmt.Errorf("email: write %s: %w", field, err)
			}
			enc = enc[n:]
		}
	}
	return nil
}

// headers returns the attachment's Content-Type and Content-Disposition.
func (a Attachment) headers(field string) (ctype, disposition string, err error) {
	switch {
	case a.Name == "":
		return "", "", takedown.Invalid(field+".name", "is required")
	case len(a.Name) > maxNameLen:
		return "", "", takedown.Invalid(field+".name", "is longer than %d bytes", maxNameLen)
	case !utf8.ValidString(a.Name):
		return "", "", takedown.Invalid(field+".name", "is not valid UTF-8")
	case strings.ContainsAny(a.Name, `/\`):
		return "", "", takedown.Invalid(field+".name", "is a file name, without directories")
	case strings.IndexFunc(a.Name, unicode.IsControl) >= 0:
		return "", "", takedown.Invalid(field+".name", "contains a control character")
	}
	t := a.ContentType
	if t == "" {
		t = "application/octet-stream"
	}
	if len(t) > maxTypeLen {
		return "", "", takedown.Invalid(field+".content_type", "is longer than %d bytes", maxTypeLen)
	}
	mediaType, params, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mediaType, "/") || strings.HasPrefix(mediaType, "multipart/") {
		return "", "", takedown.Invalid(field+".content_type", "%q is not a media type for a document", t)
	}
	params["name"] = a.Name
	ctype = mime.FormatMediaType(mediaType, params)
	disposition = mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if ctype == "" || disposition == "" {
		return "", "", takedown.Invalid(field+".content_type", "%q cannot be written as a header", t)
	}
	return ctype, disposition, nil
}

// parseAddress parses one address of a header.
func parseAddress(field, s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, takedown.Invalid(field, "contains a line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, takedown.Invalid(field, "%q is not an address: %v", s, err)
	}
	for _, r := range a.Address {
		if r >= utf8.RuneSelf {
			return nil, takedown.Invalid(field, "%q is not an ASCII address (the relay is not asked for SMTPUTF8)", s)
		}
	}
	return a, nil
}

// checkHeaderValue refuses a value that would break out of its header.
func checkHeaderValue(field, s string) error {
	switch {
	case strings.ContainsAny(s, "\r\n"):
		return takedown.Invalid(field, "contains a line break, which would start another header")
	case len(s) > maxHeaderValue:
		return takedown.Invalid(field, "is longer than %d bytes", maxHeaderValue)
	case !utf8.ValidString(s):
		return takedown.Invalid(field, "is not valid UTF-8")
	case strings.IndexFunc(s, func(r rune) bool { return r != '\t' && unicode.IsControl(r) }) >= 0:
		return takedown.Invalid(field, "contains a control character")
	}
	return nil
}

// checkHeaderName accepts an RFC 5322 field name that is not one of the message's own.
func checkHeaderName(field, name string) error {
	if name == "" || len(name) > maxHeaderName {
		return takedown.Invalid(field, "a header name has 1 to %d characters", maxHeaderName)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return takedown.Invalid(field, "is not a header name (printable ASCII without a colon)")
		}
	}
	if slices.Contains(ownHeaders, textproto.CanonicalMIMEHeaderKey(name)) {
		return takedown.Invalid(field, "is set by the message itself")
	}
	return nil
}

// checkMessageID accepts "<left@right>" in printable ASCII.
func checkMessageID(id string) error {
	if len(id) > maxHeaderValue {
		return takedown.Invalid("message_id", "is longer than %d bytes", maxHeaderValue)
	}
	inner, ok := strings.CutPrefix(id, "<")
	if ok {
		inner, ok = strings.CutSuffix(inner, ">")
	}
	left, right, at := strings.Cut(inner, "@")
	if !ok || !at || left == "" || right == "" {
		return takedown.Invalid("message_id", "%q is not of the form <left@right>", id)
	}
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; c < 33 || c > 126 || c == '<' || c == '>' {
			return takedown.Invalid("message_id", "%q has a character other than printable ASCII", id)
		}
	}
	return nil
}

// writeHeader writes one header, folded before spaces so that lines stay near 78
// characters. It fails if a line would still pass 998.
func writeHeader(buf *bytes.Buffer, name, value string) error {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(word) > foldAt && strings.TrimSpace(line) != name+":" {
			if len(line) > 998 {
				return takedown.Invalid(strings.ToLower(name), "cannot be folded under 998 characters a line")
			}
			buf.WriteString(line)
			buf.WriteString("\r\n")
			line = ""
		}
		line += " " + word
	}
	if len(line) > 998 {
		return takedown.Invalid(strings.ToLower(name), "cannot be folded under 998 characters a line")
	}
	buf.WriteString(line)
	buf.WriteString("\r\n")
	return nil
}
