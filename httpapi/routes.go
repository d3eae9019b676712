package httpapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/procedure"
)

// route is one operation of the API: the mux pattern, what it does and who may call it (for
// the OpenAPI document, and checked against casework's real answers by the role test), and
// the handler with the types it reads and writes.
type route struct {
	method, path string
	status       int
	summary      string
	roles        []string // takedown roles, or "public" for callers without a token
	limited      bool     // public callers are rate-limited
	handler
}

// handler is a route's behaviour and the Go types it decodes and encodes.
type handler struct {
	handle         func(*http.Request) (any, error)
	in, out, query reflect.Type
	maxBody        int64 // the body limit, when not the server's
}

// Role sets used in the table.
var (
	public            = []string{"public"}
	anyUser           = []string{"officer", "supervisor", "controller", "operator", "flagger", "admin"}
	authority         = []string{"officer", "supervisor"}
	supervisor        = []string{"supervisor"}
	controller        = []string{"controller"}
	readers           = []string{"officer", "supervisor", "controller"}
	reportReader      = []string{"officer", "supervisor", "controller", "flagger"}
	reporters         = []string{"public", "officer", "supervisor", "flagger"}
	measureRead       = []string{"officer", "supervisor", "controller", "operator"}
	operatorRead      = []string{"admin", "officer", "supervisor", "controller"}
	operatorSelf      = []string{"admin", "officer", "supervisor", "controller", "operator"}
	operatorOnly      = []string{"operator"}
	admin             = []string{"admin"}
	adminOrCtrl       = []string{"admin", "controller"}
	adminOrSelf       = []string{"admin", "operator"}
	supervisorOrAdmin = []string{"supervisor", "admin"}
	retentionCheck    = []string{"supervisor", "controller", "admin"}
	recordReaders     = []string{"admin", "officer", "supervisor", "controller", "operator"}
)

// routeTable lists every API route, one a line.
func (s *Server) routeTable() []route {
	v := s.svc
	routes := []route{
		{"GET", "/openapi.json", 200, "This OpenAPI 3.1 document", public, false, s.openAPIHandler()},
		{"GET", "/profile", 200, "The procedure profile: offences, their legal elements, measures and deadlines", public, false, get(s.profile)},
		{"GET", "/me", 200, "The signed-in user, and its operator for operator users", anyUser, false, get(s.me)},

		{"POST", "/reports", 201, "Report content (no account needed; trusted flaggers report with their token and come first), with files or hashes to find the cases of the same content", reporters, true, withBody(create(s.submitReport), maxFilesBody)},
		{"GET", "/reports", 200, "List reports (a trusted flagger lists its own)", reportReader, false, list(v.Reports)},
		{"GET", "/reports/{id}", 200, "One report, with the reporter's contact for the authority and the controller", reportReader, false, byID(v.Report)},

		{"GET", "/cases", 200, "The case queue: trusted flaggers' cases first, then oldest first", readers, false, list(v.Cases)},
		{"GET", "/cases/{id}", 200, "One case", readers, false, byID(v.Case)},
		{"POST", "/cases/{id}/accept", 200, "Accept a new case at triage: it goes to qualification", authority, false, byID(v.Accept)},
		{"POST", "/cases/{id}/dismiss", 200, "Dismiss a case before approval, with reasons", authority, false, byIDReasons(v.Dismiss)},
		{"POST", "/cases/{id}/qualify", 200, "Qualify a case: offence, legal elements, statement of reasons", authority, false, byIDWith(v.Qualify)},
		{"POST", "/cases/{id}/approve", 200, "Approve a qualification (a supervisor other than the one who qualified)", supervisor, false, byID(v.Approve)},
		{"POST", "/cases/{id}/return", 200, "Return a qualification to the officers, with reasons", supervisor, false, byIDReasons(v.Return)},
		{"POST", "/cases/{id}/hold", 200, "Place an investigation hold (deconfliction): no measure until released", authority, false, byIDWith(v.PlaceHold)},
		{"POST", "/cases/{id}/release", 200, "Release an investigation hold, with reasons", authority, false, byIDReasons(v.ReleaseHold)},
		{"POST", "/cases/{id}/close", 200, "Close an approved case whose measures have all ended", authority, false, byIDReasons(v.Close)},
		{"POST", "/cases/{id}/evidence", 201, "Attach files (base64 in JSON, at most 3 of 10 MB) to an accepted case as evidence: sealed, the digest recorded in the log", authority, false, withBody(byIDWith(v.AttachEvidence), maxFilesBody)},
		{"GET", "/cases/{id}/evidence", 200, "The evidence of a case (sealed; no content), and how much evidence the caller opened today", readers, false, byID(s.caseEvidence)},
		{"POST", "/cases/{id}/capture", 201, "Capture a page of an accepted case's content as sealed evidence: the server fetches it with the compliance checks' protections (no private address, 10 s, 10 MB), and records its address, type and digest", authority, false, byIDWith(v.CaptureEvidence)},
		{"POST", "/evidence/{id}/open", 200, "Open a piece of evidence, with the reason: recorded with the caller in the audit log and counted in its exposure of the day", readers, false, byIDWith(v.OpenEvidence)},
		{"POST", "/evidence/{id}/sealed", 200, "The controller's copy of a piece of evidence, still sealed (age), to open with its own identity (takedown evidence open --identity); recorded like an opening", controller, false, byIDWith(v.SealedEvidence)},
		{"POST", "/evidence/{id}/purge", 200, "Purge one piece of evidence before its time, with reasons (a supervisor); refused under a legal hold", supervisor, false, byIDReasons(v.PurgeOneEvidence)},
		{"GET", "/cases/{id}/legal-holds", 200, "A case's legal holds (reviews, court cases suspending every purge of its records), released ones included", readers, false, byID(v.LegalHolds)},
		{"POST", "/cases/{id}/legal-holds", 201, "Place a legal hold on a case: no record of it is purged until released", readers, false, byIDWith(v.PlaceLegalHold)},
		{"POST", "/legal-holds/{id}/release", 200, "Release a legal hold, with reasons (one the controller placed, by the controller only)", readers, false, byIDReasons(v.ReleaseLegalHold)},
		{"POST", "/retention/purge", 200, "Purge what the profile's retention makes due and no legal hold keeps (dry_run=true lists it only); the scheduler also does it", supervisorOrAdmin, false, query(s.purge)},
		{"GET", "/retention/verification", 200, "Verify the retention: every due record purged, nothing held or not yet due purged, every purge in the log with its digest", retentionCheck, false, get(v.VerifyRetention)},
		{"POST", "/cases/{id}/measures", 201, "Take a measure on an approved case: removal request, TCO removal order, referral, blocking or dereferencing", authority, false, byIDWith(v.IssueMeasure)},

		{"GET", "/measures", 200, "List measures (an operator lists those addressed to it)", measureRead, false, list(v.Measures)},
		{"GET", "/measures/{id}", 200, "One measure", measureRead, false, byID(v.Measure)},
		{"POST", "/measures/{id}/approve", 200, "Approve a proposed blocking or dereferencing list (a supervisor other than the proposer)", supervisor, false, byID(v.ApproveMeasure)},
		{"POST", "/measures/{id}/refuse", 200, "Refuse a proposed list, with reasons", supervisor, false, byIDReasons(v.RefuseMeasure)},
		{"POST", "/measures/{id}/withdraw", 200, "Withdraw a measure: every operator that received it is told", authority, false, byIDReasons(v.WithdrawMeasure)},
		{"POST", "/measures/{id}/recheck", 200, "Record the periodic re-check of a list in force: confirm or lift", authority, false, byIDWith(v.Recheck)},
		{"POST", "/measures/{id}/overrides", 200, "Let a list measure through a safety gate that holds it, with reasons: two supervisors for never_block and shared_host; a second supervisor for diff_size (also for ending a measure in force)", supervisor, false, byIDWith(v.Override)},

		{"GET", "/lists/{list}/deployment", 200, "Where each recipient of a list stands: the version its resolvers hold or it fetched, and whether it is late against the deadline (an operator sees itself)", measureRead, false, byList(v.Deployment)},
		{"GET", "/lists/blocking/canary", 200, "The latest check of the blocking zone through a real resolver: a listed name redirected, the must-not-block names not", readers, false, get(v.CanaryStatus)},
		{"POST", "/lists/{list}/rollback", 200, "Return a list to its previous version in one step: the measure that made the latest version is withdrawn, or put back in force", supervisor, false, byListReasons(v.Rollback)},

		{"GET", "/deliveries", 200, "List deliveries with their deadlines (an operator lists its own)", measureRead, false, list(v.Deliveries)},
		{"GET", "/deliveries/{id}", 200, "One delivery with its measure and the notice's legal texts", measureRead, false, byID(s.delivery)},
		{"POST", "/deliveries/{id}/answer", 200, "Answer a delivery: acknowledge, comply, cannot_comply, dispute or decline", operatorOnly, false, byIDWith(v.Answer)},
		{"GET", "/deliveries/{id}/receipt", 200, "The receipt of a delivery: what was sent and when, provable with the log's public key alone (C2SP tlog-proof)", measureRead, false, proofText(v.DeliveryReceipt)},
		{"POST", "/deliveries/{id}/clarify", 200, "Answer an operator that cannot comply or disputes; a stopped deadline restarts", authority, false, byIDReasons(v.Clarify)},
		{"GET", "/deliveries/{id}/form", 200, "The official form of a delivery (removal request, TCO removal order of Annex I, notice) in its operator's language: format=html (default), json, pdf or text", measureRead, false, s.formHandler()},
		{"GET", "/deliveries/{id}/checks", 200, "The compliance checks of a delivery: each fetch of its targets after the deadline, with status and content digest", measureRead, false, byID(v.ComplianceChecks)},
		{"GET", "/transmissions", 200, "The outbox: each delivery's transmissions by webhook and e-mail, with attempts and errors (state=failed lists the alerts; an operator lists its own)", measureRead, false, list(v.Transmissions)},
		{"GET", "/deadlines", 200, "Deliveries with a deadline, counted by status (running, paused, met, missed, overdue, cancelled)", readers, false, get(v.DeadlineCounts)},

		{"GET", "/lists/{list}/feed", 200, "The blocking or dereferencing list as a signed feed, whole or since a version (an operator reads its own lists; its fetch is its receipt)", measureRead, false, s.feedHandler()},

		{"GET", "/recommendations", 200, "List the controller's recommendations", readers, false, list(v.Recommendations)},
		{"POST", "/recommendations", 201, "Recommend ending a measure, with reasons", controller, false, create(s.recommend)},
		{"GET", "/recommendations/{id}", 200, "One recommendation", readers, false, byID(v.Recommendation)},
		{"GET", "/recommendations/{id}/receipt", 200, "The receipt of a recommendation: what the controller recommended and when (C2SP tlog-proof)", readers, false, proofText(v.RecommendationReceipt)},
		{"POST", "/recommendations/{id}/answer", 200, "Answer a recommendation: follow (the measure ends) or decline, with reasons", supervisor, false, byIDWith(v.AnswerRecommendation)},
		{"POST", "/recommendations/{id}/court", 200, "Record the referral of a declined recommendation to the administrative court", controller, false, byIDWith(v.ReferToCourt)},
		{"POST", "/recommendations/{id}/outcome", 200, "Record the court's decision; an annulment ends the measure", controller, false, byIDWith(v.RecordCourtOutcome)},

		{"GET", "/transparency/figures", 200, "A period's figures computed from the event record (year=, or from= and to= dates): counts by name, times, per-operator compliance, missing data", readers, false, query(s.transparencyFigures)},
		{"GET", "/transparency/trace", 200, "The ids of the events a figure of a period counts (figure=), to check against the audit log", readers, false, query(s.transparencyTrace)},
		{"GET", "/transparency/report", 200, "A period's report as a document: report=annual (the controller's) or authority (TCO art. 8, DSA art. 9), lang=fr|en, format=html|pdf", readers, false, s.reportHandler()},
		{"GET", "/exports/statements", 200, "Statements of reasons in the DSA Transparency Database's schema for the removals and referrals complied with among the measures issued in a period (year=, or from= and to= dates; this year by default; a year at most); an operator gets its own, to submit", measureRead, false, query(s.statements)},
		{"GET", "/exports/notices", 200, "The measures issued in a period as redacted notices for researchers, in the shape of Lumen's (no address of content, no free text)", readers, false, query(s.notices)},

		{"GET", "/figures", 200, "A year's public figures (the current year by default): counts only, those below 5 withheld as -1", public, false, query(s.figures)},

		{"POST", "/complaints", 201, "Contest a measure or report an error (no account needed): the authority must answer, the controller sees it", public, true, create(v.SubmitComplaint)},
		{"GET", "/complaints", 200, "List the complaints, oldest first (state=open for those to answer)", readers, false, list(v.Complaints)},
		{"GET", "/complaints/{id}", 200, "One complaint, with the complainant's contact", readers, false, byID(v.Complaint)},
		{"POST", "/complaints/{id}/answer", 200, "Answer a complaint, with reasons", authority, false, byIDReasons(v.AnswerComplaint)},

		{"POST", "/reviews", 201, "Start a review session over the active measures, dealt in turn to one or two of the controller's users", controller, false, create(v.StartReview)},
		{"GET", "/reviews", 200, "List the review sessions, newest first", controller, false, list(v.ReviewSessions)},
		{"GET", "/reviews/{id}", 200, "One review session with its items reviewed so far", controller, false, byID(s.reviewSession)},
		{"GET", "/reviews/{id}/next", 200, "The signed-in reviewer's next item of a session (404 when none is left)", controller, false, byID(v.NextReviewItem)},
		{"GET", "/review-questions", 200, "The questions the controller's reviewers put to the authority: a case's (case_id), or all those waiting for an answer", readers, false, query(s.reviewQuestions)},
		{"POST", "/review-items/{id}/answer", 200, "Answer a reviewer's question, with reasons", authority, false, byIDReasons(v.AnswerQuestion)},
		{"POST", "/review-items/{id}", 200, "Give a verdict on one of your items: approve, question (with a note) or recommend (the note is the recommendation's reasons)", controller, false, byIDWith(v.Review)},

		{"GET", "/events", 200, "The record of every change, oldest first", readers, false, list(v.Events)},
		{"GET", "/events/{id}/proof", 200, "An event's receipt: the event and the inclusion proof of its leaf in the latest checkpoint of the audit log (C2SP tlog-proof)", readers, false, proofText(v.EventProof)},

		{"GET", "/log", 200, "The audit log: its size, its latest published checkpoint and the controller's last recorded verification", readers, false, get(v.LogStatus)},
		{"GET", "/log/checkpoints", 200, "The published checkpoints of the audit log, newest first", readers, false, list(v.Checkpoints)},
		{"GET", "/log/consistency", 200, "The consistency proof between two published checkpoints, given by their sizes", public, false, query(v.Consistency)},
		{"POST", "/log/verifications", 201, "Record in the log the result of a verification of the log (controller)", controller, false, create(v.RecordVerification)},

		{"POST", "/hashes", 200, "The hashes of a file in the body: SHA-256, MD5 and, for an image, PDQ with its quality and 8 dihedral variants; nothing is stored", anyUser, false, s.hashHandler()},
		{"POST", "/match", 200, "Look hashes or files up in every bank: PDQ within each bank's radius (dihedral variants of files), digests exactly; a known false positive matches nothing", readers, false, withBody(create(s.lookup), maxFilesBody)},
		{"GET", "/hashbanks", 200, "The hash banks, per offence and source, with their radius, minimum quality and the platforms they are shared with", readers, false, list(v.Banks)},
		{"POST", "/hashbanks", 201, "Make a hash bank (evidence or imported; negative for known false positives)", authority, false, create(v.CreateBank)},
		{"GET", "/hashbanks/{id}", 200, "One hash bank", readers, false, byID(v.Bank)},
		{"PATCH", "/hashbanks/{id}", 200, "Change a bank's name, description, radius, minimum quality or the platforms entitled to it", authority, false, byIDWith(v.UpdateBank)},
		{"POST", "/hashbanks/{id}/entries", 200, "Add hashes to a bank: a list as CSV, JSON or plain text (docs/hash-exchange.md); hashes it holds gain the labels and cases given", authority, false, s.importHandler()},
		{"GET", "/hashbanks/{id}/export", 200, "A bank's entries as CSV, JSON or plain text (format=)", readers, false, s.exportHandler()},
		{"GET", "/hashbank-entries", 200, "Bank entries, with the platforms' feedback counts", readers, false, list(v.Entries)},
		{"GET", "/hashbank-entries/{id}", 200, "One bank entry", readers, false, byID(v.Entry)},
		{"POST", "/hashbank-entries/{id}/change", 200, "Disable, enable or tombstone an entry, or change its labels, with reasons", authority, false, byIDWith(v.ChangeEntry)},
		{"POST", "/cases/{id}/evidence-hashes", 200, "Add an approved case's hashes (those its reports carried) to an evidence bank of its offence", authority, false, byIDWith(s.addCaseEvidence)},
		{"GET", "/hashbank-feed", 200, "The banks shared with this platform and their entries, since 0 or a cursor, as a signed note (docs/hash-exchange.md)", operatorOnly, false, s.hashFeedHandler()},
		{"POST", "/hashbank-feedback", 201, "Report matches found with the feed's entries, and confirm or disagree with their labels (platforms)", operatorOnly, false, create(s.submitFeedback)},
		{"GET", "/hashbank-feedback", 200, "The platforms' feedback on entries (a platform lists its own)", measureRead, false, list(v.Feedback)},

		{"GET", "/operators", 200, "The operator registry", operatorRead, false, list(v.Operators)},
		{"POST", "/operators", 201, "Register an operator", admin, false, create(v.CreateOperator)},
		{"GET", "/operators/{id}", 200, "One operator (an operator user sees its own)", operatorSelf, false, byID(v.Operator)},
		{"PATCH", "/operators/{id}", 200, "Change an operator's name, contact, languages, domains or delivery channels (webhook endpoint, e-mail, search API)", admin, false, byIDWith(v.UpdateOperator)},
		{"POST", "/operators/{id}/webhook-secrets", 201, "Make a new webhook signing secret, shown only once; the previous ones keep signing for the overlap", adminOrSelf, false, byID(v.CreateWebhookSecret)},
		{"GET", "/operators/{id}/records", 200, "An operator's records over a period (from, to): deliveries, receipts, answers, times to receipt and to compliance, list updates; format=csv for a spreadsheet", recordReaders, false, s.recordsHandler()},

		{"GET", "/users", 200, "List users", adminOrCtrl, false, list(v.Users)},
		{"POST", "/users", 201, "Add an operator user or a trusted flagger (staff accounts are managed on the server); the answer holds its token, shown only once", admin, false, create(s.createUser)},
		{"GET", "/users/{id}", 200, "One user (everyone may see themselves)", anyUser, false, byID(v.User)},
		{"POST", "/users/{id}/tokens", 201, "Issue a new token for an operator user or a trusted flagger, optionally revoking the others; shown only once", admin, false, byIDWith(s.issueToken)},
		{"POST", "/users/{id}/disable", 200, "Disable an operator user or a trusted flagger and revoke its tokens", admin, false, byID(v.DisableUser)},
	}
	if s.cfg.DemoClock != nil {
		routes = append(routes,
			route{"GET", "/demo/clock", 200, "The demo's simulated time (demo mode only)", public, false, get(s.demoClock)},
			route{"POST", "/demo/clock", 200, "Advance the demo's simulated time (demo mode only)", anyUser, false, create(s.advanceClock)},
		)
	}
	return routes
}

// listResponse is one page of a list.
type listResponse[T any] struct {
	Items []T `json:"items"`
	// NextCursor, when not empty, is passed as ?cursor= to get the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// reasonsInput is the body of the actions that take only reasons.
type reasonsInput struct {
	Reasons string `json:"reasons"`
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// get serves fn with no input.
func get[Out any](fn func(context.Context) (Out, error)) handler {
	return handler{out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		if err := decodeQuery(r, &struct{}{}); err != nil {
			return nil, err
		}
		return fn(r.Context())
	}}
}

// create serves fn with a JSON body.
func create[In, Out any](fn func(context.Context, In) (Out, error)) handler {
	return handler{in: typeOf[In](), out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		var in In
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return fn(r.Context(), in)
	}}
}

// query serves fn with its input from the query string.
func query[Q, Out any](fn func(context.Context, Q) (Out, error)) handler {
	return handler{query: typeOf[Q](), out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		var q Q
		if err := decodeQuery(r, &q); err != nil {
			return nil, err
		}
		return fn(r.Context(), q)
	}}
}

// tlogProof is the type of the answers that are C2SP tlog-proof text, for the OpenAPI document.
type tlogProof []byte

// proofText serves fn on the {id} of the path, answering with the proof as text: a receipt
// is a file its holder keeps, and the C2SP format is text.
func proofText(fn func(context.Context, int64) (*auditlog.Proof, error)) handler {
	h := byID(fn)
	h.out = typeOf[tlogProof]()
	handle := h.handle
	h.handle = func(r *http.Request) (any, error) {
		p, err := handle(r)
		if err != nil {
			return nil, err
		}
		return rawResponse{contentType: "text/plain; charset=utf-8", body: p.(*auditlog.Proof).Marshal()}, nil
	}
	return h
}

// byID serves fn on the {id} of the path.
func byID[Out any](fn func(context.Context, int64) (Out, error)) handler {
	return handler{out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		return fn(r.Context(), id)
	}}
}

// byIDWith serves fn on the {id} of the path with a JSON body.
func byIDWith[In, Out any](fn func(context.Context, int64, In) (Out, error)) handler {
	return handler{in: typeOf[In](), out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		var in In
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return fn(r.Context(), id, in)
	}}
}

// byIDReasons serves fn on the {id} of the path with a {"reasons": …} body.
func byIDReasons[Out any](fn func(context.Context, int64, string) (Out, error)) handler {
	h := byIDWith(func(ctx context.Context, id int64, in reasonsInput) (Out, error) { return fn(ctx, id, in.Reasons) })
	return h
}

// byList serves fn on the {list} of the path.
func byList[Out any](fn func(context.Context, takedown.MeasureKind) (Out, error)) handler {
	return handler{out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		list, err := pathList(r)
		if err != nil {
			return nil, err
		}
		if err := decodeQuery(r, &struct{}{}); err != nil {
			return nil, err
		}
		return fn(r.Context(), list)
	}}
}

// byListReasons serves fn on the {list} of the path with a {"reasons": …} body.
func byListReasons[Out any](fn func(context.Context, takedown.MeasureKind, string) (Out, error)) handler {
	return handler{in: typeOf[reasonsInput](), out: typeOf[Out](), handle: func(r *http.Request) (any, error) {
		list, err := pathList(r)
		if err != nil {
			return nil, err
		}
		var in reasonsInput
		if err := decodeBody(r, &in); err != nil {
			return nil, err
		}
		return fn(r.Context(), list, in.Reasons)
	}}
}

// list serves fn with its filter from the query string, as one page.
func list[F, T any](fn func(context.Context, F) ([]T, string, error)) handler {
	return handler{query: typeOf[F](), out: typeOf[listResponse[T]](), handle: func(r *http.Request) (any, error) {
		var f F
		if err := decodeQuery(r, &f); err != nil {
			return nil, err
		}
		items, next, err := fn(r.Context(), f)
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []T{}
		}
		return listResponse[T]{Items: items, NextCursor: next}, nil
	}}
}

// profile returns the procedure profile.
func (s *Server) profile(context.Context) (*procedure.Profile, error) { return s.svc.Profile(), nil }

// Me is the signed-in user and its operator.
type Me struct {
	User     *takedown.User     `json:"user"`
	Operator *takedown.Operator `json:"operator,omitempty"`
}

func (s *Server) me(ctx context.Context) (*Me, error) {
	u := takedown.UserFromContext(ctx)
	if u == nil {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "sign in with a token to do this")
	}
	out := &Me{User: u}
	if u.OperatorID != 0 {
		o, err := s.svc.Operator(ctx, u.OperatorID)
		if err != nil {
			return nil, err
		}
		out.Operator = o
	}
	return out, nil
}
