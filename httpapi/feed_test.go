package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/feed"
)

// TestFeed: an ISP fetches the blocking list's feed, whole and since a version, in either
// format; it opens with the log's public key, and the fetch acknowledged the ISP's delivery.
// A host is refused, saying which operators the list goes to.
func TestFeed(t *testing.T) {
	f := newFixture(t, unlimited)
	m := f.blockingInForce(t)
	v, err := note.NewVerifier(f.keys.Public[0])
	if err != nil {
		t.Fatal(err)
	}
	isp := f.desk[f.isp.ID]
	for _, tc := range []struct {
		query  string
		format feed.Format
		since  int64
	}{{"", feed.JSON, 0}, {"?format=csv", feed.CSV, 0}, {"?since=1&format=json", feed.JSON, 1}} {
		t.Run(tc.query, func(t *testing.T) {
			r := f.send(t, f.newRequest(t, "GET", "/lists/blocking/feed"+tc.query, isp.token, nil))
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := r.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if got := r.header.Get("Takedown-Feed-Format"); got != string(tc.format) {
				t.Errorf("Takedown-Feed-Format %q, want %s", got, tc.format)
			}
			o, err := feed.Open(r.body, []note.Verifier{v})
			if err != nil {
				t.Fatalf("%v\n%s", err, r.body)
			}
			if o.Format != tc.format || o.List != takedown.Blocking || o.Version != 1 || o.Since != tc.since {
				t.Errorf("opened %+v", o.Feed)
			}
			if tc.since == 0 && (len(o.Entries) != 1 || o.Entries[0].MeasureID != m.ID) {
				t.Errorf("entries %+v, want measure %d's", o.Entries, m.ID)
			}
		})
	}
	if d := f.delivery(t, m, f.isp, takedown.PurposeAction); d.State != takedown.DeliveryAcknowledged {
		t.Errorf("after the ISP fetched the feed, its delivery is %s, want acknowledged", d.State)
	}
	r := f.send(t, f.newRequest(t, "GET", "/lists/blocking/feed", f.desk[f.host.ID].token, nil))
	wantProblem(t, r, http.StatusForbidden, takedown.EFORBIDDEN, "", "the blocking list goes to operators of kind isp", "is of kind host")
	r = f.send(t, f.newRequest(t, "GET", fmt.Sprintf("/lists/dereferencing/feed?since=%d", 0), f.desk[f.search.ID].token, nil))
	if r.status != http.StatusOK {
		t.Errorf("the search engine's dereferencing feed: %d %s", r.status, r.body)
	}
}
