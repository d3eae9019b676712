package webui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestClaimForm: a form is done once; the same form sent while the first is still being
// done is refused, and sent after it goes where the first went; a failed one may be sent again.
func TestClaimForm(t *testing.T) {
	c := &Console{once: newOnceForms()}
	send := func() (*httptest.ResponseRecorder, string, bool, error) {
		r := httptest.NewRequest("POST", "/console/cases/1/accept", strings.NewReader(url.Values{"form_id": {"f1"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		id, done, err := c.claimForm(w, r)
		return w, id, done, err
	}
	_, id, done, err := send()
	if done || err != nil {
		t.Fatalf("the first sending: done %v, %v", done, err)
	}
	if _, _, done, err := send(); !done || takedown.ErrorCode(err) != takedown.ECONFLICT {
		t.Errorf("while the first is done: done %v, %v", done, err)
	}
	c.once.done(id, "/console/cases/1?done=accept")
	if w, _, done, err := send(); !done || err != nil || w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/cases/1?done=accept" {
		t.Errorf("after it: done %v, %v, %d to %q", done, err, w.Code, w.Header().Get("Location"))
	}
	c.once.release(id)
	if _, _, done, err := send(); done || err != nil {
		t.Errorf("after a failure was released: done %v, %v", done, err)
	}
}
