package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAcknowledgedReportsSurviveKill9: reports are submitted by concurrent public clients;
// the server is killed with SIGKILL in the middle of the load; after a restart on the same
// data directory, every report whose receipt was acknowledged is there, grouped in its case,
// and the audit log still verifies, every event against its leaf: the crash left no change
// without its leaf, nor a leaf without its change.
func TestAcknowledgedReportsSurviveKill9(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // made by takedown, for its owner only
	logKey := lastLine(run(t, nil, "admin", "log-key", "create", "--data", dir, "--origin", "authority.example/log"))
	officer := lastLine(run(t, nil, "admin", "user", "add", "--data", dir, "--role", "officer", "--name", "Officer Durable"))
	url, srv := serve(t, dir, "--reports-per-minute", "-1")

	var mu sync.Mutex
	acked := map[string]string{} // receipt → URL
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			c := client.New(url, "")
			for i := 0; ctx.Err() == nil; i++ {
				u := fmt.Sprintf("https://videos.host.test/durable/%d/%d", w, i)
				var r struct{ Receipt string }
				err := c.Do(ctx, "POST", "/reports", nil, takedown.ReportInput{URLs: []string{u}, Offence: "csam",
					Description: "Synthetic durability test report.", GoodFaith: true}, &r)
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[r.Receipt] = u
				mu.Unlock()
			}
		})
	}
	waitFor(t, "300 acknowledged reports", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 300 })
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	stop()
	wg.Wait()

	url, _ = serve(t, dir)
	c := client.New(url, officer)
	stored := map[string]takedown.Report{}
	q := map[string][]string{"limit": {"500"}}
	for {
		var page struct {
			Items      []takedown.Report
			NextCursor string `json:"next_cursor"`
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := c.Do(ctx, "GET", "/reports", q, nil, &page)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			stored[r.Receipt] = r
		}
		if page.NextCursor == "" {
			break
		}
		q["cursor"] = []string{page.NextCursor}
	}
	lost := 0
	for receipt, u := range acked {
		r, ok := stored[receipt]
		switch {
		case !ok:
			lost++
			t.Errorf("acknowledged report %s (%s) is gone after kill -9", receipt, u)
		case r.URLs[0].Canonical != u || r.URLs[0].CaseID == 0:
			t.Errorf("report %s came back as %+v", receipt, r.URLs)
		}
	}
	t.Logf("%d reports acknowledged before kill -9, %d stored after restart, %d lost", len(acked), len(stored), lost)

	waitFor(t, "a checkpoint of the whole log after the restart", func() bool {
		var st struct{ Size, Unpublished int64 }
		return c.Do(context.Background(), "GET", "/log", nil, nil, &st) == nil && st.Size > 0 && st.Unpublished == 0
	})
	run(t, nil, "log", "verify", "--server", url, "--token", officer, "--key", logKey)
}
