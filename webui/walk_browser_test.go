package webui_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/browsertest"
	"github.com/takedown-project/takedown/procedure"
)

// screenshotsEnv names the directory the walk saves its screenshots to (make screenshots
// sets it to docs/screenshots); unset, they are taken and checked but not saved.
const screenshotsEnv = "TAKEDOWN_SCREENSHOTS"

// walk drives one browser through the console.
type walk struct {
	t      *testing.T
	ctx    context.Context
	site   *site
	issues []string // accessibility problems found on the pages
}

// do runs steps, each waiting at most 20 seconds for the elements it needs.
func (w *walk) do(steps ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		page, _ := chromedp.Run(w.ctx, chromedp.Evaluate[string](`document.location.pathname + ': ' + document.querySelector('main').innerText.slice(0, 600)`))
		w.t.Fatalf("%v, on %s", err, page)
	}
}

func (w *walk) text(sel string) string {
	w.t.Helper()
	s, err := chromedp.Run(w.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		w.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// present counts the elements matching sel, without waiting for one.
func (w *walk) present(sel string) int {
	w.t.Helper()
	n, err := chromedp.Run(w.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quote(sel)+`).length`))
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// open goes to a path of the site.
func (w *walk) open(path string) {
	w.t.Helper()
	w.do(chromedp.Navigate(w.site.srv.URL + path))
}

// submit clicks a button and waits for the page it leads to, known by sel.
// The page being left is marked, so that the wait is for the next one.
func (w *walk) submit(button, sel string) {
	w.t.Helper()
	if _, err := chromedp.Run(w.ctx, chromedp.Evaluate[bool](`document.body.setAttribute('data-left', ''), true`)); err != nil {
		w.t.Fatal(err)
	}
	w.do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitReady(chromedp.CSS("body:not([data-left])")), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// signIn signs in with a fresh link, as an administrator would hand it over.
func (w *walk) signIn(env string) {
	w.t.Helper()
	w.do(chromedp.Navigate(w.site.link(w.t, env)))
	w.submit("#signin", "header .account span")
}

func (w *walk) signOut() {
	w.t.Helper()
	w.submit("header .account form button", "a.button")
}

// shot checks the page's accessibility and takes a screenshot, saved as name.png when
// screenshots are asked for.
func (w *walk) shot(name string) {
	w.t.Helper()
	problems, err := chromedp.Run(w.ctx, chromedp.Evaluate[[]string](a11yScript))
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range problems {
		w.issues = append(w.issues, name+": "+p)
	}
	png, err := chromedp.Run(w.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		w.t.Fatal(err)
	}
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// TestConsoleWalk walks the core procedure through the pages in a real browser: a member of
// the public reports, an officer accepts and qualifies, a supervisor approves and sends a
// removal request, the host acknowledges and complies, a site owner contests a blocking, the controller recommends ending a
// measure, a supervisor answers. Each role sees what it may and not what it may not; every
// page passes the accessibility checks.
func TestConsoleWalk(t *testing.T) {
	s := newSite(t)
	ctx := browsertest.Start(t, "")
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	w := &walk{t: t, ctx: ctx, site: s}
	// Every error and warning the pages print (a script refused by the CSP, an exception)
	// fails the walk.
	var consoleMu sync.Mutex
	var complaints []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The 403 is the operator's refused look at the case, which the walk provokes.
			expected := strings.Contains(m.Text, "status of 403") && strings.Contains(m.URL, "/console/cases/")
			if (m.IsException() || m.Type == "error" || m.Type == "warning") && !expected {
				consoleMu.Lock()
				complaints = append(complaints, m.String()+" ("+m.URL+")")
				consoleMu.Unlock()
			}
		}
	}()
	w.do(chromedp.EmulateViewport(1280, 900))

	// The public reports, without an account.
	const address = "https://paste.host.test/raw/browser-walk"
	w.open("/report")
	w.do(chromedp.SendKeys(chromedp.CSS("#urls"), address), chromedp.Click(chromedp.CSS("#offence-terrorism-apology")),
		chromedp.SendKeys(chromedp.CSS("#description"), "A text praising an invented attack."), chromedp.Click(chromedp.CSS("#good_faith")))
	w.shot("report")
	w.submit("form.form button[type=submit]", "#receipt")
	receipt := w.text("#receipt")
	if !regexp.MustCompile(`^TD-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`).MatchString(receipt) {
		t.Errorf("receipt %q", receipt)
	}
	w.shot("receipt")

	// A site owner contests a blocking, from the stop page's link.
	w.open("/complaint?address=propaganda-mirror.example")
	w.do(chromedp.Click(chromedp.CSS("#from-publisher")),
		chromedp.SendKeys(chromedp.CSS("#text"), "The site is a news archive; the page cited was removed last week."),
		chromedp.SendKeys(chromedp.CSS("#contact"), "owner@propaganda-mirror.example"))
	w.shot("complaint")
	w.submit("#send-complaint", "#receipt")
	w.open("/figures")
	w.shot("figures")
	found := cases(t, s, address)
	if len(found) != 1 {
		t.Fatalf("%d cases for the report", len(found))
	}
	casePath := "/console/cases/" + itoa(found[0].ID)
	if reports, _, err := s.svc.Reports(s.as("OFFICER"), takedown.ReportFilter{CaseID: found[0].ID}); err != nil || len(reports) != 1 || reports[0].Receipt != receipt {
		t.Errorf("the case's report is not the one receipted %q: %v %v", receipt, reports, err)
	}

	// An officer accepts and qualifies; approving is not theirs.
	w.signIn("OFFICER")
	w.open("/console/cases")
	w.shot("queue")
	// The demo's first case holds a picture: blurred until opened, and counted.
	w.open("/console/cases/1#h-evidence")
	w.do(chromedp.SendKeys(chromedp.CSS(`input[id^="evidence-reason-"]`), "Check the qualification."))
	w.submit(`button[id^="open-evidence-"]`, "#exposure")
	w.shot("evidence")
	w.open("/console/cases")
	// Keyboard: j goes to the first case. The filter replaces the list in place (htmx) and
	// keeps the address of the filtered list.
	w.do(chromedp.KeyEvent("j"))
	if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute('href') || ''`)); err != nil || !strings.HasPrefix(href, "/console/cases/") {
		t.Errorf("after j, the focus is on %q (%v)", href, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById('state'); s.value = 'new'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)); err != nil {
		t.Fatal(err)
	}
	pollCtx, stop := context.WithTimeout(ctx, 20*time.Second)
	if _, err := chromedp.Run(pollCtx, chromedp.Poll[bool](`location.search.includes('state=new') && document.querySelectorAll('#queue tbody tr').length > 0`)); err != nil {
		t.Errorf("the filter did not replace the list: %v", err)
	}
	stop()
	w.open(casePath)
	w.submit("#accept", ".flash")
	offence, _ := procedure.Default().Offence("terrorism-apology")
	for _, e := range offence.Elements {
		sel := chromedp.CSS("#element-" + e.ID)
		switch e.Type {
		case procedure.Confirm:
			w.do(chromedp.Click(sel))
		case procedure.Describe:
			w.do(chromedp.SendKeys(sel, "the invented attack of the demo"))
		case procedure.Choose:
			w.do(chromedp.SetValue(sel, e.Require))
		}
	}
	w.do(chromedp.SendKeys(chromedp.CSS("#qualify-reasons"), "The text presents the invented attack favourably, in public."))
	w.shot("qualify")
	w.submit("#qualify", ".flash")
	if w.present("#approve") != 0 {
		t.Errorf("an officer is offered to approve a qualification")
	}
	w.signOut()

	// A supervisor approves and sends a removal request to the host the page suggests.
	w.signIn("SUPERVISOR")
	w.open("/console/approvals")
	w.shot("approvals")
	w.open(casePath)
	w.submit("#approve", ".flash")
	if op, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#operator_id"))); err != nil || op != itoa(s.world.Account("HOST2").User.OperatorID) {
		t.Errorf("the addressee suggested is %q, not the host of %s (%v)", op, address, err)
	}
	w.submit("#issue", ".flash")
	w.shot("case")
	w.signOut()

	// The host acknowledges and complies, and cannot open the case.
	ds, _, err := s.svc.Deliveries(s.as("OFFICER"), takedown.DeliveryFilter{CaseID: found[0].ID})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries of the case: %v %v", ds, err)
	}
	w.signIn("HOST2")
	w.open("/console/deliveries")
	w.shot("operator")
	w.open("/console/deliveries/" + itoa(ds[0].ID))
	w.submit("#acknowledge", ".flash")
	w.submit("#comply", ".flash")
	w.shot("delivery")
	w.open(casePath)
	if w.present("#accept, #qualify, #approve, #issue, .reports") != 0 || w.present(".error-summary") != 1 {
		t.Errorf("an operator sees a case")
	}
	w.signOut()
	if d, _, err := s.svc.Notice(s.as("OFFICER"), ds[0].ID); err != nil || d.State != takedown.DeliveryComplied {
		t.Errorf("the delivery after the host's answers: %+v %v", d, err)
	}

	// The controller reads everything, reviews measures with an assistant, changes nothing
	// but recommends.
	w.signIn("CONTROLLER")
	w.shot("dashboard")
	w.open(casePath)
	if w.present("#accept, #qualify, #approve, #issue") != 0 || w.present(".timeline li") == 0 {
		t.Errorf("the controller's view of the case: actions or no timeline")
	}
	w.open("/console/lists")
	w.shot("lists")
	w.open("/console/reviews")
	w.do(chromedp.SetValue(chromedp.CSS("#second"), itoa(s.world.Account("CONTROLLER2").User.ID)))
	w.submit("#start-review", "#verdict-approve")
	w.shot("review")
	w.submit("#verdict-approve", ".flash")
	w.open("/console/recommendations")
	measure, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#measure_id")))
	if err != nil || measure == "" {
		t.Fatalf("no measure in force to recommend on: %v", err)
	}
	w.do(chromedp.SendKeys(chromedp.CSS("#recommend-reasons"), "The content is no longer online; the measure is no longer necessary."))
	w.submit("#recommend", ".flash")
	w.shot("recommendations")
	w.open("/console/transparency")
	w.shot("transparency")
	// The reports of the year, as the controller publishes them, in both languages.
	for _, r := range []struct{ link, shot, h1 string }{
		{"#report-annual-fr", "annual-report-fr", "Rapport annuel d'activité de la personnalité qualifiée"},
		{"#report-annual-en", "annual-report-en", "Annual activity report of the qualified person"},
		{"#report-authority-en", "authority-report-en", "Transparency report of the competent authority"},
	} {
		w.open("/console/transparency")
		w.submit(r.link, "h1")
		if h1 := w.text("h1"); h1 != r.h1 {
			t.Errorf("the report behind %s is headed %q, want %q", r.link, h1, r.h1)
		}
		w.shot(r.shot)
	}
	w.open("/console/transparency")
	w.signOut()

	// A supervisor declines it, with reasons.
	recs, _, err := s.svc.Recommendations(s.as("SUPERVISOR"), takedown.RecommendationFilter{State: takedown.RecommendationOpen})
	if err != nil || len(recs) == 0 {
		t.Fatalf("open recommendations: %v %v", recs, err)
	}
	rec := recs[len(recs)-1]
	w.signIn("SUPERVISOR")
	w.open("/console/recommendations")
	w.do(chromedp.SendKeys(chromedp.CSS("#rec-"+itoa(rec.ID)+"-reasons"), "A copy is still reachable from a mirror."))
	w.submit("#answer-recommendation-"+itoa(rec.ID), ".flash")
	if got, err := s.svc.Recommendation(s.as("SUPERVISOR"), rec.ID); err != nil || got.State != takedown.RecommendationDeclined {
		t.Errorf("the recommendation after the answer: %+v %v", got, err)
	}

	// The browser asks for English; the switch gives French.
	w.submit(`a[hreflang="fr"]`, `h1`)
	if h1 := w.text("h1"); h1 != "Recommandations du contrôleur" {
		t.Errorf("in French, the heading is %q", h1)
	}
	for _, p := range w.issues {
		t.Errorf("accessibility: %s", p)
	}
	consoleMu.Lock()
	defer consoleMu.Unlock()
	for _, m := range complaints {
		t.Errorf("the browser's console: %s", m)
	}
}
