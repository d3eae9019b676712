package email_test

import (
	"bytes"
	"maps"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/email"
)

// FuzzMessageBytes checks that Bytes never panics, that what it refuses is EINVALID, and
// that what it writes is a 7-bit CRLF message that net/mail parses into the headers it was
// given, no more, with the subject, text, HTML and attachment read back as they went in.
func FuzzMessageBytes(f *testing.F) {
	f.Add("Demande de retrait — référence TD-2026-000042", "Délai : 1 heure.\n", "<p>référencé</p>", "measure-42.json", "42", []byte(`{"measure_id":42}`))
	f.Add("Demande\r\nBcc: everyone@elsewhere.test", "text", "", "a.json", "42", []byte{})
	f.Add("plain ascii", "line\rwith a CR\n.\n", "", "décision.pdf", "42\nBcc: x@elsewhere.test", []byte{0, 0xff})
	f.Add(strings.Repeat("mot ", 200), strings.Repeat("x", 2000), "<b>"+strings.Repeat("é", 500), strings.Repeat("n", 200), " spaced  value ", bytes.Repeat([]byte{0xfe}, 300))
	f.Add("=?utf-8?q?encoded?=", "", "", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, subject, text, html, name, value string, data []byte) {
		m := email.Message{
			To:          []string{"Point de contact <pdc@hosting-one.test>"},
			Subject:     subject,
			Text:        text,
			HTML:        html,
			Attachments: []email.Attachment{{Name: name, ContentType: "application/json", Data: data}},
			MessageID:   "<delivery-42@takedown.example>",
			Headers:     map[string]string{"X-Fuzz": value},
			Date:        time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC),
		}
		b, err := m.Bytes(sender)
		if err != nil {
			if takedown.ErrorCode(err) != takedown.EINVALID {
				t.Fatalf("Bytes: %v is not EINVALID", err)
			}
			return
		}
		if strings.ContainsAny(subject+value+name, "\r\n") {
			t.Fatalf("Bytes accepted a line break in a header: %q", b)
		}
		checkLines(t, b)
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("net/mail: %v\n%q", err, b)
		}
		want := []string{"Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To", "X-Fuzz"}
		if got := slices.Sorted(maps.Keys(msg.Header)); !slices.Equal(got, want) {
			t.Fatalf("headers %q, want %q", got, want)
		}
		for _, h := range []struct{ name, want string }{{"Subject", subject}, {"X-Fuzz", value}} {
			if strings.Contains(h.want, "=?") { // reads as an encoded word, by design of RFC 2047
				continue
			}
			got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get(h.name))
			if err != nil {
				t.Fatalf("%s: %v", h.name, err)
			}
			// Folding and unfolding may change runs of white space outside encoded words.
			if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(h.want), " ") {
				t.Fatalf("%s = %q, want %q", h.name, got, h.want)
			}
		}
		p := parse(t, b)
		if got, want := lf(p.text), lf(text); got != want {
			t.Errorf("text = %q, want %q", got, want)
		}
		if got, want := lf(p.html), lf(html); got != want {
			t.Errorf("html = %q, want %q", got, want)
		}
		if len(p.attachments) != 1 || p.attachments[0].filename != name || !bytes.Equal(p.attachments[0].data, data) {
			t.Errorf("attachments %q, want %q with %q", p.attachments, name, data)
		}
	})
}
