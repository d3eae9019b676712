package casework_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// TestExports issues a removal request that its host complies with, another it leaves
// unanswered, a referral its platform declines and a blocking measure, then exports them.
func TestExports(t *testing.T) {
	w := newWorld(t)
	complied := w.approvedCase("https://video.host.test/watch/complied")
	m := w.removalRequest(complied.ID)
	d := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	w.clock.Advance(2 * time.Hour)
	must(w.svc.Answer(w.asOperator(w.host), d.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)

	pending := w.approvedCase("https://video.host.test/watch/pending")
	w.removalRequest(pending.ID)

	referred := w.approvedCase("https://social.platform.test/post/referred")
	ref := w.issue(referred.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	rd := w.receive(ref.ID, w.platform)
	must(w.svc.Answer(w.asOperator(w.platform), rd.ID, takedown.AnswerInput{Kind: takedown.AnswerDecline, Text: "Within our terms."}))(t)

	// A first removal order to the platform goes after 12 hours' advance information, a
	// delivery of its own to the same operator.
	ordered := w.approvedCase("https://social.platform.test/post/ordered")
	order := w.issue(ordered.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID})
	w.tick(13 * time.Hour)
	od := w.receive(order.ID, w.platform)
	must(w.svc.Answer(w.asOperator(w.platform), od.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)

	listed := w.approvedCase("https://unknown-publisher.test/page")
	w.listInForce(listed.ID, takedown.Blocking)

	year := transparency.Year(2026, w.svc.Profile().Location())
	statements := must(w.svc.Statements(w.as(w.controller), year))(t)
	if len(statements) != 2 {
		t.Fatalf("%d statements, want 2 (the removal request and order complied with): %+v", len(statements), statements)
	}
	for _, s := range statements {
		checkStatement(t, s)
	}
	s := statements[0]
	want := transparency.Statement{PUID: "fr-measure-1", DecisionGround: "DECISION_GROUND_ILLEGAL_CONTENT",
		Category: "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", SourceType: "SOURCE_TYPE_OTHER_NOTIFICATION",
		AutomatedDetection: "No", AutomatedDecision: "AUTOMATED_DECISION_NOT_AUTOMATED", ContentDate: "2026-01-12", ApplicationDate: "2026-01-12"}
	if s.PUID != want.PUID || s.DecisionGround != want.DecisionGround || s.Category != want.Category || s.SourceType != want.SourceType ||
		s.AutomatedDetection != want.AutomatedDetection || s.AutomatedDecision != want.AutomatedDecision ||
		s.ContentDate != want.ContentDate || s.ApplicationDate != want.ApplicationDate {
		t.Errorf("statement = %+v, want the fields of %+v", s, want)
	}
	if !slices.Equal(s.CategorySpecification, []string{"KEYWORD_TERRORIST_CONTENT"}) || !slices.Contains(s.TerritorialScope, "FR") ||
		!strings.Contains(s.IllegalContentLegalGround, "421-2-5") || !strings.Contains(s.IllegalContentLegalGround, "6-1") {
		t.Errorf("statement = %+v: want the terrorist-content keyword, the EU scope, and both legal grounds", s)
	}

	// The host gets the statements of its own measures, to submit; the platform none.
	if got := must(w.svc.Statements(w.asOperator(w.host), year))(t); len(got) != 1 {
		t.Errorf("the host gets %d statements, want its 1", len(got))
	}
	if got := must(w.svc.Statements(w.asOperator(w.platform), year))(t); len(got) != 1 || got[0].PUID != fmt.Sprintf("fr-measure-%d", order.ID) {
		t.Errorf("the platform gets %+v, want the order's statement only (it declined the referral)", got)
	}

	notices := must(w.svc.Notices(w.as(w.controller), year))(t)
	if len(notices) != 5 {
		t.Fatalf("%d notices, want one per measure issued (5)", len(notices))
	}
	var got []string
	for _, n := range notices {
		got = append(got, n.Title+" → "+n.RecipientName+": "+n.ActionTaken)
	}
	slices.Sort(got)
	wantNotices := []string{
		"DNS blocking list entry → Internet access providers (blocking list): Unspecified",
		"Referral under the platform's terms of service → Social Platform: No",
		"Removal order (Regulation (EU) 2021/784, art. 3) → Social Platform: Yes",
		"Removal request → Video Host: Unspecified",
		"Removal request → Video Host: Yes",
	}
	if !slices.Equal(got, wantNotices) {
		t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantNotices, "\n"))
	}
	// Redacted: no address, host name or free text of the record is in the export.
	b, _ := json.Marshal(notices)
	for _, secret := range []string{"video.host.test", "social.platform.test", "unknown-publisher.test", "Within our terms",
		"heroes", "Officer", "Supervisor", "no legal notice"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the notices export holds %q: %s", secret, b)
		}
	}
	if _, err := w.svc.Notices(w.asOperator(w.host), year); err == nil {
		t.Error("an operator read the notices of every measure")
	}

	// Periods: none issued before the first, a period too long refused.
	loc := w.svc.Profile().Location()
	if got := must(w.svc.Notices(w.as(w.controller), transparency.Year(2025, loc)))(t); len(got) != 0 {
		t.Errorf("%d notices in the year before the first measure", len(got))
	}
	_, err := w.svc.Notices(w.as(w.controller), transparency.Period{From: start.AddDate(-2, 0, 0), Before: start})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "longer than a year")
	_, err = w.svc.Statements(w.as(w.controller), transparency.Year(2027, loc))
	wantMessage(t, err, "in the future")
}

// checkStatement applies the DSA Transparency Database's validation rules for a statement
// (its StatementStoreRequest) that the export's statements can meet.
func checkStatement(t *testing.T, s transparency.Statement) {
	t.Helper()
	day := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	checks := []struct {
		ok   bool
		rule string
	}{
		{regexp.MustCompile(`^[a-zA-Z0-9-_]+$`).MatchString(s.PUID) && len(s.PUID) <= 500, "puid: letters, digits, - and _"},
		{len(s.DecisionVisibility) > 0, "decision_visibility: one restriction at least"},
		{s.DecisionGround == "DECISION_GROUND_ILLEGAL_CONTENT" || s.DecisionGround == "DECISION_GROUND_INCOMPATIBLE_CONTENT", "decision_ground"},
		{s.DecisionGround != "DECISION_GROUND_ILLEGAL_CONTENT" || s.IllegalContentLegalGround != "" && s.IllegalContentExplanation != "", "illegal content: ground and explanation"},
		{len(s.IllegalContentLegalGround) <= 500 && len(s.IllegalContentExplanation) <= 2000, "illegal content: lengths"},
		{len(s.ContentType) > 0 && (!slices.Contains(s.ContentType, "CONTENT_TYPE_OTHER") || s.ContentTypeOther != ""), "content_type, and content_type_other with other"},
		{strings.HasPrefix(s.Category, "STATEMENT_CATEGORY_"), "category"},
		{day.MatchString(s.ContentDate) && day.MatchString(s.ApplicationDate), "content_date and application_date: YYYY-MM-DD"},
		{s.DecisionFacts != "" && len(s.DecisionFacts) <= 5000, "decision_facts"},
		{s.SourceType == "SOURCE_TYPE_OTHER_NOTIFICATION" && s.SourceIdentity != "", "source_type and source_identity"},
		{s.AutomatedDetection == "Yes" || s.AutomatedDetection == "No", "automated_detection"},
		{strings.HasPrefix(s.AutomatedDecision, "AUTOMATED_DECISION_"), "automated_decision"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("statement %s breaks the database's rule on %s: %+v", s.PUID, c.rule, s)
		}
	}
}
