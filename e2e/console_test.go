package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/takedown-project/takedown/internal/browsertest"
)

// TestDemoInABrowser: after `takedown demo`, a newcomer opens the printed address in a
// browser, signs in as the officer with one click, and finds the queue; the public report
// form is there too, and the API beside it.
func TestDemoInABrowser(t *testing.T) {
	ctx := browsertest.Start(t, "")
	tmp := t.TempDir()
	startDemo(t, tmp)
	server := readEnv(t, filepath.Join(tmp, "takedown-demo.env"))["TAKEDOWN_SERVER"]
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var err error
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err = chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	run(chromedp.Navigate(server + "/signin"))
	if _, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const b = [...document.querySelectorAll('.demo-users button')].find(b => b.textContent.includes('Officer Alpha'));
		b.click(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	run(chromedp.WaitVisible(chromedp.CSS("#queue table.list")))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#queue tbody tr').length`))
	if err != nil || rows < 10 {
		t.Errorf("the demo's queue has %d cases (%v)", rows, err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("header .account span")))
	if err != nil || !strings.Contains(who, "Officer Alpha") {
		t.Errorf("signed in as %q (%v)", who, err)
	}
	run(chromedp.Navigate(server+"/report"), chromedp.WaitVisible(chromedp.CSS("#urls")))
	run(chromedp.Navigate(server + "/api/v1/profile"))
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil || !strings.Contains(body, `"offences"`) {
		t.Errorf("the API beside the console: %.200q (%v)", body, err)
	}
}
