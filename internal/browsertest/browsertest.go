// Package browsertest starts Debian's headless Chromium for tests, with the flags that work
// here with no network, and skips the test when Chromium is not installed.
package browsertest

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// Chromium is Debian's browser, which make check installs when run as root.
const Chromium = "/usr/bin/chromium"

// Start starts a browser for the test and returns its context, with no timeout (derive
// timed contexts from it). hostMap, if not empty, is the address every host name resolves
// to, as a resolver applying the blocking zone sends a blocked name to the stop page.
func Start(t *testing.T, hostMap string) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		t.Skip("chromium is not installed (Debian package chromium): make check installs it when run as root")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true))
	if hostMap != "" {
		opts = append(opts, chromedp.Flag("host-resolver-rules", "MAP * "+hostMap))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a timeout
		t.Fatal(err)
	}
	return ctx
}
