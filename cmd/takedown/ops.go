package main

// clientCommands are the client commands: one per API operation, one a line where it fits.
func clientCommands() []command {
	var cmds []command
	for _, o := range ops() {
		cmds = append(cmds, command{name: o.name, summary: o.summary, run: runOp(o)})
	}
	return cmds
}

func ops() []op {
	kind := func(usage string) opt { return opt{name: "kind", field: "kind", kind: str, usage: usage, query: true} }
	caseFilter := opt{name: "case", field: "case_id", kind: num, usage: "only those of this case", query: true}
	measureFilter := opt{name: "measure", field: "measure_id", kind: num, usage: "only those of this measure", query: true}
	operatorFilter := opt{name: "operator", field: "operator_id", kind: num, usage: "only those of this operator", query: true}
	return []op{
		{"openapi", "print the API's OpenAPI 3.1 document", "GET", "/openapi.json", nil, nil, printJSONAnswer},
		{"profile", "show the procedure profile: offences, legal elements, measures, deadlines", "GET", "/profile", nil, nil, printProfile},
		{"whoami", "show the user behind the token", "GET", "/me", nil, nil, printMe},

		{"report submit", "report content (public without a token; trusted flaggers with theirs)", "POST", "/reports",
			[]arg{{name: "URL", field: "urls", kind: list}}, []opt{
				{name: "offence", field: "offence", kind: str, usage: "terrorism-provocation, terrorism-apology or csam", required: true},
				{name: "description", field: "description", kind: str, usage: "what the content shows or says", required: true},
				{name: "contact", field: "contact", kind: str, usage: "how to reach you (optional; stored encrypted)"},
				{name: "good-faith", field: "good_faith", kind: flagBool, usage: "state that the report is made in good faith", required: true},
				{name: "file", field: "files", kind: files, usage: "a picture of the content, hashed to find the cases about the same content (at most 3, 10 MB each)"},
				{name: "hash", field: "hashes", kind: hashes, usage: "a hash of the content you computed: pdq:HEX, md5:HEX or sha256:HEX"},
			}, printReceipt},
		{"report list", "list reports", "GET", "/reports", nil, append([]opt{caseFilter,
			{name: "flagger", field: "flagger_id", kind: num, usage: "only those of this trusted flagger", query: true}}, page...), printReports},
		{"report show", "show one report", "GET", "/reports/{id}", idArg("REPORT"), nil, printReport},

		{"case list", "the case queue: trusted flaggers' cases first, then oldest first", "GET", "/cases", nil, append([]opt{
			{name: "state", field: "state", kind: str, usage: "new, qualifying, awaiting_approval, approved or closed", query: true},
			{name: "overdue", field: "overdue", kind: flagBool, usage: "only cases with a measure past its deadline", query: true},
			{name: "url", field: "url", kind: str, usage: "the case holding this URL", query: true},
		}, page...), printCases},
		{"case show", "show one case", "GET", "/cases/{id}", idArg("CASE"), nil, printCase},
		{"case accept", "accept a new case at triage", "POST", "/cases/{id}/accept", idArg("CASE"), nil, printCase},
		{"case dismiss", "dismiss a case before approval", "POST", "/cases/{id}/dismiss", idArg("CASE"), reasons, printCase},
		{"case qualify", "qualify a case: offence, legal elements, statement of reasons", "POST", "/cases/{id}/qualify", idArg("CASE"), []opt{
			{name: "offence", field: "offence", kind: str, usage: "the offence (takedown profile lists them)", required: true},
			{name: "element", field: "elements", kind: elements, usage: "a legal element as id=value (true for a confirmed one)"},
			{name: "reasons", field: "reasons", kind: str, usage: "the statement of reasons", required: true},
		}, printCase},
		{"case approve", "approve a qualification (a different supervisor)", "POST", "/cases/{id}/approve", idArg("CASE"), nil, printCase},
		{"case return", "return a qualification to the officers", "POST", "/cases/{id}/return", idArg("CASE"), reasons, printCase},
		{"case hold", "place an investigation hold", "POST", "/cases/{id}/hold", idArg("CASE"), []opt{
			{name: "reference", field: "reference", kind: str, usage: "the investigating service's reference", required: true},
			reasons[0],
		}, printCase},
		{"case release", "release an investigation hold", "POST", "/cases/{id}/release", idArg("CASE"), reasons, printCase},
		{"case close", "close an approved case whose measures have ended", "POST", "/cases/{id}/close", idArg("CASE"), reasons, printCase},

		{"evidence attach", "attach files to an accepted case as evidence (sealed; the digest goes into the log)", "POST", "/cases/{id}/evidence", idArg("CASE"), []opt{
			{name: "file", field: "files", kind: files, usage: "a file to attach (at most 3, 10 MB each)", required: true}}, printJSONAnswer},
		{"evidence capture", "have the server fetch a page of an accepted case and keep it as sealed evidence", "POST", "/cases/{id}/capture",
			[]arg{{name: "CASE", field: "id", kind: num}, {name: "URL", field: "url", kind: str}}, nil, printJSONAnswer},
		{"evidence purge", "purge one piece of evidence before its time (a supervisor); refused under a legal hold", "POST", "/evidence/{id}/purge", idArg("EVIDENCE"), reasons, printJSONAnswer},
		{"legal-hold list", "list a case's legal holds", "GET", "/cases/{id}/legal-holds", idArg("CASE"), nil, printJSONAnswer},
		{"legal-hold place", "place a legal hold on a case: none of its records is purged until released", "POST", "/cases/{id}/legal-holds", idArg("CASE"), []opt{
			{name: "reference", field: "reference", kind: str, usage: "the review's or the court case's reference", required: true},
			reasons[0],
		}, printJSONAnswer},
		{"legal-hold release", "release a legal hold", "POST", "/legal-holds/{id}/release", idArg("HOLD"), reasons, printJSONAnswer},
		{"retention purge", "purge what the retention makes due and no legal hold keeps", "POST", "/retention/purge", nil, []opt{
			{name: "dry-run", field: "dry_run", kind: flagBool, usage: "list what would be purged, purge nothing", query: true}}, printJSONAnswer},
		{"retention verify", "verify that what should be purged is, and nothing else (the controller)", "GET", "/retention/verification", nil, nil, printJSONAnswer},

		{"measure issue", "take a measure on an approved case", "POST", "/cases/{id}/measures", idArg("CASE"), []opt{
			{name: "kind", field: "kind", kind: str, usage: "removal_request, removal_order, referral, blocking or dereferencing", required: true},
			{name: "operator", field: "operator_id", kind: num, usage: "the operator a request, order or referral goes to"},
			{name: "target", field: "targets", kind: list, usage: "narrow to one of the case's URLs (a host name for blocking)"},
			{name: "subtree", field: "subtree", kind: flagBool, usage: "block every name under the host too"},
			{name: "publisher-unidentified", field: "publisher_unidentified", kind: str, usage: "justification for listing without a removal request"},
			{name: "emergency", field: "emergency", kind: str, usage: "justification for a first TCO order without advance information"},
			{name: "non-disclosure-until", field: "non_disclosure_until", kind: str, usage: "for a TCO order: the provider tells no one until then (at most six weeks), as 2026-04-01T00:00:00Z"},
		}, printMeasure},
		{"measure list", "list measures", "GET", "/measures", nil, append([]opt{caseFilter,
			kind("removal_request, removal_order, referral, blocking or dereferencing"),
			{name: "state", field: "state", kind: str, usage: "a measure state", query: true},
			operatorFilter,
			{name: "active", field: "active", kind: flagBool, usage: "only measures that have or may take effect", query: true},
			{name: "overdue", field: "overdue", kind: flagBool, usage: "only measures past a deadline", query: true},
			{name: "recheck-due", field: "recheck_due", kind: flagBool, usage: "only lists whose re-check is due", query: true},
		}, page...), printMeasures},
		{"measure show", "show one measure", "GET", "/measures/{id}", idArg("MEASURE"), nil, printMeasure},
		{"measure approve", "approve a proposed list (a different supervisor)", "POST", "/measures/{id}/approve", idArg("MEASURE"), nil, printMeasure},
		{"measure refuse", "refuse a proposed list", "POST", "/measures/{id}/refuse", idArg("MEASURE"), reasons, printMeasure},
		{"measure withdraw", "withdraw a measure", "POST", "/measures/{id}/withdraw", idArg("MEASURE"), reasons, printMeasure},
		{"measure recheck", "record the re-check of a list in force", "POST", "/measures/{id}/recheck", idArg("MEASURE"), []opt{
			{name: "outcome", field: "outcome", kind: str, usage: "confirm or lift", required: true}, reasons[0],
		}, printMeasure},
		{"measure override", "let a held list measure (or its ending) through a safety gate (supervisor)", "POST", "/measures/{id}/overrides", idArg("MEASURE"), []opt{
			{name: "gate", field: "gate", kind: str, usage: "never_block, shared_host or diff_size", required: true}, reasons[0],
		}, printMeasure},

		{"list deployment", "where each recipient of a list stands: the version it has, and whether it is late", "GET", "/lists/{list}/deployment",
			listArg, nil, printDeployment},
		{"list canary", "the latest check of the blocking zone through a real resolver", "GET", "/lists/blocking/canary", nil, nil, printCanary},
		{"list rollback", "return a list to its previous version in one step (supervisor)", "POST", "/lists/{list}/rollback", listArg, reasons, printListVersion},

		{"delivery list", "list deliveries and their deadlines", "GET", "/deliveries", nil, append([]opt{measureFilter, caseFilter, operatorFilter,
			{name: "pending", field: "pending", kind: flagBool, usage: "only those still waiting for an answer", query: true},
			{name: "deadline", field: "deadline", kind: str, usage: "awaiting_receipt, running, paused, met, missed, overdue, cancelled or none", query: true},
		}, page...), printDeliveries},
		{"delivery show", "show one delivery, its measure and its legal notice", "GET", "/deliveries/{id}", idArg("DELIVERY"), nil, printDelivery},
		{"delivery receipt", "the receipt of a delivery: what was sent and when, provable with the log's public key (save it to a file)", "GET", "/deliveries/{id}/receipt",
			idArg("DELIVERY"), nil, printJSONAnswer},
		{"delivery answer", "answer a delivery addressed to your operator", "POST", "/deliveries/{id}/answer", idArg("DELIVERY"), []opt{
			{name: "kind", field: "kind", kind: str, usage: "acknowledge, comply, cannot_comply, dispute or decline", required: true},
			{name: "reason", field: "reason", kind: str, usage: "for cannot_comply: force_majeure, manifest_error or insufficient_information"},
			{name: "text", field: "text", kind: str, usage: "explanation (required for cannot_comply, dispute, decline)"},
			{name: "acted-at", field: "acted_at", kind: str, usage: "with comply: when the content was removed, as 2026-03-02T09:30:00Z"},
		}, printDeliveryAnswer},
		{"delivery form", "the official form of a delivery in its operator's language (redirect --format pdf to a file)", "GET", "/deliveries/{id}/form",
			idArg("DELIVERY"), []opt{{name: "format", field: "format", kind: str, usage: "text, html, json or pdf", query: true, def: "text"}}, printJSONAnswer},
		{"delivery checks", "the compliance checks of a delivery: each fetch of its targets", "GET", "/deliveries/{id}/checks", idArg("DELIVERY"), nil, printChecks},
		{"outbox", "the outbox: each delivery's transmissions by webhook and e-mail, with attempts and errors", "GET", "/transmissions", nil, append([]opt{
			{name: "delivery", field: "delivery_id", kind: num, usage: "only those of this delivery", query: true}, operatorFilter,
			{name: "state", field: "state", kind: str, usage: "pending, accepted or failed (the alerts)", query: true},
		}, page...), printTransmissions},
		{"delivery clarify", "answer an operator that cannot comply or disputes", "POST", "/deliveries/{id}/clarify", idArg("DELIVERY"), reasons, printDeliveryAnswer},
		{"deadline summary", "count deliveries by deadline status", "GET", "/deadlines", nil, nil, printDeadlines},

		{"recommendation list", "list the controller's recommendations", "GET", "/recommendations", nil, append([]opt{
			{name: "state", field: "state", kind: str, usage: "open, followed, declined, referred or decided", query: true},
			measureFilter, caseFilter,
		}, page...), printRecommendations},
		{"recommendation make", "recommend ending a measure (controller)", "POST", "/recommendations",
			[]arg{{name: "MEASURE", field: "measure_id", kind: num}}, reasons, printRecommendation},
		{"recommendation show", "show one recommendation", "GET", "/recommendations/{id}", idArg("RECOMMENDATION"), nil, printRecommendation},
		{"recommendation receipt", "the receipt of a recommendation: what was recommended and when (save it to a file)", "GET", "/recommendations/{id}/receipt",
			idArg("RECOMMENDATION"), nil, printJSONAnswer},
		{"recommendation answer", "answer a recommendation: --follow ends the measure", "POST", "/recommendations/{id}/answer", idArg("RECOMMENDATION"), []opt{
			{name: "follow", field: "follow", kind: flagBool, usage: "follow the recommendation; without it, decline"}, reasons[0],
		}, printRecommendation},
		{"recommendation court", "record a referral to the administrative court", "POST", "/recommendations/{id}/court", idArg("RECOMMENDATION"), []opt{
			{name: "court", field: "court", kind: str, usage: "the court seized", required: true},
			{name: "reference", field: "reference", kind: str, usage: "the court's case number", required: true},
		}, printRecommendation},
		{"recommendation outcome", "record the court's decision", "POST", "/recommendations/{id}/outcome", idArg("RECOMMENDATION"), []opt{
			{name: "outcome", field: "outcome", kind: str, usage: "annulled, upheld or dismissed", required: true},
			{name: "summary", field: "summary", kind: str, usage: "what the court decided", required: true},
		}, printRecommendation},

		{"figures", "a year's public figures (counts only; below 5 withheld)", "GET", "/figures", nil, []opt{
			{name: "year", field: "year", kind: num, usage: "the year (this year by default)", query: true}}, printJSONAnswer},
		{"export statements", "DSA Transparency Database statements of reasons for the removals complied with (an operator gets its own, to submit)", "GET", "/exports/statements", nil, period, printJSONAnswer},
		{"export notices", "the measures issued as redacted notices for researchers (Lumen-like)", "GET", "/exports/notices", nil, period, printJSONAnswer},

		{"complaint submit", "contest a measure or report an error (no token needed): the authority must answer", "POST", "/complaints",
			[]arg{{name: "ADDRESS", field: "address", kind: str}}, []opt{
				{name: "from", field: "from", kind: str, usage: "publisher, host or user", required: true},
				{name: "text", field: "text", kind: str, usage: "what you contest, and why", required: true},
				{name: "contact", field: "contact", kind: str, usage: "where to send the answer (stored encrypted)", required: true},
			}, printComplaint},
		{"complaint list", "list the complaints, oldest first", "GET", "/complaints", nil, append([]opt{
			{name: "state", field: "state", kind: str, usage: "open or answered", query: true}}, page...), printComplaints},
		{"complaint show", "show one complaint, with the complainant's contact", "GET", "/complaints/{id}", idArg("COMPLAINT"), nil, printComplaint},
		{"complaint answer", "answer a complaint, with reasons", "POST", "/complaints/{id}/answer", idArg("COMPLAINT"), reasons, printComplaint},

		{"review start", "start a review session over the active measures (controller)", "POST", "/reviews", nil, []opt{
			{name: "kind", field: "kind", kind: str, usage: "only measures of this kind"},
			{name: "reviewer", field: "reviewers", kind: numList, usage: "a reviewer, in turn (at most two; you alone by default)"},
			{name: "limit", field: "limit", kind: num, usage: "the number of measures (at most 5000)"},
		}, printReviewSession},
		{"review list", "list the review sessions, newest first", "GET", "/reviews", nil, page, printReviewSessions},
		{"review show", "show a review session and its verdicts", "GET", "/reviews/{id}", idArg("SESSION"), nil, printReviewProgress},
		{"review next", "your next item of a review session", "GET", "/reviews/{id}/next", idArg("SESSION"), nil, printReviewItem},
		{"review questions", "the reviewers' questions to the authority: a case's, or all those waiting", "GET", "/review-questions", nil,
			[]opt{caseFilter}, printReviewQuestions},
		{"review answer", "answer a reviewer's question, with reasons", "POST", "/review-items/{id}/answer", idArg("ITEM"), reasons, printReviewItem},
		{"review verdict", "give a verdict on an item: approve, question or recommend", "POST", "/review-items/{id}", idArg("ITEM"), []opt{
			{name: "verdict", field: "verdict", kind: str, usage: "approve, question or recommend", required: true},
			{name: "note", field: "note", kind: str, usage: "the question, or the recommendation's reasons"},
		}, printReviewItem},

		{"event list", "the record of every change, oldest first", "GET", "/events", nil, append([]opt{caseFilter, measureFilter,
			{name: "kind", field: "kind", kind: str, usage: "only events of this kind, such as delivery.sent", query: true}}, page...), printEvents},
		{"event proof", "an event's receipt: the event and its inclusion proof in the log (C2SP tlog-proof; save it to a file)", "GET", "/events/{id}/proof",
			idArg("EVENT"), nil, printJSONAnswer},

		{"log status", "the audit log: size, latest checkpoint, the controller's last verification", "GET", "/log", nil, nil, printLogStatus},
		{"log checkpoints", "the published checkpoints of the audit log, newest first", "GET", "/log/checkpoints", nil, page, printCheckpoints},
		{"log consistency", "the consistency proof between two published checkpoints", "GET", "/log/consistency", nil, []opt{
			{name: "old", field: "old", kind: num, usage: "size of the older checkpoint", query: true, required: true},
			{name: "new", field: "new", kind: num, usage: "size of the newer checkpoint", query: true, required: true},
		}, printConsistency},
		{"log record", "record in the log the result of a verification made with another tool (controller)", "POST", "/log/verifications", nil, []opt{
			{name: "checkpoint", field: "checkpoint", kind: str, usage: "the signed checkpoint verified, as text", required: true},
			{name: "size", field: "size", kind: num, usage: "its size", required: true},
			{name: "ok", field: "ok", kind: flagBool, usage: "everything verified"},
			{name: "bodies", field: "bodies", kind: num, usage: "how many event bodies were checked against their leaves"},
			{name: "problem", field: "problem", kind: str, usage: "what failed, without --ok"},
		}, printEvent},

		{"bank list", "the hash banks, per offence and source", "GET", "/hashbanks", nil, append([]opt{
			{name: "offence", field: "offence", kind: str, usage: "only the banks of this offence", query: true},
			{name: "source", field: "source", kind: str, usage: "evidence, imported or reports", query: true}}, page...), printBanks},
		{"bank show", "show one hash bank", "GET", "/hashbanks/{id}", idArg("BANK"), nil, printBank},
		{"bank add", "make a hash bank for an offence (evidence or imported; --negative for known false positives)", "POST", "/hashbanks", nil, append([]opt{
			{name: "name", field: "name", kind: str, usage: "the bank's name", required: true},
			{name: "offence", field: "offence", kind: str, usage: "the offence its hashes show (a negative bank may have none)"},
			{name: "source", field: "source", kind: str, usage: "evidence (the authority's own, from approved cases) or imported (a list from elsewhere)", required: true},
			{name: "negative", field: "negative", kind: flagBool, usage: "a bank of known false positives: a query near one of its hashes matches nothing"}},
			bankOpts...), printBank},
		{"bank update", "change a bank's name, description, radius, minimum quality or the platforms it is shared with", "PATCH", "/hashbanks/{id}",
			idArg("BANK"), append([]opt{{name: "name", field: "name", kind: str, usage: "the bank's new name"}}, bankOpts...), printBank},
		{"bank entries", "list bank entries, with the platforms' feedback", "GET", "/hashbank-entries", nil, append([]opt{
			{name: "bank", field: "bank_id", kind: num, usage: "only those of this bank", query: true},
			{name: "state", field: "state", kind: str, usage: "active, disabled or tombstoned", query: true},
			{name: "type", field: "type", kind: str, usage: "pdq, md5 or sha256", query: true},
			caseFilter}, page...), printEntries},
		{"bank entry", "show one bank entry", "GET", "/hashbank-entries/{id}", idArg("ENTRY"), nil, printEntry},
		{"bank entry change", "disable, enable or tombstone an entry, or change its labels", "POST", "/hashbank-entries/{id}/change", idArg("ENTRY"), []opt{
			{name: "state", field: "state", kind: str, usage: "active, disabled or tombstoned (final)"},
			{name: "label", field: "labels", kind: list, usage: "the entry's labels, replacing them"},
			reasons[0]}, printEntry},
		{"case add-hashes", "add an approved case's hashes (from its reports) to an evidence bank of its offence", "POST", "/cases/{id}/evidence-hashes",
			idArg("CASE"), []opt{{name: "bank", field: "bank_id", kind: num, usage: "the evidence bank", required: true}}, printAddResult},
		{"bank feedback", "the platforms' feedback on entries (a platform lists its own)", "GET", "/hashbank-feedback", nil, append([]opt{
			{name: "entry", field: "entry_id", kind: num, usage: "only on this entry", query: true},
			operatorFilter,
			{name: "kind", field: "kind", kind: str, usage: "match, confirm or disagree", query: true}}, page...), printFeedback},

		{"operator list", "list the operator registry", "GET", "/operators", nil, append([]opt{
			kind("host, platform, publisher, isp or search_engine")}, page...), printOperators},
		{"operator show", "show one operator", "GET", "/operators/{id}", idArg("OPERATOR"), nil, printOperator},
		{"operator add", "register an operator (admin)", "POST", "/operators", nil, operatorOpts(true), printOperator},
		{"operator update", "change an operator (admin)", "PATCH", "/operators/{id}", idArg("OPERATOR"), operatorOpts(false), printOperator},
		{"operator webhook-secret", "make a new webhook signing secret; prints it last, only once", "POST", "/operators/{id}/webhook-secrets",
			idArg("OPERATOR"), nil, printWebhookSecret},
		{"operator records", "an operator's records over a period: deliveries, receipts, answers, times, list updates", "GET", "/operators/{id}/records",
			idArg("OPERATOR"), []opt{
				{name: "from", field: "from", kind: str, usage: "start of the period, as 2026-01-01", query: true, required: true},
				{name: "to", field: "to", kind: str, usage: "end of the period, excluded (default: now)", query: true},
				{name: "format", field: "format", kind: str, usage: "csv for a spreadsheet", query: true},
			}, printRecords},

		{"user list", "list users", "GET", "/users", nil, page, printUsers},
		{"user show", "show one user", "GET", "/users/{id}", idArg("USER"), nil, printUser},
		{"user add", "add an operator user or a trusted flagger; prints its token last", "POST", "/users", nil, userOpts(), printNewUser},
		{"user token", "issue a new token for a user; prints it last", "POST", "/users/{id}/tokens", idArg("USER"), []opt{
			{name: "revoke-others", field: "revoke_others", kind: flagBool, usage: "make the user's earlier tokens stop working"},
		}, printToken},
		{"user disable", "disable a user and revoke its tokens", "POST", "/users/{id}/disable", idArg("USER"), nil, printUser},

		{"demo clock", "show the demo's simulated time", "GET", "/demo/clock", nil, nil, printClock},
		{"demo clock advance", "advance the demo's simulated time, such as 25h or 92d", "POST", "/demo/clock",
			[]arg{{name: "DURATION", field: "advance", kind: str}}, nil, printClock},
	}
}

// bankOpts are the settings of bank add and update.
var bankOpts = []opt{
	{name: "description", field: "description", kind: str, usage: "what the bank holds and where it comes from"},
	{name: "radius", field: "radius", kind: num, usage: "the PDQ distance within which a query matches (default 31)"},
	{name: "min-quality", field: "min_quality", kind: num, usage: "the PDQ quality a query needs (default 50)"},
	{name: "platform", field: "platforms", kind: numList, usage: "a platform operator entitled to the bank's feed (the whole list)"},
}

// listArg is the LIST positional argument: blocking or dereferencing.
var listArg = []arg{{name: "LIST", field: "list", kind: str}}

// operatorOpts are the flags of operator add and update.
func operatorOpts(add bool) []opt {
	opts := []opt{
		{name: "name", field: "name", kind: str, usage: "the operator's name", required: add},
		{name: "contact", field: "contact", kind: str, usage: "the point of contact's e-mail address", required: add},
		{name: "language", field: "languages", kind: list, usage: "a language of the operator, such as fr"},
		{name: "domain", field: "domains", kind: list, usage: "a host name the operator hosts or serves"},
		{name: "webhook", field: "channels.webhook", kind: str, usage: "the endpoint signed deliveries are posted to (empty for none)"},
		{name: "email", field: "channels.email", kind: flagBool, usage: "e-mail every delivery to the point of contact (--email=false to stop)"},
		{name: "search-api", field: "channels.search_api", kind: str, usage: "for a search engine: its API that says whether a URL is referenced, with {url}"},
	}
	if add {
		opts = append([]opt{{name: "kind", field: "kind", kind: str, usage: "host, platform, publisher, isp or search_engine", required: true}}, opts...)
	}
	return opts
}

// userOpts are the flags of user add (and admin user add).
func userOpts() []opt {
	return []opt{
		{name: "name", field: "name", kind: str, usage: "the user's name", required: true},
		{name: "role", field: "role", kind: str, usage: "officer, supervisor, controller, operator, flagger or admin", required: true},
		{name: "operator", field: "operator_id", kind: num, usage: "for the operator role: the operator the user belongs to"},
	}
}
