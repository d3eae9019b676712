package httpapi_test

import (
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/httpapi"
)

// TestDatabaseDown: when the database cannot be reached, a valid token is not called invalid:
// the answer is 503, which tells a client to retry, for a signed-in call as for a public one.
func TestDatabaseDown(t *testing.T) {
	f := newFixture(t, httpapi.Config{})
	f.db.Close()
	err := f.officer.api.Do(t.Context(), "GET", "/cases", nil, nil, nil)
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("an officer's call with the database down: %v, want unavailable", err)
	}
	err = f.public.Do(t.Context(), "POST", "/reports", nil, takedown.ReportInput{URLs: []string{"https://down.example/v/1"},
		Offence: "csam", Description: "Synthetic report.", GoodFaith: true}, nil)
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("a public report with the database down: %v, want unavailable", err)
	}
}
