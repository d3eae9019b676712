package fetch

import (
	"context"
	"errors"
	"net"
	"slices"
	"syscall"
	"testing"
)

// FuzzCheck feeds Check any string as a URL, with the guard on and no network at all: names
// are not resolved and nothing is connected to once the guard has let an address through. It
// must not panic, must always return a Result for the URL it was given, and, seeing nothing,
// must never find content present; it may find it gone only on a "no such host".
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"https://site.example/page",
		"http://127.0.0.1:8080/",
		"http://localhost/",
		"http://[::ffff:10.0.0.1]/",
		"http://[fe80::1%25eth0]:80/",
		"http://169.254.169.254/latest/meta-data/",
		"http://user:pass@10.0.0.5/",
		"http://8.8.8.8/",
		"https://bücher.example/",
		"http://0x7f.1/",
		"ftp://files.example/",
		"http://[::1",
		"//site.example/x",
		"",
	} {
		f.Add(seed)
	}
	noNetwork := errors.New("no network in this test")
	client := newClient(Default(), seams{
		resolver: &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
			return nil, noNetwork
		}},
		control: func(string, string, syscall.RawConn) error { return noNetwork },
	})
	outcomes := []Outcome{OutcomeGone, OutcomePresent, OutcomeInconclusive}
	f.Fuzz(func(t *testing.T, raw string) {
		r := Check(context.Background(), client, raw, now)
		if r.URL != raw || !r.CheckedAt.Equal(now) {
			t.Errorf("Result is for %q at %v, want %q at %v", r.URL, r.CheckedAt, raw, now)
		}
		if !slices.Contains(outcomes, r.Outcome) || r.Reason == "" {
			t.Errorf("Outcome %q, Reason %q", r.Outcome, r.Reason)
		}
		if r.Outcome == OutcomePresent || r.Status != 0 {
			t.Errorf("with no network: %+v", r)
		}
		if r.Outcome == OutcomeGone && r.Code != ReasonDNSNotFound {
			t.Errorf("gone without a no such host: %+v", r)
		}
	})
}
