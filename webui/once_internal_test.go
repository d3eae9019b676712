package webui

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
)

// TestClaimForm: a form is done once, whichever of two replicas (two consoles on one store)
// receives it; the same form sent while the first is still being done is refused, and sent
// after it goes where the first went; a failed one may be sent again; an id is forgotten
// after FormsRemembered; an id longer than the console's is refused, not stored.
func TestClaimForm(t *testing.T) {
	clock := takedown.NewSimClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC), nil)
	db := storetest.Open(t, clock)
	v, err := vault.Load(filepath.Join(db.Dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	replicas := []*Console{{svc: svc, log: slog.New(slog.DiscardHandler)}, {svc: svc, log: slog.New(slog.DiscardHandler)}}
	send := func(c *Console) (*httptest.ResponseRecorder, string, bool, error) {
		r := httptest.NewRequest("POST", "/console/cases/1/accept", strings.NewReader(url.Values{"form_id": {"f1"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		id, done, err := c.claimForm(w, r)
		return w, id, done, err
	}
	a, b := replicas[0], replicas[1]
	_, id, done, err := send(a)
	if done || err != nil {
		t.Fatalf("the first sending: done %v, %v", done, err)
	}
	if _, _, done, err := send(b); !done || takedown.ErrorCode(err) != takedown.ECONFLICT {
		t.Errorf("while the first is done: done %v, %v", done, err)
	}
	r := httptest.NewRequest("POST", "/console/cases/1/accept", nil)
	a.finishForm(r, id, "/console/cases/1?done=accept")
	if w, _, done, err := send(b); !done || err != nil || w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/cases/1?done=accept" {
		t.Errorf("after it: done %v, %v, %d to %q", done, err, w.Code, w.Header().Get("Location"))
	}
	clock.Advance(casework.FormsRemembered + time.Minute)
	if _, _, done, err := send(b); done || err != nil {
		t.Errorf("after an hour: done %v, %v; want it forgotten", done, err)
	}
	b.releaseForm(r, id)
	if _, _, done, err := send(a); done || err != nil {
		t.Errorf("after a failure was released: done %v, %v", done, err)
	}
	long := httptest.NewRequest("POST", "/report", strings.NewReader(url.Values{"form_id": {strings.Repeat("x", 65)}}.Encode()))
	long.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, done, err := a.claimForm(httptest.NewRecorder(), long); !done || takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("an id longer than the console's: done %v, %v; want it refused, nothing stored", done, err)
	}
}
