package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/httpapi"
)

// caller is who makes a request in the role matrix.
type caller string

// The callers: the public, a user of every role, and two operator users, one of the
// operator an object is addressed to and one of another operator.
const (
	byPublic        caller = "public"
	byOfficer       caller = "officer"
	bySupervisor    caller = "supervisor"
	byController    caller = "controller"
	byOwnOperator   caller = "operator (addressee)"
	byOtherOperator caller = "operator (other)"
	byFlagger       caller = "flagger"
	byAdmin         caller = "admin"
)

var callers = []caller{byPublic, byOfficer, bySupervisor, byController, byOwnOperator, byOtherOperator, byFlagger, byAdmin}

// role is the caller's name in the route table.
func (c caller) role() string {
	if c == byOwnOperator || c == byOtherOperator {
		return "operator"
	}
	return string(c)
}

// account is the caller's user; nil for the public. The addressee is owner, or the host
// when the object is addressed to nobody; the other operator is the publisher, to which no
// scenario addresses anything.
func (f *fixture) account(c caller, owner *takedown.Operator) *account {
	switch c {
	case byOfficer:
		return f.officer
	case bySupervisor:
		return f.supervisor
	case byController:
		return f.controller
	case byOwnOperator:
		if owner == nil {
			owner = f.host
		}
		return f.desk[owner.ID]
	case byOtherOperator:
		return f.desk[f.publisher.ID]
	case byFlagger:
		return f.flagger
	case byAdmin:
		return f.admin
	}
	return nil
}

// target is a request of the role matrix with real ids and a valid body: the only reason
// to refuse it is who calls. owner is the operator the object is addressed to, for the
// routes where an operator sees or answers only its own.
type target struct {
	path  string
	body  any
	owner *takedown.Operator
}

// reasons is a statement of reasons for the actions that take one.
var reasons = map[string]string{"reasons": "Stated reasons for the role matrix."}

// scenarios prepare, for every route of the table, new objects in the state the route
// needs. self is the caller's own user (nil for the public), for the routes where users
// act on themselves.
var scenarios = map[string]func(t *testing.T, f *fixture, self *takedown.User) target{
	"GET /openapi.json": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/openapi.json"} },
	"GET /profile":      func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/profile"} },
	"GET /me":           func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/me"} },

	"POST /reports": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/reports", body: reportInput(f.newURL())}
	},
	"GET /reports": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/reports"} },
	"GET /reports/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/reports/%d", f.flaggerReport(t).ID)}
	},

	"GET /cases": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/cases"} },
	"GET /cases/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d", f.caseAt(t, reported).ID)}
	},
	"POST /cases/{id}/accept": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/accept", f.caseAt(t, reported).ID)}
	},
	"POST /cases/{id}/dismiss": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/dismiss", f.caseAt(t, reported).ID), body: reasons}
	},
	"POST /cases/{id}/qualify": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/qualify", f.caseAt(t, accepted).ID), body: qualification()}
	},
	"POST /cases/{id}/approve": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/approve", f.caseAt(t, qualified).ID)}
	},
	"POST /cases/{id}/return": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/return", f.caseAt(t, qualified).ID), body: reasons}
	},
	"POST /cases/{id}/hold": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/hold", f.caseAt(t, reported).ID),
			body: takedown.HoldInput{Reference: "INV-2026-0042", Reasons: "Tied to an ongoing investigation."}}
	},
	"POST /cases/{id}/release": func(t *testing.T, f *fixture, self *takedown.User) target {
		c := f.caseAt(t, reported)
		f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/hold", c.ID),
			takedown.HoldInput{Reference: "INV-2026-0042", Reasons: "Tied to an ongoing investigation."}, nil)
		return target{path: fmt.Sprintf("/cases/%d/release", c.ID), body: reasons}
	},
	"POST /cases/{id}/close": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/close", f.caseAt(t, approved).ID), body: reasons}
	},
	"POST /cases/{id}/evidence": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/evidence", f.caseAt(t, accepted).ID),
			body: map[string]any{"files": []takedown.ReportFile{{Name: "capture.txt", Data: []byte("A synthetic capture.")}}}}
	},
	"GET /cases/{id}/evidence": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/evidence", f.evidenceOf(t).CaseID)}
	},
	"POST /cases/{id}/capture": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/capture", f.caseAt(t, accepted).ID), body: map[string]string{"url": f.page}}
	},
	"POST /evidence/{id}/open": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/evidence/%d/open", f.evidenceOf(t).ID), body: map[string]string{"reason": "Check the qualification."}}
	},
	"POST /evidence/{id}/sealed": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/evidence/%d/sealed", f.evidenceOf(t).ID), body: map[string]string{"reason": "Weekly review."}}
	},
	"POST /evidence/{id}/purge": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/evidence/%d/purge", f.evidenceOf(t).ID), body: reasons}
	},
	"GET /cases/{id}/legal-holds": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/legal-holds", f.caseAt(t, reported).ID)}
	},
	"POST /cases/{id}/legal-holds": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/legal-holds", f.caseAt(t, reported).ID),
			body: takedown.LegalHoldInput{Reference: "COURT-2026-1", Reasons: "A court case about this content."}}
	},
	"POST /legal-holds/{id}/release": func(t *testing.T, f *fixture, self *takedown.User) target {
		c := f.caseAt(t, reported)
		var h takedown.LegalHold
		f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/legal-holds", c.ID),
			takedown.LegalHoldInput{Reference: "COURT-2026-1", Reasons: "A court case about this content."}, &h)
		return target{path: fmt.Sprintf("/legal-holds/%d/release", h.ID), body: reasons}
	},
	"POST /retention/purge": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/retention/purge?dry_run=true"}
	},
	"GET /retention/verification": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/retention/verification"}
	},
	"POST /cases/{id}/measures": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/cases/%d/measures", f.caseAt(t, approved).ID),
			body: takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: f.host.ID}}
	},

	"GET /measures": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/measures"} },
	"GET /measures/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d", f.removalRequest(t).ID), owner: f.host}
	},
	"POST /measures/{id}/approve": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d/approve", f.proposedBlocking(t).ID)}
	},
	"POST /measures/{id}/refuse": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d/refuse", f.proposedBlocking(t).ID), body: reasons}
	},
	"POST /measures/{id}/withdraw": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d/withdraw", f.removalRequest(t).ID), body: reasons}
	},
	"POST /measures/{id}/recheck": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d/recheck", f.blockingInForce(t).ID),
			body: takedown.RecheckInput{Outcome: takedown.RecheckConfirm, Reasons: "The video is still online."}}
	},
	"POST /measures/{id}/overrides": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/measures/%d/overrides", f.blockingInForce(t).ID),
			body: takedown.OverrideInput{Gate: takedown.GateDiffSize, Reasons: "The names go together."}}
	},

	"GET /lists/{list}/deployment": func(t *testing.T, f *fixture, self *takedown.User) target {
		f.blockingInForce(t)
		return target{path: "/lists/blocking/deployment"}
	},
	"GET /lists/blocking/canary": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/lists/blocking/canary"}
	},
	"POST /lists/{list}/rollback": func(t *testing.T, f *fixture, self *takedown.User) target {
		f.blockingInForce(t)
		return target{path: "/lists/blocking/rollback", body: reasons}
	},

	"GET /deliveries": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/deliveries"} },
	"GET /deliveries/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		return target{path: fmt.Sprintf("/deliveries/%d", d.ID), owner: f.host}
	},
	"POST /deliveries/{id}/answer": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		return target{path: fmt.Sprintf("/deliveries/%d/answer", d.ID), owner: f.host,
			body: takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}}
	},
	"POST /deliveries/{id}/clarify": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		f.do(t, f.desk[f.host.ID].api, "POST", fmt.Sprintf("/deliveries/%d/answer", d.ID), takedown.AnswerInput{
			Kind: takedown.AnswerCannotComply, Reason: takedown.ReasonInsufficientInformation, Text: "We cannot find this address."}, nil)
		return target{path: fmt.Sprintf("/deliveries/%d/clarify", d.ID), body: reasons}
	},
	"GET /deliveries/{id}/form": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		return target{path: fmt.Sprintf("/deliveries/%d/form?format=json", d.ID), owner: f.host}
	},
	"GET /deliveries/{id}/checks": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		return target{path: fmt.Sprintf("/deliveries/%d/checks", d.ID), owner: f.host}
	},
	"GET /transmissions": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/transmissions?state=pending"}
	},
	"GET /deadlines": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/deadlines"} },

	"GET /lists/{list}/feed": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/lists/blocking/feed?format=csv", owner: f.isp}
	},

	"GET /figures": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/figures"} },
	"GET /transparency/figures": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/transparency/figures"}
	},
	"GET /transparency/trace": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/transparency/trace?figure=reports.received"}
	},
	"GET /transparency/report": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/transparency/report?report=authority&lang=en"}
	},
	"GET /exports/statements": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/exports/statements"}
	},
	"GET /exports/notices": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/exports/notices"} },
	"POST /complaints": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/complaints", body: complaintInput()}
	},
	"GET /complaints": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/complaints"} },
	"GET /complaints/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/complaints/%d", f.complaint(t).ID)}
	},
	"POST /complaints/{id}/answer": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/complaints/%d/answer", f.complaint(t).ID), body: reasons}
	},

	"POST /reviews": func(t *testing.T, f *fixture, self *takedown.User) target {
		f.removalRequest(t)
		return target{path: "/reviews", body: takedown.ReviewSessionInput{Limit: 1}}
	},
	"GET /reviews": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/reviews"} },
	"GET /reviews/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/reviews/%d", f.review(t).SessionID)}
	},
	"GET /reviews/{id}/next": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/reviews/%d/next", f.review(t).SessionID)}
	},
	"GET /review-questions": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/review-questions"} },
	"POST /review-items/{id}/answer": func(t *testing.T, f *fixture, self *takedown.User) target {
		it := f.review(t)
		f.do(t, f.controller.api, "POST", fmt.Sprintf("/review-items/%d", it.ID),
			takedown.ReviewVerdictInput{Verdict: takedown.ReviewQuestion, Note: "Was the host asked first?"}, nil)
		return target{path: fmt.Sprintf("/review-items/%d/answer", it.ID), body: reasons}
	},
	"POST /review-items/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/review-items/%d", f.review(t).ID), body: takedown.ReviewVerdictInput{Verdict: takedown.ReviewApprove}}
	},

	"GET /recommendations": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/recommendations"} },
	"POST /recommendations": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/recommendations", body: map[string]any{"measure_id": f.removalRequest(t).ID, "reasons": "Not terrorist in law."}}
	},
	"GET /recommendations/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/recommendations/%d", f.recommendation(t, takedown.RecommendationOpen).ID)}
	},
	"POST /recommendations/{id}/answer": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/recommendations/%d/answer", f.recommendation(t, takedown.RecommendationOpen).ID),
			body: takedown.RecommendationAnswer{Reasons: "The act was qualified as terrorist."}}
	},
	"POST /recommendations/{id}/court": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/recommendations/%d/court", f.recommendation(t, takedown.RecommendationDeclined).ID),
			body: takedown.CourtReferralInput{Court: "Administrative Court of Exampleville", Reference: "2600456"}}
	},
	"POST /recommendations/{id}/outcome": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/recommendations/%d/outcome", f.recommendation(t, takedown.RecommendationReferred).ID),
			body: takedown.CourtOutcomeInput{Outcome: takedown.CourtUpheld, Summary: "The court upheld the measure."}}
	},

	"GET /events": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/events"} },
	"GET /events/{id}/proof": func(t *testing.T, f *fixture, self *takedown.User) target {
		c := f.caseAt(t, reported)
		f.checkpoint(t)
		return target{path: fmt.Sprintf("/events/%d/proof", f.lastEvent(t, c.ID).ID)}
	},
	"GET /deliveries/{id}/receipt": func(t *testing.T, f *fixture, self *takedown.User) target {
		d := f.delivery(t, f.removalRequest(t), f.host, takedown.PurposeAction)
		f.checkpoint(t)
		return target{path: fmt.Sprintf("/deliveries/%d/receipt", d.ID), owner: f.host}
	},
	"GET /recommendations/{id}/receipt": func(t *testing.T, f *fixture, self *takedown.User) target {
		r := f.recommendation(t, takedown.RecommendationOpen)
		f.checkpoint(t)
		return target{path: fmt.Sprintf("/recommendations/%d/receipt", r.ID)}
	},

	"GET /log":             func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/log"} },
	"GET /log/checkpoints": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/log/checkpoints"} },
	"GET /log/consistency": func(t *testing.T, f *fixture, self *takedown.User) target {
		old := f.checkpoint(t)
		f.caseAt(t, reported)
		return target{path: fmt.Sprintf("/log/consistency?old=%d&new=%d", old.Size, f.checkpoint(t).Size)}
	},
	"POST /log/verifications": func(t *testing.T, f *fixture, self *takedown.User) target {
		cp := f.checkpoint(t)
		return target{path: "/log/verifications", body: takedown.Verification{Checkpoint: cp.Note, Size: cp.Size, OK: true}}
	},

	"POST /hashes": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/hashes?name=notes.txt", body: "some notes"}
	},
	"POST /match": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/match", body: map[string]any{"hashes": reportInput(f.newURL()).Hashes}}
	},
	"GET /hashbanks": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/hashbanks"} },
	"POST /hashbanks": func(t *testing.T, f *fixture, self *takedown.User) target {
		f.banks++
		return target{path: "/hashbanks", body: takedown.BankInput{Name: fmt.Sprintf("bank %d", f.banks), Offence: "terrorism-apology",
			Source: takedown.SourceImported}}
	},
	"GET /hashbanks/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		b, _ := f.bank(t)
		return target{path: fmt.Sprintf("/hashbanks/%d", b.ID)}
	},
	"PATCH /hashbanks/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		b, _ := f.bank(t)
		return target{path: fmt.Sprintf("/hashbanks/%d", b.ID), body: map[string]any{"radius": 24}}
	},
	"POST /hashbanks/{id}/entries": func(t *testing.T, f *fixture, self *takedown.User) target {
		b, _ := f.bank(t)
		return target{path: fmt.Sprintf("/hashbanks/%d/entries", b.ID), body: map[string]any{"format": "takedown.hashes/v1",
			"entries": reportInput(f.newURL()).Hashes}}
	},
	"GET /hashbanks/{id}/export": func(t *testing.T, f *fixture, self *takedown.User) target {
		b, _ := f.bank(t)
		return target{path: fmt.Sprintf("/hashbanks/%d/export?format=json", b.ID)}
	},
	"GET /hashbank-entries": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/hashbank-entries"} },
	"GET /hashbank-entries/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		_, e := f.bank(t)
		return target{path: fmt.Sprintf("/hashbank-entries/%d", e.ID)}
	},
	"POST /hashbank-entries/{id}/change": func(t *testing.T, f *fixture, self *takedown.User) target {
		_, e := f.bank(t)
		return target{path: fmt.Sprintf("/hashbank-entries/%d/change", e.ID), body: map[string]any{"state": "disabled", "reasons": "Under review."}}
	},
	"POST /cases/{id}/evidence-hashes": func(t *testing.T, f *fixture, self *takedown.User) target {
		b, _ := f.bank(t)
		return target{path: fmt.Sprintf("/cases/%d/evidence-hashes", f.caseAt(t, approved).ID), body: map[string]any{"bank_id": b.ID}}
	},
	"GET /hashbank-feed": func(t *testing.T, f *fixture, self *takedown.User) target {
		f.bank(t)
		return target{path: "/hashbank-feed?since=0", owner: f.platform}
	},
	"POST /hashbank-feedback": func(t *testing.T, f *fixture, self *takedown.User) target {
		_, e := f.bank(t)
		return target{path: "/hashbank-feedback", owner: f.platform, body: map[string]any{"feedback": []map[string]any{
			{"entry_id": e.ID, "kind": "match", "count": 3}}}}
	},
	"GET /hashbank-feedback": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/hashbank-feedback"} },

	"GET /operators": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/operators"} },
	"POST /operators": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/operators", body: map[string]any{"name": "New Publisher", "kind": "publisher",
			"contact": "legal@new.publisher.example", "languages": []string{"fr"}}}
	},
	"GET /operators/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/operators/%d", f.host.ID), owner: f.host}
	},
	"PATCH /operators/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/operators/%d", f.host.ID), body: map[string]any{"contact": "legal@video.host.example"}}
	},

	"POST /operators/{id}/webhook-secrets": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/operators/%d/webhook-secrets", f.host.ID), owner: f.host}
	},
	"GET /operators/{id}/records": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/operators/%d/records?from=2026-01-01&to=2026-04-01", f.host.ID), owner: f.host}
	},

	"GET /users": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/users"} },
	"POST /users": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/users", body: map[string]any{"name": "Hotel Trust & Safety", "role": "flagger"}}
	},
	"GET /users/{id}": func(t *testing.T, f *fixture, self *takedown.User) target {
		if self == nil {
			self = f.officer.user
		}
		return target{path: fmt.Sprintf("/users/%d", self.ID)}
	},
	"POST /users/{id}/tokens": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/users/%d/tokens", f.newUser(t).ID), body: map[string]any{"revoke_others": true}}
	},
	"POST /users/{id}/disable": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: fmt.Sprintf("/users/%d/disable", f.newUser(t).ID)}
	},

	"GET /demo/clock": func(t *testing.T, f *fixture, self *takedown.User) target { return target{path: "/demo/clock"} },
	"POST /demo/clock": func(t *testing.T, f *fixture, self *takedown.User) target {
		return target{path: "/demo/clock", body: map[string]any{"advance": "1m"}}
	},
}

// newUser adds an officer, as the administrator.
func (f *fixture) newUser(t *testing.T) *takedown.User {
	t.Helper()
	var nu struct {
		User *takedown.User `json:"user"`
	}
	f.do(t, f.admin.api, "POST", "/users", map[string]any{"name": "India Trust & Safety", "role": "flagger"}, &nu)
	return nu.User
}

// mayCall reports whether the route table lets c call a route with these roles. A route
// whose only role is "public" needs no token, so a signed-in user may call it too.
func mayCall(roles []string, c caller) bool {
	return slices.Equal(roles, []string{"public"}) || slices.Contains(roles, c.role())
}

// mismatch is a disagreement between the route table and the server's real answer.
type mismatch struct{ route, caller, want, got string }

// mismatches are reported together, as one table.
type mismatches []mismatch

func (ms *mismatches) add(route string, c caller, want, got string) {
	*ms = append(*ms, mismatch{route, string(c), want, got})
}

func (ms *mismatches) report(t *testing.T) {
	if len(*ms) == 0 {
		return
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ROUTE\tCALLER\tWANT\tGOT")
	for _, m := range *ms {
		fmt.Fprintf(w, "%s\t%s\t%s\t%.120s\n", m.route, m.caller, m.want, m.got)
	}
	w.Flush()
	t.Errorf("the route table and the server disagree:\n%s", b.String())
}

// TestRoleMatrix calls every route of the table as every caller, with valid ids and bodies,
// and proves that the table's roles and casework's authorisation agree: callers not in the
// roles are refused (401 for the public, 403 for users), callers in the roles are served
// (or refused for the state of the object, never for who they are), except an operator
// user on another operator's measure, delivery or operator. Every route must succeed for
// someone, and every success must match the response schema of the OpenAPI document.
func TestRoleMatrix(t *testing.T) {
	f := newFixture(t, unlimited)
	table := f.api.TableRoutes()
	var ms mismatches
	defer ms.report(t)
	// A route without roles also breaks the OpenAPI document, so roles are checked first.
	for _, rt := range table {
		key := rt.Method + " " + rt.Path
		if len(rt.Roles) == 0 {
			ms.add(key, "", "the roles that may call it", "no roles")
		}
		for _, role := range rt.Roles {
			if role != "public" && !takedown.Role(role).Valid() {
				ms.add(key, "", "a takedown role or public", "role "+strconv.Quote(role))
			}
		}
		if _, ok := scenarios[key]; !ok {
			ms.add(key, "", "a scenario in roles_test.go", "none")
		}
	}
	for key := range scenarios {
		if !slices.ContainsFunc(table, func(rt httpapi.TableRoute) bool { return rt.Method+" "+rt.Path == key }) {
			ms.add(key, "", "a route of the table", "a scenario for no route")
		}
	}
	if len(ms) > 0 {
		return
	}
	doc := f.openAPI(t)
	for _, rt := range table {
		key := rt.Method + " " + rt.Path
		t.Run(key, func(t *testing.T) {
			mismatched := func(c caller, want, got string) {
				t.Fail()
				ms.add(key, c, want, got)
			}
			served := false
			for _, c := range callers {
				var self *takedown.User
				if a := f.account(c, nil); a != nil {
					self = a.user
				}
				tg := scenarios[key](t, f, self)
				token := ""
				if a := f.account(c, tg.owner); a != nil {
					token = a.token
				}
				r := f.send(t, f.newRequest(t, rt.Method, tg.path, token, jsonBody(t, tg.body)))
				p, perr := r.problem()
				got := strconv.Itoa(r.status) + " " + p.Code
				if perr == nil && p.Detail != "" {
					got += ": " + p.Detail
				}
				switch {
				case !mayCall(rt.Roles, c) && c == byPublic:
					if r.status != http.StatusUnauthorized || perr != nil || p.Code != takedown.EUNAUTHORIZED {
						mismatched(c, "401 unauthorized", got)
					}
				case !mayCall(rt.Roles, c), c == byOtherOperator && tg.owner != nil:
					if r.status != http.StatusForbidden || perr != nil || p.Code != takedown.EFORBIDDEN {
						mismatched(c, "403 forbidden", got)
					}
				case r.status < 300:
					served = true
					for _, e := range checkResponse(doc, rt.Method, rt.Path, r) {
						mismatched(c, "the documented response", "schema: "+e)
					}
				case r.status != http.StatusConflict && r.status != http.StatusUnprocessableEntity:
					mismatched(c, "2xx, or 409/422 for the object's state", got)
				}
			}
			if !served {
				mismatched("", "a 2xx for some caller in the roles", "none")
			}
		})
	}
}
