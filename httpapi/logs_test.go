package httpapi_test

import (
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestLogsHoldNoSecrets proves that the server's logs, at debug level, name routes and
// statuses but never a token, a reporter's contact, a report's text or the client's address,
// whatever the request and whether it succeeds.
func TestLogsHoldNoSecrets(t *testing.T) {
	cfg := unlimited
	cfg.ClientIPHeader = "X-Forwarded-For"
	f := newFixture(t, cfg)
	const contact, description, address = "secret.reporter@mail.example", "Uniquely worded description 7f3c", "198.51.100.23"
	in := reportInput(f.newURL())
	in.Contact, in.Description = contact, description
	for _, req := range []struct{ method, path, token string }{
		{"POST", "/reports", ""},
		{"POST", "/reports", f.flagger.token},
		{"GET", "/cases", f.officer.token},
		{"GET", "/cases", f.officer.token + "x"}, // a wrong token, refused
		{"GET", "/users", f.admin.token},
	} {
		var body []byte
		if req.method == "POST" {
			body = jsonBody(t, in)
		}
		r := f.newRequest(t, req.method, req.path, req.token, body)
		r.Header.Set("X-Forwarded-For", address)
		f.send(t, r)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "POST /api/v1/reports") || !strings.Contains(logs, "status=401") {
		t.Fatalf("the requests were not logged, so this test proves nothing:\n%s", logs)
	}
	for _, secret := range []string{f.officer.token, f.flagger.token, f.admin.token, contact, description, address,
		string(takedown.HashToken(f.officer.token))} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q:\n%s", secret, logs)
		}
	}
}
