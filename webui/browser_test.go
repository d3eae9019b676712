package webui_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown/internal/browsertest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/webui"
)

// TestStopPageInABrowser: a browser sent to the stop page for a blocked name shows it, in
// French then English, with the name, the offence, and the complaint link.
func TestStopPageInABrowser(t *testing.T) {
	blocked := func(host string) (string, bool) { return "terrorism-apology", host == "propaganda.example" }
	srv := httptest.NewServer(webui.NewStopPage(procedure.Default(), blocked, "https://authority.example/complaint", prometheus.NewRegistry()))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	ctx := browsertest.Start(t, "127.0.0.1:"+port)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate("http://propaganda.example:"+port+"/video/1")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	h1fr, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`section[lang="fr"] h1`)))
	if err != nil {
		t.Fatal(err)
	}
	h1en, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`section[lang="en"] h1`)))
	if err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`section[lang="en"] a`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	link := href.Value
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Accès bloqué — Access blocked" || !strings.Contains(h1fr, "propaganda.example") || !strings.HasPrefix(h1en, "Access blocked") ||
		link != "https://authority.example/complaint?address=propaganda.example" || len(png) == 0 {
		t.Errorf("title %q, headings %q / %q, link %q, screenshot of %d bytes", title, h1fr, h1en, link, len(png))
	}
}
