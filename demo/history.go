package demo

import (
	"context"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// elements establishes the legal elements of each offence of the default profile.
var elements = map[string]map[string]any{
	"terrorism-apology": {
		"predicate_act":              "The (fictional) attack of 3 March on the Example Square, prosecuted as a terrorist act.",
		"predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology",
	},
	"terrorism-provocation": {
		"incitement": true, "incited_acts": "Calls to attack (fictional) public gatherings, acts covered by art. 421-1.",
		"public_character": true, "characterisation": "provocation",
	},
	"csam": {"minor_depicted": true, "pornographic_character": true, "public_character": true},
}

var descriptions = map[string]string{
	"terrorism-apology":     "Synthetic demo record: a video presenting the authors of a fictional attack as heroes.",
	"terrorism-provocation": "Synthetic demo record: a post calling readers to attack a fictional gathering.",
	"csam":                  "Synthetic demo record: images reported as child sexual abuse material (no content exists).",
}

// history is the story of the demo world, told from four months ago to now.
func (s *seeder) history(ctx context.Context) {
	// Four months ago: videos glorifying an attack on a site dedicated to such propaganda are
	// reported by the public and by the trusted flagger; its host does not remove them in 24
	// hours; the site is blocked and the videos dereferenced.
	video := s.report(nil, "terrorism-apology", "https://propaganda-mirror.example/watch/v1001", "https://propaganda-mirror.example/watch/v1002")
	s.reportFiles(s.as("Echo Trust & Safety (trusted flagger)"), "terrorism-apology", s.world.Images[:1], "https://PROPAGANDA-mirror.example/watch/v1001#t=12")
	s.approve(video, "terrorism-apology", "The video praises the authors of the attack and calls for them to be imitated as heroes.")
	// Its still goes into the evidence bank of the offence, shared with two platforms that
	// run it in their own matchers.
	bank := do(s, func() (*takedown.Bank, error) {
		return s.svc.CreateBank(s.as("Officer Alpha"), takedown.BankInput{Name: "Apology of terrorism: evidence", Offence: "terrorism-apology",
			Source: takedown.SourceEvidence, Description: "Hashes of content qualified and approved by the authority.",
			Platforms: []int64{s.ops["Microblog Platform"].ID, s.ops["Videoshare"].ID}})
	})
	if bank != nil {
		do(s, func() (*casework.AddResult, error) {
			return s.svc.AddCaseEvidence(s.as("Officer Alpha"), video, bank.ID)
		})
	}
	removal := s.measure(video, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: s.ops["Example Web Hosting"].ID})
	s.answer("Example Web Hosting", s.delivery(removal, "Example Web Hosting", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
	s.advance(25 * time.Hour)
	blocking := s.measure(video, takedown.MeasureInput{Kind: takedown.Blocking})
	s.approveMeasure(blocking)
	for _, isp := range []string{"Fibre Network ISP", "Mobile Connect ISP"} {
		s.answer(isp, s.delivery(blocking, isp, takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerComply})
	}
	deref := s.measure(video, takedown.MeasureInput{Kind: takedown.Dereferencing})
	s.approveMeasure(deref)
	s.answer("Search One", s.delivery(deref, "Search One", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerComply})
	s.advance(3 * time.Hour)

	// Abuse images on a paste host: removed within the day; the case is closed.
	paste := s.report(nil, "csam", "https://paste.host.test/raw/7f3a")
	s.approve(paste, "csam", "The images depict minors in a sexual context; publicly accessible without login.")
	pasteRemoval := s.measure(paste, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: s.ops["Pastebin Hosting"].ID})
	s.advance(5 * time.Hour)
	s.answer("Pastebin Hosting", s.delivery(pasteRemoval, "Pastebin Hosting", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerComply})
	s.close(paste, "The host removed the content within 5 hours.")

	// A call to violence on a microblog: the platform's first TCO order waits for the 12-hour
	// advance information, then is complied with in 40 minutes.
	post := s.report(s.as("Echo Trust & Safety (trusted flagger)"), "terrorism-provocation", "https://microblog.platform.test/u/example/status/42")
	s.approve(post, "terrorism-provocation", "The post directly calls on readers to attack a gathering.")
	order := s.measure(post, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: s.ops["Microblog Platform"].ID})
	s.advance(12*time.Hour + time.Minute)
	s.tick()
	s.advance(40 * time.Minute)
	s.answer("Microblog Platform", s.delivery(order, "Microblog Platform", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerComply})
	s.close(post, "Removed 40 minutes after the order.")

	// A borderline forum thread is referred under the platform's own terms; it declines.
	thread := s.report(nil, "terrorism-apology", "https://forum.platform.test/t/3141")
	s.approve(thread, "terrorism-apology", "The thread celebrates the attack in approving terms.")
	ref := s.measure(thread, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: s.ops["Forum Platform"].ID})
	s.advance(6 * time.Hour)
	s.answer("Forum Platform", s.delivery(ref, "Forum Platform", takedown.PurposeAction),
		takedown.AnswerInput{Kind: takedown.AnswerDecline, Text: "Within our terms: quoted for criticism by the thread's author."})

	// A blog with no legal notice: listed directly; the controller recommends ending the
	// blocking, the authority declines, the controller goes to court.
	blog := s.report(nil, "terrorism-apology", "https://blog.publisher.example/2026/hommage")
	s.approve(blog, "terrorism-apology", "The article glorifies the authors of the attack.")
	blogBlock := s.measure(blog, takedown.MeasureInput{Kind: takedown.Blocking,
		PublisherUnidentified: "No legal notice on the site; the registrar's data is redacted."})
	s.approveMeasure(blogBlock)
	s.advance(10 * 24 * time.Hour)
	rec := s.recommend(blogBlock, "The predicate act is an arson that no court has qualified as terrorist.")
	s.advance(4 * 24 * time.Hour)
	s.answerRecommendation(rec, false, "The prosecutor's counter-terrorism section is investigating the arson.")
	s.advance(7 * 24 * time.Hour)
	s.refer(rec)

	// A news article reported by mistake is dismissed.
	news := s.report(nil, "terrorism-apology", "https://news-mirror.example/2026/attack-report")
	s.accept(news)
	s.dismiss(news, "A news report describing the attack; no favourable presentation.")

	// Today: the blocking of the video is due for re-check; recent cases in every state.
	s.advanceTo(time.Now().Add(-36 * time.Hour))
	s.tick()

	// A removal request the platform cannot comply with for lack of information.
	fuzzy := s.report(nil, "terrorism-provocation", "https://videos.platform.test/clip/88")
	s.approve(fuzzy, "terrorism-provocation", "The clip calls viewers to commit attacks.")
	fuzzyRemoval := s.measure(fuzzy, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: s.ops["Videoshare"].ID})
	s.advance(2 * time.Hour)
	s.answer("Videoshare", s.delivery(fuzzyRemoval, "Videoshare", takedown.PurposeAction), takedown.AnswerInput{
		Kind: takedown.AnswerCannotComply, Reason: takedown.ReasonInsufficientInformation, Text: "The clip id does not exist in our systems; please give the full URL."})

	// A removal request missed yesterday: the officer has proposed blocking, which waits for
	// the supervisor's approval.
	stale := s.report(nil, "terrorism-apology", "https://martyrs-archive.example/video/2050")
	s.approve(stale, "terrorism-apology", "The site's video celebrates the attack and its authors.")
	staleRemoval := s.measure(stale, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: s.ops["Example Web Hosting"].ID})
	s.answer("Example Web Hosting", s.delivery(staleRemoval, "Example Web Hosting", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
	s.advance(26 * time.Hour)
	s.tick()
	s.measure(stale, takedown.MeasureInput{Kind: takedown.Blocking})

	// A first TCO order to the forum platform, waiting for the end of its advance information.
	call := s.report(s.as("Echo Trust & Safety (trusted flagger)"), "terrorism-provocation", "https://forum.platform.test/t/9001")
	s.approve(call, "terrorism-provocation", "The thread calls on readers to attack a named (fictional) gathering.")
	s.measure(call, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: s.ops["Forum Platform"].ID})

	// The controller asks the authority to end the dereferencing of the first video.
	s.recommend(deref, "The video is now only reachable through the blocked host; dereferencing adds nothing.")

	// A removal request whose deadline is running.
	running := s.report(nil, "terrorism-apology", "https://videos.platform.test/watch/v2077")
	s.approve(running, "terrorism-apology", "The video presents the attackers as martyrs to be imitated.")
	runningRemoval := s.measure(running, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: s.ops["Videoshare"].ID})
	s.answer("Videoshare", s.delivery(runningRemoval, "Videoshare", takedown.PurposeAction), takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})

	// A case on investigation hold.
	held := s.report(nil, "terrorism-provocation", "https://forum.platform.test/t/2718")
	s.approve(held, "terrorism-provocation", "The thread calls for attacks on a named (fictional) event.")
	s.hold(held, "PNAT-2026-0042", "Ongoing investigation; removal would alert the suspects.")

	// Waiting for approval, in qualification, and new.
	waiting := s.report(nil, "terrorism-apology", "https://microblog.platform.test/u/example2/status/7")
	s.accept(waiting)
	s.qualify(waiting, "terrorism-apology", "The post glorifies the attack and its authors.")
	for _, u := range []string{"https://paste.host.test/raw/91bc", "https://forum.platform.test/t/1618"} {
		c := s.report(nil, "csam", u)
		s.accept(c)
	}
	for i, u := range []string{
		"https://videos.platform.test/watch/v3001", "https://videos.platform.test/watch/v3002", "https://microblog.platform.test/u/x/status/9",
		"https://forum.platform.test/t/5772", "https://paste.host.test/raw/c0de", "https://blog.publisher.example/2026/appel",
		"https://videos.platform.test/watch/v3003", "https://microblog.platform.test/u/y/status/11", "https://paste.host.test/raw/5eed",
		"https://forum.platform.test/t/6283", "https://videos.platform.test/watch/v3005", "https://microblog.platform.test/u/z/status/13",
		"https://videos.platform.test/clip/144", "https://blog.publisher.example/2026/martyrs", "https://forum.platform.test/t/7071",
		"https://videos.platform.test/watch/v3006",
	} {
		offence := []string{"terrorism-apology", "terrorism-provocation", "csam"}[i%3]
		s.report(nil, offence, u)
		if i%3 == 0 { // shared links: they join the same case
			s.report(nil, offence, u+"?utm_source=share")
		}
		s.advance(17 * time.Minute)
	}
	s.report(s.as("Echo Trust & Safety (trusted flagger)"), "terrorism-provocation", "https://videos.platform.test/watch/v3002", "https://videos.platform.test/watch/v3004")
	s.tick()
}

// report submits a report (public when ctx is nil) and returns the case of its first URL.
func (s *seeder) report(ctx context.Context, offence string, urls ...string) int64 {
	return s.reportFiles(ctx, offence, nil, urls...)
}

// reportFiles submits a report that carries pictures of the content.
func (s *seeder) reportFiles(ctx context.Context, offence string, images []Image, urls ...string) int64 {
	if s.err != nil {
		return 0
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var files []takedown.ReportFile
	for _, img := range images {
		files = append(files, takedown.ReportFile{Name: img.Name, Data: img.Data})
	}
	r, err := s.svc.SubmitReport(ctx, takedown.ReportInput{URLs: urls, Offence: offence, Description: descriptions[offence], GoodFaith: true,
		Files: files})
	if err != nil {
		s.err = err
		return 0
	}
	s.world.Reports++
	s.advance(3 * time.Minute)
	return r.URLs[0].CaseID
}

// do runs one step unless an earlier one failed.
func do[T any](s *seeder, fn func() (T, error)) T {
	var zero T
	if s.err != nil {
		return zero
	}
	v, err := fn()
	if err != nil {
		s.err = err
		return zero
	}
	s.advance(2 * time.Minute)
	return v
}

func (s *seeder) advance(d time.Duration) { s.clock.Advance(d) }

// advanceTo moves the clock to t, if t is ahead.
func (s *seeder) advanceTo(t time.Time) {
	if d := t.Sub(s.clock.Now()); d > 0 {
		s.clock.Advance(d)
	}
}

func (s *seeder) tick() {
	do(s, func() (any, error) { return s.svc.Tick(context.Background()) })
}

func (s *seeder) accept(c int64) {
	do(s, func() (*takedown.Case, error) { return s.svc.Accept(s.as("Officer Alpha"), c) })
}

func (s *seeder) qualify(c int64, offence, reasons string) {
	do(s, func() (*takedown.Case, error) {
		return s.svc.Qualify(s.as("Officer Bravo"), c, takedown.QualificationInput{Offence: offence, Elements: elements[offence], Reasons: reasons})
	})
}

// approve takes a case through triage, qualification and approval.
func (s *seeder) approve(c int64, offence, reasons string) {
	s.accept(c)
	s.qualify(c, offence, reasons)
	do(s, func() (*takedown.Case, error) { return s.svc.Approve(s.as("Supervisor Charlie"), c) })
	s.world.Cases++
}

func (s *seeder) dismiss(c int64, reasons string) {
	do(s, func() (*takedown.Case, error) { return s.svc.Dismiss(s.as("Officer Alpha"), c, reasons) })
}

func (s *seeder) close(c int64, reasons string) {
	do(s, func() (*takedown.Case, error) { return s.svc.Close(s.as("Officer Alpha"), c, reasons) })
}

func (s *seeder) hold(c int64, ref, reasons string) {
	do(s, func() (*takedown.Case, error) {
		return s.svc.PlaceHold(s.as("Officer Alpha"), c, takedown.HoldInput{Reference: ref, Reasons: reasons})
	})
}

func (s *seeder) measure(c int64, in takedown.MeasureInput) int64 {
	m := do(s, func() (*takedown.Measure, error) { return s.svc.IssueMeasure(s.as("Officer Alpha"), c, in) })
	if m == nil {
		return 0
	}
	return m.ID
}

func (s *seeder) approveMeasure(m int64) {
	do(s, func() (*takedown.Measure, error) { return s.svc.ApproveMeasure(s.as("Supervisor Charlie"), m) })
}

// delivery finds the delivery of a measure to an operator for a purpose.
func (s *seeder) delivery(m int64, op string, purpose takedown.Purpose) int64 {
	list := do(s, func() ([]*takedown.Delivery, error) {
		list, _, err := s.svc.Deliveries(s.as("Officer Alpha"), takedown.DeliveryFilter{MeasureID: m, OperatorID: s.ops[op].ID})
		return list, err
	})
	for _, d := range list {
		if d.Purpose == purpose {
			return d.ID
		}
	}
	if s.err == nil {
		s.err = takedown.Errorf(takedown.ENOTFOUND, "no %s delivery of measure %d to %s", purpose, m, op)
	}
	return 0
}

func (s *seeder) answer(op string, d int64, in takedown.AnswerInput) {
	do(s, func() (*takedown.Delivery, error) { return s.svc.Answer(s.asOperator(op), d, in) })
}

func (s *seeder) recommend(m int64, reasons string) int64 {
	r := do(s, func() (*takedown.Recommendation, error) {
		return s.svc.Recommend(s.as("Controller Delta (qualified person)"), m, reasons)
	})
	if r == nil {
		return 0
	}
	return r.ID
}

func (s *seeder) answerRecommendation(r int64, follow bool, reasons string) {
	do(s, func() (*takedown.Recommendation, error) {
		return s.svc.AnswerRecommendation(s.as("Supervisor Charlie"), r, takedown.RecommendationAnswer{Follow: follow, Reasons: reasons})
	})
}

func (s *seeder) refer(r int64) {
	do(s, func() (*takedown.Recommendation, error) {
		return s.svc.ReferToCourt(s.as("Controller Delta (qualified person)"), r,
			takedown.CourtReferralInput{Court: "Tribunal administratif de Paris (fictional)", Reference: "2600123"})
	})
}
