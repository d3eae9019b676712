package email_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/email"
)

const (
	sender   = "Autorité de retrait <retraits@takedown.example>"
	operator = "Point de contact <pdc@hosting-one.test>"
)

var measureJSON = []byte(`{"measure_id":42,"reference":"TD-2026-000042","urls":["https://hosting-one.test/v/abc"]}` + "\n")

// removalRequest is the message the tests send.
func removalRequest() email.Message {
	return email.Message{
		To:      []string{operator, "legal@hosting-one.test"},
		Subject: "Demande de retrait — référence TD-2026-000042",
		Text:    "Madame, Monsieur,\n\nVeuillez retirer le contenu référencé ci-joint.\nDélai : 1 heure.\n",
		HTML:    "<p>Madame, Monsieur,</p>\n<p>Veuillez retirer le contenu référencé <b>ci-joint</b>.</p>\n",
		Attachments: []email.Attachment{
			{Name: "measure-42.json", ContentType: "application/json", Data: measureJSON},
			{Name: "décision.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n\x00\xff\xfe binary")},
		},
		MessageID: "<delivery-42@takedown.example>",
		Headers:   map[string]string{"X-Takedown-Delivery": "42", "X-Takedown-Case": "TD-2026-000042"},
		Date:      time.Date(2026, time.March, 2, 9, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

// parsed is a message read back with net/mail and mime/multipart.
type parsed struct {
	header      mail.Header
	subject     string
	text, html  string
	attachments []parsedAttachment
}

type parsedAttachment struct {
	name, filename, mediaType string
	data                      []byte
}

// parse reads a message the way a receiving system would.
func parse(t testing.TB, data []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	var p parsed
	p.header = msg.Header
	p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p.walk(t, multipart.NewReader(msg.Body, params["boundary"]))
	return p
}

// walk reads the parts of a multipart body, decoding each as its header says.
func (p *parsed) walk(t testing.TB, r *multipart.Reader) {
	t.Helper()
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		mediaType, params, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", part.Header.Get("Content-Type"), err)
		}
		if mediaType == "multipart/alternative" {
			p.walk(t, multipart.NewReader(part, params["boundary"]))
			continue
		}
		var body io.Reader
		switch cte := part.Header.Get("Content-Transfer-Encoding"); cte {
		case "quoted-printable":
			body = quotedprintable.NewReader(part)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, part)
		default:
			t.Fatalf("part %s: Content-Transfer-Encoding %q", mediaType, cte)
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("part %s: %v", mediaType, err)
		}
		if _, dparams, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && dparams["filename"] != "" {
			p.attachments = append(p.attachments, parsedAttachment{name: params["name"], filename: dparams["filename"], mediaType: mediaType, data: data})
			continue
		}
		if params["charset"] != "utf-8" {
			t.Errorf("part %s: charset %q, want utf-8", mediaType, params["charset"])
		}
		switch mediaType {
		case "text/plain":
			p.text = string(data)
		case "text/html":
			p.html = string(data)
		default:
			t.Fatalf("unexpected part %s", mediaType)
		}
	}
}

// lf turns every line break into LF, as a text part is sent and read with CRLF.
func lf(s string) string { return strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s) }

func TestBytesRefuses(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(*email.Message)
		field string
	}{
		{"subject with CRLF", func(m *email.Message) { m.Subject = "Demande\r\nBcc: everyone@elsewhere.test" }, "subject"},
		{"subject with LF", func(m *email.Message) { m.Subject = "Demande\nBcc: everyone@elsewhere.test" }, "subject"},
		{"subject with CR", func(m *email.Message) { m.Subject = "Demande\rBcc: everyone@elsewhere.test" }, "subject"},
		{"subject with a control character", func(m *email.Message) { m.Subject = "Demande\x00" }, "subject"},
		{"subject not UTF-8", func(m *email.Message) { m.Subject = "r\xe9f\xe9rence" }, "subject"},
		{"subject too long", func(m *email.Message) { m.Subject = strings.Repeat("x", 901) }, "subject"},
		{"header value with LF", func(m *email.Message) {
			m.Headers = map[string]string{"X-Takedown-Delivery": "42\nBcc: x@elsewhere.test"}
		}, "headers[X-Takedown-Delivery]"},
		{"header name with a colon", func(m *email.Message) { m.Headers = map[string]string{"X-A: b\r\nBcc": "x"} }, "headers[X-A: b\r\nBcc]"},
		{"header name not ASCII", func(m *email.Message) { m.Headers = map[string]string{"X-Takedown-Référence": "x"} }, "headers[X-Takedown-Référence]"},
		{"header replacing From", func(m *email.Message) { m.Headers = map[string]string{"from": "x@elsewhere.test"} }, "headers[from]"},
		{"header replacing Bcc", func(m *email.Message) { m.Headers = map[string]string{"BCC": "x@elsewhere.test"} }, "headers[BCC]"},
		{"no recipient", func(m *email.Message) { m.To = nil }, "to"},
		{"recipient with CRLF", func(m *email.Message) { m.To = []string{"a@hosting-one.test\r\nBcc: x@elsewhere.test"} }, "to[0]"},
		{"recipient not an address", func(m *email.Message) { m.To = []string{"pdc@hosting-one.test", "nobody"} }, "to[1]"},
		{"recipient not ASCII", func(m *email.Message) { m.To = []string{"réception@hosting-one.test"} }, "to[0]"},
		{"no message id", func(m *email.Message) { m.MessageID = "" }, "message_id"},
		{"message id without brackets", func(m *email.Message) { m.MessageID = "delivery-42@takedown.example" }, "message_id"},
		{"message id with a space", func(m *email.Message) { m.MessageID = "<delivery 42@takedown.example>" }, "message_id"},
		{"message id with CRLF", func(m *email.Message) { m.MessageID = "<a@b>\r\nBcc: x@elsewhere.test" }, "message_id"},
		{"no date", func(m *email.Message) { m.Date = time.Time{} }, "date"},
		{"no text", func(m *email.Message) { m.Text = "" }, "text"},
		{"html not UTF-8", func(m *email.Message) { m.HTML = "\xff" }, "html"},
		{"attachment without name", func(m *email.Message) { m.Attachments[0].Name = "" }, "attachments[0].name"},
		{"attachment in a directory", func(m *email.Message) { m.Attachments[1].Name = "../etc/passwd" }, "attachments[1].name"},
		{"attachment name with LF", func(m *email.Message) { m.Attachments[0].Name = "a\nb.json" }, "attachments[0].name"},
		{"attachment type invalid", func(m *email.Message) { m.Attachments[0].ContentType = "json" }, "attachments[0].content_type"},
		{"attachment type multipart", func(m *email.Message) { m.Attachments[0].ContentType = "multipart/mixed; boundary=x" }, "attachments[0].content_type"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := removalRequest()
			tt.edit(&m)
			b, err := m.Bytes(sender)
			if b != nil || takedown.ErrorCode(err) != takedown.EINVALID {
				t.Fatalf("Bytes = %d bytes, %v; want an EINVALID error", len(b), err)
			}
			if got, want := takedown.ErrorField(err), tt.field; got != want {
				t.Errorf("field %q, want %q (%v)", got, want, err)
			}
		})
	}
	t.Run("sender with CRLF", func(t *testing.T) {
		_, err := removalRequest().Bytes("retraits@takedown.example\r\nBcc: x@elsewhere.test")
		if got, want := takedown.ErrorField(err), "from"; got != want {
			t.Errorf("field %q, want %q (%v)", got, want, err)
		}
	})
}

func TestBytes(t *testing.T) {
	long := removalRequest()
	long.Subject = strings.Repeat("Demande de retrait très urgente — ", 20)
	long.Subject = long.Subject[:len(long.Subject)-len(" — ")]
	textOnly := removalRequest()
	textOnly.HTML, textOnly.Attachments = "", nil
	for _, tt := range []struct {
		name string
		msg  email.Message
	}{
		{"removal request", removalRequest()},
		{"long subject", long},
		{"text only", textOnly},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.msg.Bytes(sender)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, b)
			got := parse(t, b)
			if got.subject != tt.msg.Subject {
				t.Errorf("Subject = %q, want %q", got.subject, tt.msg.Subject)
			}
			if lf(got.text) != tt.msg.Text || lf(got.html) != tt.msg.HTML || len(got.attachments) != len(tt.msg.Attachments) {
				t.Errorf("body = %q, %q, %d attachments; want %q, %q, %d", got.text, got.html, len(got.attachments),
					tt.msg.Text, tt.msg.HTML, len(tt.msg.Attachments))
			}
			again, err := tt.msg.Bytes(sender)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(b, again) {
				t.Error("two messages have the same boundaries")
			}
		})
	}
}

// checkLines asserts that every line ends in CRLF, stays within RFC 5322's 998 characters
// and is 7-bit, and that the header has no line that is neither a field nor a continuation.
func checkLines(t testing.TB, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("message does not end in CRLF")
	}
	inHeader := true
	for i, line := range bytes.Split(b, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d has %d characters", i+1, len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i+1, line)
			}
		}
		if !inHeader {
			continue
		}
		if len(line) == 0 {
			inHeader = false
			continue
		}
		if line[0] != ' ' && line[0] != '\t' && !bytes.Contains(line, []byte(":")) {
			t.Errorf("header line %d is neither a field nor a continuation: %q", i+1, line)
		}
	}
}
