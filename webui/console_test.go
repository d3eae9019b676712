package webui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/demo"
	"github.com/takedown-project/takedown/internal/ratelimit"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
	"github.com/takedown-project/takedown/webui"
)

// site is the console on a real SQLite file seeded with the demo's invented world.
type site struct {
	svc   *casework.Service
	world *demo.World
	clock *takedown.SimClock
	srv   *httptest.Server
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, webui.ConsoleConfig{})
}

// newSiteWith is newSite with a configuration (its clock is the site's).
func newSiteWith(t *testing.T, cfg webui.ConsoleConfig) *site {
	t.Helper()
	dir := t.TempDir()
	clock := takedown.NewSimClock(time.Now().Add(-demo.History), time.Now)
	db := storetest.Open(t, clock)
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	world, err := demo.Seed(context.Background(), svc, clock)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clock = clock
	console := webui.NewConsole(svc, cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	srv := httptest.NewServer(console)
	t.Cleanup(srv.Close)
	return &site{svc: svc, world: world, clock: clock, srv: srv}
}

// link is a fresh sign-in link for the demo account exported as env.
func (s *site) link(t *testing.T, env string) string {
	t.Helper()
	secret, err := s.svc.IssueSignInLink(takedown.NewContextWithUser(context.Background(), casework.LocalAdmin), s.world.Account(env).User.ID)
	if err != nil {
		t.Fatal(err)
	}
	return webui.SignInURL(s.srv.URL, secret)
}

// as is the demo account's context, for checking what the pages did.
func (s *site) as(env string) context.Context {
	return takedown.NewContextWithUser(context.Background(), s.world.Account(env).User)
}

// client is an HTTP client with its own cookies that does not follow redirects.
func (s *site) client(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn signs a client in with a link and returns it.
func (s *site) signIn(t *testing.T, env string) *http.Client {
	t.Helper()
	c := s.client(t)
	res := post(t, c, s.link(t, env), url.Values{"next": {"/console/"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d\n%s", env, res.status, res.body)
	}
	return c
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func fetch(t *testing.T, c *http.Client, u string) response {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) response {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func read(t *testing.T, res *http.Response) response {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

var (
	nonceRE = regexp.MustCompile(`name="form_id" value="([^"]+)"`)
	stampRE = regexp.MustCompile(`name="updated_at" value="([^"]+)"`)
)

// first returns the first submatch of re in s.
func first(t *testing.T, re *regexp.Regexp, s string) string {
	t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page", re)
	}
	return m[1]
}

// TestSignIn: a link works once; the session cookie is HttpOnly; signing out ends the
// session; an API token is no session.
func TestSignIn(t *testing.T) {
	s := newSite(t)
	link := s.link(t, "OFFICER")
	c := s.client(t)
	if res := fetch(t, c, link); res.status != 200 || !strings.Contains(res.body, `action="/signin/`) {
		t.Fatalf("the link's page: %d", res.status)
	}
	res := post(t, c, link, url.Values{"next": {"//elsewhere.example/"}})
	if res.status != http.StatusSeeOther || res.location != "/console/" {
		t.Fatalf("sign-in: %d to %q (a next outside the site must not be followed)", res.status, res.location)
	}
	cookie := res.header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q", cookie)
	}
	if res := fetch(t, c, s.srv.URL+"/console/cases"); res.status != 200 || !strings.Contains(res.body, "Officer Alpha") {
		t.Errorf("the queue after sign-in: %d", res.status)
	}
	again := s.client(t)
	if res := post(t, again, link, nil); res.status != http.StatusUnauthorized || !strings.Contains(res.body, "used already") {
		t.Errorf("a used link: %d\n%s", res.status, res.body)
	}
	if res := post(t, c, s.srv.URL+"/signout", nil); res.status != http.StatusSeeOther {
		t.Errorf("sign-out: %d", res.status)
	}
	if res := fetch(t, c, s.srv.URL+"/console/cases"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signin") {
		t.Errorf("after sign-out: %d to %q", res.status, res.location)
	}
	late := s.link(t, "SUPERVISOR")
	s.clock.Advance(takedown.SignInLinkLifetime + time.Minute)
	if res := post(t, s.client(t), late, nil); res.status != http.StatusUnauthorized {
		t.Errorf("a link after %s: %d", takedown.SignInLinkLifetime, res.status)
	}
	token := s.world.Account("OFFICER").Token
	bearer := s.client(t)
	u, _ := url.Parse(s.srv.URL)
	bearer.Jar.SetCookies(u, []*http.Cookie{{Name: "takedown_session", Value: token}})
	if res := fetch(t, bearer, s.srv.URL+"/console/cases"); res.status != http.StatusSeeOther {
		t.Errorf("an API token as a session cookie: %d", res.status)
	}
}

// TestCrossOriginPostRefused: a form posted from another site is refused.
func TestCrossOriginPostRefused(t *testing.T) {
	s := newSite(t)
	c := s.signIn(t, "OFFICER")
	req, _ := http.NewRequest("POST", s.srv.URL+"/console/cases/1/accept", strings.NewReader("form_id=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post: %d", res.StatusCode)
	}
}

// TestPublicReportForm: the form validates on the server with the message beside the
// field, keeps what was typed, and a double submission records one report.
func TestPublicReportForm(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	page := fetch(t, c, s.srv.URL+"/report")
	nonce := first(t, nonceRE, page.body)
	bad := url.Values{"form_id": {nonce}, "urls": {"https://paste.host.test/raw/<b>x</b>"}, "offence": {"terrorism-apology"}, "description": {"a video"}}
	res := post(t, c, s.srv.URL+"/report", bad)
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, `id="good_faith-error"`) {
		t.Fatalf("a report without the good-faith statement: %d\n%s", res.status, res.body)
	}
	if strings.Contains(res.body, "<b>x</b>") || !strings.Contains(res.body, "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("what was typed is not shown escaped")
	}
	good := url.Values{"form_id": {nonce}, "urls": {"https://paste.host.test/raw/form-test"}, "offence": {"terrorism-apology"}, "description": {"a video"}, "good_faith": {"yes"}}
	res = post(t, c, s.srv.URL+"/report", good)
	if res.status != http.StatusCreated || !strings.Contains(res.body, `id="receipt"`) {
		t.Fatalf("a good report: %d\n%s", res.status, res.body)
	}
	if res := post(t, c, s.srv.URL+"/report", good); res.status != http.StatusSeeOther {
		t.Errorf("the same form again: %d", res.status)
	}
	reports := 0
	for _, cs := range cases(t, s, "https://paste.host.test/raw/form-test") {
		reports += cs.Reports
	}
	if reports != 1 {
		t.Errorf("%d reports recorded, want 1", reports)
	}
}

// TestReportFormRateLimited: the public's reports through the form share the API's limit.
func TestReportFormRateLimited(t *testing.T) {
	s := newSiteWith(t, webui.ConsoleConfig{Reports: ratelimit.New(1)})
	c := s.client(t)
	report := func(path string) response {
		page := fetch(t, c, s.srv.URL+"/report")
		return post(t, c, s.srv.URL+"/report", url.Values{"form_id": {first(t, nonceRE, page.body)}, "urls": {"https://paste.host.test/raw/" + path},
			"offence": {"terrorism-apology"}, "description": {"a video"}, "good_faith": {"yes"}})
	}
	if res := report("one"); res.status != http.StatusCreated {
		t.Fatalf("the first report: %d", res.status)
	}
	if res := report("two"); res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") != "60" || !strings.Contains(res.body, "attendez une minute") {
		t.Errorf("the second report in the minute: %d", res.status)
	}
}

func cases(t *testing.T, s *site, u string) []*takedown.Case {
	t.Helper()
	list, _, err := s.svc.Cases(s.as("OFFICER"), takedown.CaseFilter{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestStaleCasePage: an action sent from a page older than the case's last change shows
// the case again with a conflict message, and does nothing.
func TestStaleCasePage(t *testing.T) {
	s := newSite(t)
	if _, err := s.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://paste.host.test/raw/stale"},
		Offence: "terrorism-apology", Description: "a video", GoodFaith: true}); err != nil {
		t.Fatal(err)
	}
	cs := cases(t, s, "https://paste.host.test/raw/stale")[0]
	alpha, bravo := s.signIn(t, "OFFICER"), s.signIn(t, "OFFICER2")
	u := s.srv.URL + "/console/cases/" + itoa(cs.ID)
	pageA, pageB := fetch(t, alpha, u).body, fetch(t, bravo, u).body
	accept := func(c *http.Client, page string) response {
		return post(t, c, u+"/accept", url.Values{"form_id": {first(t, nonceRE, page)}, "updated_at": {first(t, stampRE, page)}})
	}
	if res := accept(alpha, pageA); res.status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.status, res.body)
	}
	res := accept(bravo, pageB)
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, `id="stale"`) {
		t.Errorf("a stale accept: %d\n%s", res.status, res.body)
	}
}

// TestRolesInTheConsole: an operator cannot open a case; the controller sees it without
// any action on the procedure (its only form places a legal hold); the public is sent to
// sign in.
func TestRolesInTheConsole(t *testing.T) {
	s := newSite(t)
	u := s.srv.URL + "/console/cases/1"
	if res := fetch(t, s.signIn(t, "HOST"), u); res.status != http.StatusForbidden {
		t.Errorf("an operator on a case: %d", res.status)
	}
	res := fetch(t, s.signIn(t, "CONTROLLER"), u)
	forms := regexp.MustCompile(`method="post" action="/console/cases/1/([a-z-]+)"`).FindAllStringSubmatch(res.body, -1)
	if res.status != 200 || len(forms) != 1 || forms[0][1] != "legal-hold" {
		t.Errorf("the controller on a case: %d, with the forms %q", res.status, forms)
	}
	if res := fetch(t, s.client(t), u); res.status != http.StatusSeeOther {
		t.Errorf("the public on a case: %d", res.status)
	}
}

// TestLanguages: the browser's language is followed, and the switch wins over it.
func TestLanguages(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	req, _ := http.NewRequest("GET", s.srv.URL+"/report", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if page := read(t, res); !strings.Contains(page.body, `<html lang="en">`) {
		t.Errorf("an English browser got another language")
	}
	if res := fetch(t, c, s.srv.URL+"/lang?to=fr&back=/report"); res.status != http.StatusSeeOther || res.location != "/report" {
		t.Fatalf("switch: %d to %q", res.status, res.location)
	}
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if page := read(t, res); !strings.Contains(page.body, `<html lang="fr">`) || !strings.Contains(page.body, "Signaler un contenu") {
		t.Errorf("the switch to French was not kept")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestComplaints: anyone may contest a measure; a complaint without a contact is refused
// beside the field; one about a case's address is linked to it; an officer answers; the
// controller sees the complaint and the answer but cannot answer; an operator sees none.
func TestComplaints(t *testing.T) {
	s := newSite(t)
	cs, _, err := s.svc.Cases(s.as("OFFICER"), takedown.CaseFilter{State: takedown.CaseApproved, Page: takedown.Page{Limit: 1}})
	if err != nil || len(cs) == 0 {
		t.Fatalf("an approved case: %v", err)
	}
	public := s.client(t)
	page := fetch(t, public, s.srv.URL+"/complaint?address="+url.QueryEscape(cs[0].URLs[0]))
	if !strings.Contains(page.body, `value="`+cs[0].URLs[0]+`"`) {
		t.Errorf("the form is not filled with the address given")
	}
	form := url.Values{"form_id": {first(t, nonceRE, page.body)}, "address": {cs[0].URLs[0]}, "from": {"publisher"},
		"text": {"This page is a news report about the attack, not an apology of it."}}
	if res := post(t, public, s.srv.URL+"/complaint", form); res.status != http.StatusBadRequest || !strings.Contains(res.body, `id="contact-error"`) {
		t.Fatalf("a complaint without a contact: %d", res.status)
	}
	form.Set("contact", "editor@news-mirror.example")
	if res := post(t, public, s.srv.URL+"/complaint", form); res.status != http.StatusCreated || !strings.Contains(res.body, `id="receipt"`) {
		t.Fatalf("a complaint: %d\n%s", res.status, res.body)
	}
	list, _, err := s.svc.Complaints(s.as("CONTROLLER"), takedown.ComplaintFilter{})
	if err != nil || len(list) != 1 || list[0].CaseID != cs[0].ID || list[0].Contact != "" {
		t.Fatalf("complaints %+v, %v: want one, linked to case %d, without its contact in the list", list, err, cs[0].ID)
	}
	u := s.srv.URL + "/console/complaints/" + itoa(list[0].ID)

	controller := s.signIn(t, "CONTROLLER")
	res := fetch(t, controller, u)
	if res.status != 200 || !strings.Contains(res.body, "editor@news-mirror.example") || strings.Contains(res.body, `id="answer-complaint"`) {
		t.Errorf("the controller's view: %d", res.status)
	}
	if res := post(t, controller, u+"/answer", url.Values{"reasons": {"x"}}); res.status != http.StatusForbidden {
		t.Errorf("the controller answering: %d", res.status)
	}
	if res := fetch(t, s.signIn(t, "HOST"), s.srv.URL+"/console/complaints"); res.status != http.StatusForbidden {
		t.Errorf("an operator on the complaints: %d", res.status)
	}
	officer := s.signIn(t, "OFFICER")
	page = fetch(t, officer, u)
	if res := post(t, officer, u+"/answer", url.Values{"form_id": {first(t, nonceRE, page.body)}, "reasons": {""}}); res.status != http.StatusBadRequest || !strings.Contains(res.body, `id="answer-reasons-error"`) {
		t.Errorf("an answer without reasons: %d", res.status)
	}
	if res := post(t, officer, u+"/answer", url.Values{"form_id": {first(t, nonceRE, page.body)}, "reasons": {"The page copies the video of the attack; the blocking stands."}}); res.status != http.StatusSeeOther {
		t.Fatalf("the answer: %d\n%s", res.status, res.body)
	}
	if c, err := s.svc.Complaint(s.as("CONTROLLER"), list[0].ID); err != nil || c.State != takedown.ComplaintAnswered || c.Answer == nil {
		t.Errorf("after the answer: %+v %v", c, err)
	}
}

// TestReviewSession: a session shared by two reviewers deals the measures in turn; each
// sees only their own; a recommend verdict makes the recommendation; a question needs its
// note; a reviewer cannot give a verdict on the other's item; the authority has no access.
func TestReviewSession(t *testing.T) {
	s := newSite(t)
	delta1, second := s.world.Account("CONTROLLER").User, s.world.Account("CONTROLLER2").User
	delta := s.signIn(t, "CONTROLLER")
	page := fetch(t, delta, s.srv.URL+"/console/reviews")
	res := post(t, delta, s.srv.URL+"/console/reviews", url.Values{"form_id": {first(t, nonceRE, page.body)}, "second": {itoa(second.ID)}, "limit": {"4"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("start: %d\n%s", res.status, res.body)
	}
	sessions, _, err := s.svc.ReviewSessions(s.as("CONTROLLER"), takedown.Page{})
	if err != nil || len(sessions) != 1 || sessions[0].Items != 4 {
		t.Fatalf("sessions %+v %v", sessions, err)
	}
	id := sessions[0].ID
	mine, err := s.svc.NextReviewItem(s.as("CONTROLLER"), id)
	if err != nil || mine.Reviewer != delta1.ID || mine.Position != 1 {
		t.Fatalf("the first reviewer's next item: %+v %v", mine, err)
	}
	theirs, err := s.svc.NextReviewItem(s.as("CONTROLLER2"), id)
	if err != nil || theirs.Position != 2 {
		t.Fatalf("the second reviewer's next item: %+v %v", theirs, err)
	}
	next := fetch(t, delta, s.srv.URL+res.location)
	if res := post(t, delta, s.srv.URL+"/console/review-items/"+itoa(mine.ID), url.Values{"form_id": {first(t, nonceRE, next.body)}, "session": {itoa(id)},
		"verdict": {"question"}}); res.status != http.StatusBadRequest || !strings.Contains(res.body, `id="note-error"`) {
		t.Errorf("a question without its note: %d", res.status)
	}
	if res := post(t, delta, s.srv.URL+"/console/review-items/"+itoa(theirs.ID), url.Values{"form_id": {"x"}, "session": {itoa(id)},
		"verdict": {"approve"}}); res.status != http.StatusForbidden {
		t.Errorf("a verdict on the other reviewer's item: %d", res.status)
	}
	if res := post(t, delta, s.srv.URL+"/console/review-items/"+itoa(mine.ID), url.Values{"form_id": {first(t, nonceRE, next.body)}, "session": {itoa(id)},
		"verdict": {"recommend"}, "note": {"The measure is no longer necessary."}}); res.status != http.StatusSeeOther {
		t.Fatalf("a recommend verdict: %d\n%s", res.status, res.body)
	}
	recs, _, err := s.svc.Recommendations(s.as("CONTROLLER"), takedown.RecommendationFilter{MeasureID: mine.MeasureID, State: takedown.RecommendationOpen})
	if err != nil || len(recs) != 1 {
		t.Errorf("the recommendation of the verdict: %v %v", recs, err)
	}
	if after, err := s.svc.NextReviewItem(s.as("CONTROLLER"), id); err != nil || after.Position != 3 {
		t.Errorf("the first reviewer's next item after one verdict: %+v %v", after, err)
	}
	if res := fetch(t, s.signIn(t, "SUPERVISOR"), s.srv.URL+"/console/reviews"); res.status != http.StatusForbidden {
		t.Errorf("a supervisor on the review sessions: %d", res.status)
	}
}

// TestLists: the controller sees every recipient of the lists, their history and the audit
// log's state; an ISP sees only itself, with the zone to transfer.
func TestLists(t *testing.T) {
	s := newSite(t)
	console := webui.NewConsole(s.svc, webui.ConsoleConfig{Clock: s.clock}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	console.ServeZone(webui.Zone{Name: "rpz.authority.example.", Primary: "192.0.2.53:53"})
	s.srv.Config.Handler = console
	res := fetch(t, s.signIn(t, "CONTROLLER"), s.srv.URL+"/console/lists")
	if res.status != 200 || !strings.Contains(res.body, `id="log-size"`) || !strings.Contains(res.body, "Fibre Network ISP") || !strings.Contains(res.body, "Mobile Connect ISP") {
		t.Errorf("the controller's lists: %d", res.status)
	}
	res = fetch(t, s.signIn(t, "ISP"), s.srv.URL+"/console/lists")
	if res.status != 200 || !strings.Contains(res.body, "rpz.authority.example.") || strings.Contains(res.body, "Mobile Connect ISP") ||
		strings.Contains(res.body, `id="log-size"`) || !strings.Contains(res.body, "Fibre Network ISP") {
		t.Errorf("an ISP's lists: %d\n%s", res.status, res.body)
	}
}

// TestFlaggerReports: a trusted flagger reports through the form with its session, so the
// report comes first, and follows its own reports, without opening cases.
func TestFlaggerReports(t *testing.T) {
	s := newSite(t)
	c := s.signIn(t, "FLAGGER")
	if res := fetch(t, c, s.srv.URL+"/console/"); res.location != "/console/reports" {
		t.Errorf("a flagger's home: %q", res.location)
	}
	page := fetch(t, c, s.srv.URL+"/report")
	res := post(t, c, s.srv.URL+"/report", url.Values{"form_id": {first(t, nonceRE, page.body)}, "urls": {"https://paste.host.test/raw/flagged"},
		"offence": {"terrorism-apology"}, "description": {"a video"}, "good_faith": {"yes"}})
	if res.status != http.StatusCreated {
		t.Fatalf("a flagger's report: %d", res.status)
	}
	cs := cases(t, s, "https://paste.host.test/raw/flagged")
	if len(cs) != 1 || cs[0].Priority == 0 {
		t.Errorf("the flagger's case: %+v, want it first in the queue", cs)
	}
	list := fetch(t, c, s.srv.URL+"/console/reports")
	if !strings.Contains(list.body, "https://paste.host.test/raw/flagged") || strings.Contains(list.body, `href="/console/cases/`) {
		t.Errorf("the flagger's reports: %d", list.status)
	}
	if res := fetch(t, c, s.srv.URL+"/console/cases/"+itoa(cs[0].ID)); res.status != http.StatusForbidden {
		t.Errorf("a flagger on a case: %d", res.status)
	}
}

// TestPasswordSignIn: a user with a password signs in with its name; a wrong password is
// refused without saying which of the two was wrong; attempts are limited per connection.
func TestPasswordSignIn(t *testing.T) {
	s := newSite(t)
	if err := s.svc.SetPassword(takedown.NewContextWithUser(context.Background(), casework.LocalAdmin), s.world.Account("SUPERVISOR").User.ID,
		"correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	res := post(t, c, s.srv.URL+"/signin", url.Values{"name": {"Supervisor Charlie"}, "password": {"correct horse battery staple"}, "next": {"/console/approvals"}})
	if res.status != http.StatusSeeOther || res.location != "/console/approvals" {
		t.Fatalf("sign in: %d to %q", res.status, res.location)
	}
	wrong := s.client(t)
	for i := 1; ; i++ {
		res := post(t, wrong, s.srv.URL+"/signin", url.Values{"name": {"Supervisor Charlie"}, "password": {"wrong horse battery staple"}})
		if res.status == http.StatusTooManyRequests {
			if i != 10 {
				t.Errorf("refused after %d attempts, want 10 (one was the good one)", i)
			}
			break
		}
		if res.status != http.StatusUnauthorized || strings.Contains(res.body, "wrong horse") || i > 20 {
			t.Fatalf("attempt %d: %d", i, res.status)
		}
	}
}

// TestEvidence: the case page shows a report's picture as a mosaic; opening it shows it,
// records the opening in the log and counts it in the user's day; an operator gets nothing.
func TestEvidence(t *testing.T) {
	s := newSite(t)
	officer := s.signIn(t, "OFFICER")
	page := fetch(t, officer, s.srv.URL+"/console/cases/1")
	m := regexp.MustCompile(`/console/evidence/(\d+)/preview`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("case 1 shows no evidence:\n%s", page.body)
	}
	preview := fetch(t, officer, s.srv.URL+m[0])
	img, err := png.Decode(strings.NewReader(preview.body))
	if err != nil || img.Bounds().Dx() != 12 || img.Bounds().Dy() != 12 {
		t.Fatalf("the preview: %v %v", img, err)
	}
	// Without a reason, nothing is opened nor counted.
	if res := post(t, officer, s.srv.URL+"/console/evidence/"+m[1]+"/open", url.Values{"case": {"1"}}); res.status != http.StatusBadRequest ||
		strings.Contains(res.body, `src="data:image/png;base64,`) {
		t.Errorf("opening without a reason: %d", res.status)
	}
	for want := 1; want <= 2; want++ {
		res := post(t, officer, s.srv.URL+"/console/evidence/"+m[1]+"/open", url.Values{"case": {"1"}, "reason": {"Check the qualification."}})
		count := regexp.MustCompile(`id="exposure">[^<]*: (\d+)\.`).FindStringSubmatch(res.body)
		if res.status != 200 || !strings.Contains(res.body, `src="data:image/png;base64,`) || count == nil || count[1] != strconv.Itoa(want) {
			t.Errorf("opening %d: %d", want, res.status)
		}
	}
	events, _, err := s.svc.Events(s.as("CONTROLLER"), takedown.EventFilter{CaseID: 1, Kind: takedown.EventEvidenceViewed})
	if err != nil || len(events) != 2 || events[0].ActorID != s.world.Account("OFFICER").User.ID || !strings.Contains(string(events[0].Data), "Check the qualification.") {
		t.Errorf("the openings in the log: %v %v", events, err)
	}
	host := s.signIn(t, "HOST")
	if res := fetch(t, host, s.srv.URL+m[0]); res.status != http.StatusForbidden {
		t.Errorf("an operator's preview: %d", res.status)
	}
	if res := post(t, host, s.srv.URL+"/console/evidence/"+m[1]+"/open", nil); res.status != http.StatusForbidden {
		t.Errorf("an operator opening evidence: %d", res.status)
	}
}

// TestFigures: anyone reads a year's figures, with no address in them and small counts as
// "fewer than"; a year to come is refused.
func TestFigures(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	res := fetch(t, c, s.srv.URL+"/figures")
	if res.status != 200 || !strings.Contains(res.body, "moins de 5") || strings.Contains(res.body, ".example") || strings.Contains(res.body, ".test") {
		t.Errorf("the figures: %d\n%s", res.status, res.body)
	}
	if res := fetch(t, c, s.srv.URL+"/figures?year=2999"); res.status != http.StatusBadRequest {
		t.Errorf("a year to come: %d", res.status)
	}

	// The same figures download as CSV, a figure a line, and as JSON.
	res = fetch(t, c, s.srv.URL+"/figures.csv")
	if res.status != 200 || !strings.HasPrefix(res.body, "figure,value,note\n") || !strings.Contains(res.body, "\ncounts.measures.issued.blocking,") ||
		!strings.Contains(res.body, ",-1,fewer than 5, withheld") && !strings.Contains(res.body, `,-1,"fewer than 5, withheld"`) ||
		strings.Contains(res.body, ".test") || strings.Contains(res.body, ".example") {
		t.Errorf("the figures as CSV: %d\n%s", res.status, res.body)
	}
	res = fetch(t, c, s.srv.URL+"/figures.json?year=2026")
	var downloaded takedown.Figures
	if err := json.Unmarshal([]byte(res.body), &downloaded); err != nil || res.status != 200 || downloaded.Year != 2026 {
		t.Errorf("the figures as JSON: %d %v\n%s", res.status, err, res.body)
	}
	if res := fetch(t, c, s.srv.URL+"/figures.csv?year=nineteen"); res.status != http.StatusBadRequest {
		t.Errorf("a year that is not one: %d", res.status)
	}

	// The counts follow the record: three reports more today are three more this month, and
	// on the dashboard's day.
	now := s.clock.Now().In(s.svc.Profile().Location())
	before, err := s.svc.Figures(context.Background(), now.Year())
	if err != nil {
		t.Fatal(err)
	}
	dayBefore, err := s.svc.Activity(s.as("OFFICER"), 14)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://paste.host.test/raw/count-" + strconv.Itoa(i)},
			Offence: "terrorism-apology", Description: "a video", GoodFaith: true}); err != nil {
			t.Fatal(err)
		}
	}
	after, err := s.svc.Figures(context.Background(), now.Year())
	if err != nil {
		t.Fatal(err)
	}
	month := fmt.Sprintf("reports.month.%s", now.Format("2006-01"))
	if b, a := before.Count(month), after.Count(month); b < takedown.MinPublicCount || a != b+3 {
		t.Errorf("reports this month: %d, then %d; want 3 more", b, a)
	}
	dayAfter, err := s.svc.Activity(s.as("OFFICER"), 14)
	if err != nil {
		t.Fatal(err)
	}
	if b, a := dayBefore.ReportsPerDay[13].Count, dayAfter.ReportsPerDay[13].Count; a != b+3 {
		t.Errorf("reports today on the dashboard: %d, then %d; want 3 more", b, a)
	}
	if len(dayAfter.Deadlines) == 0 || dayAfter.Deadlines[0].Operator == "" {
		t.Errorf("the dashboard's deadlines per operator: %+v", dayAfter.Deadlines)
	}
}

// TestConsoleMetrics: the pages are counted by page pattern and status, never by address.
func TestConsoleMetrics(t *testing.T) {
	s := newSite(t)
	reg := prometheus.NewRegistry()
	s.srv.Config.Handler = webui.NewConsole(s.svc, webui.ConsoleConfig{Clock: s.clock}, slog.New(slog.DiscardHandler), reg)
	fetch(t, s.client(t), s.srv.URL+"/report")
	fetch(t, s.client(t), s.srv.URL+"/console/cases")
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			seen[f.GetName()+" "+labels["page"]+" "+labels["status"]] = true
		}
	}
	for _, want := range []string{"takedown_console_request_seconds GET /report 200", "takedown_console_request_seconds GET /console/cases 303"} {
		if !seen[want] {
			t.Errorf("no %s in %v", want, seen)
		}
	}
}

// TestReviewQuestion: a reviewer's question reaches the authority on the case page and in
// its approvals; an officer answers it with reasons, beside the form when they are missing.
func TestReviewQuestion(t *testing.T) {
	s := newSite(t)
	ctrl := s.as("CONTROLLER")
	session, err := s.svc.StartReview(ctrl, takedown.ReviewSessionInput{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.svc.NextReviewItem(ctrl, session.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Review(ctrl, it.ID, takedown.ReviewVerdictInput{Verdict: takedown.ReviewQuestion, Note: "Was the host asked first?"}); err != nil {
		t.Fatal(err)
	}
	supervisor := s.signIn(t, "SUPERVISOR")
	if res := fetch(t, supervisor, s.srv.URL+"/console/approvals"); !strings.Contains(res.body, "Was the host asked first?") {
		t.Errorf("the approvals lack the question")
	}
	officer := s.signIn(t, "OFFICER")
	u := s.srv.URL + "/console/cases/" + itoa(it.CaseID)
	page := fetch(t, officer, u)
	action := "/console/review-items/" + itoa(it.ID) + "/answer?case=" + itoa(it.CaseID)
	if !strings.Contains(page.body, "Was the host asked first?") || !strings.Contains(page.body, strings.ReplaceAll(action, "&", "&amp;")) {
		t.Fatalf("the case page lacks the question or its form")
	}
	if res := post(t, officer, s.srv.URL+action, url.Values{"form_id": {first(t, nonceRE, page.body)}, "reasons": {""}}); res.status != http.StatusBadRequest || !strings.Contains(res.body, "field-error") {
		t.Errorf("an answer without reasons: %d", res.status)
	}
	if res := post(t, officer, s.srv.URL+action, url.Values{"form_id": {first(t, nonceRE, page.body)}, "reasons": {"Yes: removal request 1, unanswered."}}); res.status != http.StatusSeeOther {
		t.Fatalf("the answer: %d\n%s", res.status, res.body)
	}
	qs, err := s.svc.ReviewQuestions(ctrl, it.CaseID)
	if err != nil || len(qs) != 1 || qs[0].Answer == nil {
		t.Errorf("the question after the answer: %+v %v", qs, err)
	}
}

// TestTheRestOfTheProcedure: the steps beyond the core story work from the pages too — an
// investigation hold placed and released, a cannot-comply answered by a clarification, a
// list re-checked, a measure withdrawn, a list rolled back, a declined recommendation taken
// to court and its outcome recorded.
func TestTheRestOfTheProcedure(t *testing.T) {
	s := newSite(t)
	officer, supervisor, controller := s.signIn(t, "OFFICER"), s.signIn(t, "SUPERVISOR"), s.signIn(t, "CONTROLLER")
	// send posts the form of the page at page to action, with the page's ids.
	send := func(c *http.Client, page, action string, form url.Values) response {
		t.Helper()
		body := fetch(t, c, s.srv.URL+page).body
		form.Set("form_id", first(t, nonceRE, body))
		if m := stampRE.FindStringSubmatch(body); m != nil {
			form.Set("updated_at", m[1])
		}
		res := post(t, c, s.srv.URL+action, form)
		if res.status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, res.status, res.body)
		}
		return res
	}

	// A hold placed and released on a new case.
	if _, err := s.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://paste.host.test/raw/hold"},
		Offence: "terrorism-apology", Description: "a video", GoodFaith: true}); err != nil {
		t.Fatal(err)
	}
	held := cases(t, s, "https://paste.host.test/raw/hold")[0]
	page := "/console/cases/" + itoa(held.ID)
	send(officer, page, page+"/hold", url.Values{"reference": {"INV-2026-0042"}, "reasons": {"An investigation is running."}})
	send(officer, page, page+"/release", url.Values{"reasons": {"The investigators agree."}})
	if c, err := s.svc.Case(s.as("OFFICER"), held.ID); err != nil || c.Hold != nil {
		t.Errorf("after release: %+v %v", c, err)
	}

	// A removal request the host cannot comply with, and the authority's clarification.
	running, _, err := s.svc.Deliveries(s.as("OFFICER"), takedown.DeliveryFilter{Deadline: takedown.DeadlineRunning})
	if err != nil {
		t.Fatal(err)
	}
	var ds []*takedown.Delivery
	for _, d := range running {
		if d.Kind == takedown.RemovalRequest && d.Purpose == takedown.PurposeAction {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		t.Fatalf("no removal request's deadline runs in the demo")
	}
	m, err := s.svc.Measure(s.as("OFFICER"), ds[0].MeasureID)
	if err != nil {
		t.Fatal(err)
	}
	ms := []*takedown.Measure{m}
	desk := s.deskOf(t, ds[0].OperatorID)
	send(desk, "/console/deliveries/"+itoa(ds[0].ID), "/console/deliveries/"+itoa(ds[0].ID)+"/answer",
		url.Values{"kind": {"cannot_comply"}, "reason": {"insufficient_information"}, "text": {"Which of the two pages?"}})
	casePage := "/console/cases/" + itoa(ms[0].CaseID)
	if body := fetch(t, officer, s.srv.URL+casePage).body; !strings.Contains(body, "Which of the two pages?") {
		t.Errorf("the case page does not show the operator's question")
	}
	send(officer, casePage, "/console/deliveries/"+itoa(ds[0].ID)+"/clarify?case="+itoa(ms[0].CaseID), url.Values{"reasons": {"Both."}})
	if d, _, err := s.svc.Notice(s.as("OFFICER"), ds[0].ID); err != nil || d.Clarification == nil {
		t.Errorf("after the clarification: %+v %v", d, err)
	}

	// A blocking list re-checked, then a measure withdrawn.
	lists, _, err := s.svc.Measures(s.as("OFFICER"), takedown.MeasureFilter{Kind: takedown.Blocking, State: takedown.MeasureInForce})
	if err != nil || len(lists) == 0 {
		t.Fatalf("a blocking in force: %v", err)
	}
	listCase := "/console/cases/" + itoa(lists[0].CaseID)
	send(officer, listCase, "/console/measures/"+itoa(lists[0].ID)+"/recheck?case="+itoa(lists[0].CaseID),
		url.Values{"outcome": {"confirm"}, "reasons": {"Still online."}})
	if m, err := s.svc.Measure(s.as("OFFICER"), lists[0].ID); err != nil || m.LastRecheck == nil {
		t.Errorf("after the re-check: %+v %v", m, err)
	}
	send(officer, casePage, "/console/measures/"+itoa(ms[0].ID)+"/withdraw?case="+itoa(ms[0].CaseID), url.Values{"reasons": {"Sent in error."}})
	if m, err := s.svc.Measure(s.as("OFFICER"), ms[0].ID); err != nil || m.State != takedown.MeasureWithdrawn {
		t.Errorf("after the withdrawal: %+v %v", m, err)
	}

	// The blocking list rolled back by a supervisor.
	send(supervisor, "/console/lists", "/console/lists/blocking/rollback", url.Values{"reasons": {"The latest version was wrong."}})

	// A declined recommendation taken to court, and the court's decision.
	rec, err := s.svc.Recommend(s.as("CONTROLLER"), lists[0].ID, "No longer necessary.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.AnswerRecommendation(s.as("SUPERVISOR"), rec.ID, takedown.RecommendationAnswer{Reasons: "Still needed."}); err != nil {
		t.Fatal(err)
	}
	send(controller, "/console/recommendations", "/console/recommendations/"+itoa(rec.ID)+"/court", url.Values{"court": {"Administrative Court of Exampleville"}, "reference": {"2600789"}})
	send(controller, "/console/recommendations", "/console/recommendations/"+itoa(rec.ID)+"/outcome", url.Values{"outcome": {"upheld"}, "summary": {"The measure is upheld."}})
	if r, err := s.svc.Recommendation(s.as("CONTROLLER"), rec.ID); err != nil || r.State != takedown.RecommendationDecided {
		t.Errorf("after the court: %+v %v", r, err)
	}
}

// deskOf signs in the desk user of an operator.
func (s *site) deskOf(t *testing.T, operatorID int64) *http.Client {
	t.Helper()
	for _, a := range s.world.Accounts {
		if a.User.OperatorID == operatorID {
			return s.signIn(t, a.Env)
		}
	}
	t.Fatalf("no desk for operator %d", operatorID)
	return nil
}

// TestRestorationAnswerable: after a list is lifted, an ISP is asked to restore access; its
// page offers to say it did (as the rules allow), and neither cannot-comply nor dispute.
func TestRestorationAnswerable(t *testing.T) {
	s := newSite(t)
	lists, _, err := s.svc.Measures(s.as("OFFICER"), takedown.MeasureFilter{Kind: takedown.Blocking, State: takedown.MeasureInForce})
	if err != nil || len(lists) == 0 {
		t.Fatalf("a blocking in force: %v", err)
	}
	if _, err := s.svc.Recheck(s.as("OFFICER"), lists[0].ID, takedown.RecheckInput{Outcome: takedown.RecheckLift, Reasons: "Gone."}); err != nil {
		t.Fatal(err)
	}
	ds, _, err := s.svc.Deliveries(s.as("OFFICER"), takedown.DeliveryFilter{MeasureID: lists[0].ID, Pending: true})
	if err != nil {
		t.Fatal(err)
	}
	var restoration *takedown.Delivery
	for _, d := range ds {
		if d.Purpose == takedown.PurposeRestoration {
			restoration = d
			break
		}
	}
	if restoration == nil {
		t.Fatalf("no restoration among %d deliveries", len(ds))
	}
	desk := s.deskOf(t, restoration.OperatorID)
	u := s.srv.URL + "/console/deliveries/" + itoa(restoration.ID)
	page := fetch(t, desk, u).body
	if !strings.Contains(page, `id="comply"`) || strings.Contains(page, `id="cannot-comply"`) || strings.Contains(page, `id="dispute"`) {
		t.Fatalf("the restoration's answers are wrong:\n%s", page)
	}
	if res := post(t, desk, u+"/answer", url.Values{"form_id": {first(t, nonceRE, page)}, "kind": {"comply"}}); res.status != http.StatusSeeOther {
		t.Errorf("complying with the restoration: %d\n%s", res.status, res.body)
	}
}

// TestTransparencyExports: the authority and the controller download the year's statements
// of reasons and notices; an operator its own statements, and not the notices.
func TestTransparencyExports(t *testing.T) {
	s := newSite(t)
	this := s.clock.Now().In(s.svc.Profile().Location()).Year()
	count := func(c *http.Client, what string) (int, int) {
		t.Helper()
		n, status := 0, 0
		for _, year := range []int{this - 1, this} { // the demo's history may begin last year
			res := fetch(t, c, fmt.Sprintf("%s/console/transparency/%s.json?year=%d", s.srv.URL, what, year))
			status = res.status
			if res.status != http.StatusOK {
				continue
			}
			var body map[string][]json.RawMessage
			if err := json.Unmarshal([]byte(res.body), &body); err != nil {
				t.Fatalf("%s %d: %v\n%s", what, year, err, res.body)
			}
			n += len(body[what])
		}
		return n, status
	}
	controller := s.signIn(t, "CONTROLLER")
	if res := fetch(t, controller, s.srv.URL+"/console/transparency"); res.status != 200 || !strings.Contains(res.body, "statements.json") {
		t.Errorf("the transparency page: %d\n%s", res.status, res.body)
	}
	if n, _ := count(controller, "statements"); n != 2 {
		t.Errorf("the controller exports %d statements, want the demo's 2 removals complied with", n)
	}
	if n, _ := count(controller, "notices"); n < 5 {
		t.Errorf("the controller exports %d notices, want every measure issued", n)
	}
	platform := s.signIn(t, "PLATFORM")
	if n, _ := count(platform, "statements"); n != 1 {
		t.Errorf("the platform exports %d statements, want its own removal order only", n)
	}
	if res := fetch(t, platform, s.srv.URL+"/console/transparency"); strings.Contains(res.body, "notices.json") {
		t.Error("the transparency page offers an operator the notices")
	}
	if _, status := count(platform, "notices"); status != http.StatusForbidden {
		t.Errorf("an operator's export of the notices: %d, want 403", status)
	}
	for _, q := range []string{"report=annual&lang=fr", "report=annual&lang=en", "report=authority&lang=en", "report=annual&format=pdf"} {
		res := fetch(t, controller, s.srv.URL+"/console/transparency/report?"+q)
		if res.status != 200 || !strings.HasPrefix(res.body, "<!DOCTYPE html>") && !strings.HasPrefix(res.body, "%PDF-") {
			t.Errorf("the report %s: %d\n%.300s", q, res.status, res.body)
		}
	}
	for _, q := range []string{"report=monthly", "report=annual&lang=de", "report=annual&format=docx"} {
		if res := fetch(t, controller, s.srv.URL+"/console/transparency/report?"+q); res.status != http.StatusBadRequest {
			t.Errorf("the report %s: %d, want 400", q, res.status)
		}
	}
	if res := fetch(t, platform, s.srv.URL+"/console/transparency/report"); res.status != http.StatusForbidden {
		t.Errorf("an operator's look at the annual report: %d, want 403", res.status)
	}
	if res := fetch(t, controller, fmt.Sprintf("%s/console/transparency?year=%d", s.srv.URL, this+1)); res.status != http.StatusBadRequest {
		t.Errorf("a year to come: %d", res.status)
	}
}

// TestLegalHoldsInTheConsole: the controller places a legal hold on a case from its page;
// an officer cannot release it; the controller does.
func TestLegalHoldsInTheConsole(t *testing.T) {
	s := newSite(t)
	controller, officer := s.signIn(t, "CONTROLLER"), s.signIn(t, "OFFICER")
	u := s.srv.URL + "/console/cases/1"
	page := fetch(t, controller, u).body
	if !strings.Contains(page, `id="legal-hold"`) {
		t.Fatalf("the controller's case page offers no legal hold:\n%s", page)
	}
	form := url.Values{"form_id": {first(t, nonceRE, page)}, "updated_at": {first(t, stampRE, page)}, "reference": {""}, "reasons": {"A review."}}
	if res := post(t, controller, u+"/legal-hold", form); res.status != http.StatusBadRequest || !strings.Contains(res.body, "field-error") {
		t.Errorf("a hold without a reference: %d", res.status)
	}
	page = fetch(t, controller, u).body
	form = url.Values{"form_id": {first(t, nonceRE, page)}, "updated_at": {first(t, stampRE, page)}, "reference": {"Review 2026-R-09"},
		"reasons": {"The controller reviews the measures of this case."}}
	if res := post(t, controller, u+"/legal-hold", form); res.status != http.StatusSeeOther {
		t.Fatalf("placing the hold: %d\n%s", res.status, res.body)
	}
	holds, err := s.svc.LegalHolds(s.as("CONTROLLER"), 1)
	if err != nil || len(holds) != 1 || holds[0].Reference != "Review 2026-R-09" {
		t.Fatalf("the case's legal holds: %+v %v", holds, err)
	}
	release := func(c *http.Client) response {
		page := fetch(t, c, u).body
		return post(t, c, u+"/release-legal-hold", url.Values{"form_id": {first(t, nonceRE, page)}, "updated_at": {first(t, stampRE, page)},
			"hold_id": {itoa(holds[0].ID)}, "reasons": {"The review is over."}})
	}
	if res := release(officer); res.status == http.StatusSeeOther {
		t.Error("an officer released the controller's legal hold")
	}
	if res := release(controller); res.status != http.StatusSeeOther {
		t.Errorf("the controller's release: %d\n%s", res.status, res.body)
	}
	if res := fetch(t, controller, u); !strings.Contains(res.body, "Review 2026-R-09") || !strings.Contains(res.body, "levée le") {
		t.Errorf("the case page after the release does not show the hold and its release")
	}
}
