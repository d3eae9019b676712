package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Outcome is what a compliance check concludes about content.
type Outcome string

// The outcomes.
const (
	// OutcomeGone: the content is no longer served (404, 410, 451, or the host no longer
	// resolves), or no longer referenced by the search engine.
	OutcomeGone Outcome = "gone"
	// OutcomePresent: the content is still served (a 2xx answer), or still referenced.
	OutcomePresent Outcome = "present"
	// OutcomeInconclusive: the check proves neither; it should be made again or looked at by
	// a person. A failure of the network or of the server is never taken for a removal.
	OutcomeInconclusive Outcome = "inconclusive"
)

// Result is what a compliance check saw at one URL: enough for the record to show what was
// asked, what answered, and the digest of what was served.
type Result struct {
	URL         string `json:"url"`
	FinalURL    string `json:"final_url,omitempty"` // after redirects (for SearchCheck, the query's)
	Status      int    `json:"status"`              // 0 when no response
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size"` // bytes read, at most Config.MaxBytes
	Truncated   bool   `json:"truncated"`
	// Digest is "sha256:<hex>" of the bytes read; "" when there were none.
	Digest  string  `json:"digest,omitempty"`
	Outcome Outcome `json:"outcome"`
	// Reason says why, for people: "HTTP 404 (not found)", "host no longer resolves",
	// "timeout", "refused to connect to 10.0.0.5:80: a private address"…
	Reason string `json:"reason"`
	// Code is Reason(err) of the failure, for metrics; "" when a response was judged.
	Code      string    `json:"code,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// Check fetches rawURL with client (a NewClient; nil means NewClient(Default())) and judges
// whether the content is still served, following redirects and judging the final response:
// 404, 410 and 451 are gone, and so is a host name that no longer resolves; 2xx is present;
// anything else, and every failure (401, 403, 5xx, timeouts, TLS errors, refused
// connections and addresses, too many redirects), is inconclusive. It never fails: a
// failure is an inconclusive Result whose Reason says what happened. now is the time
// recorded as CheckedAt.
func Check(ctx context.Context, client *http.Client, rawURL string, now time.Time) Result {
	r := Result{URL: rawURL, CheckedAt: now}
	u, err := parseURL(rawURL)
	if err != nil {
		return r.failed(err)
	}
	u.User = nil // no credentials leave with a check
	s, err := get(ctx, client, u.String(), "", nil)
	r.observe(s)
	if err != nil {
		r = r.failed(err)
		switch {
		case nameGone(err, u.Hostname()):
			r.Outcome = OutcomeGone
		case r.Code == ReasonDNSNotFound:
			r.Reason = "a redirect's host does not resolve"
		}
		return r
	}
	switch st := s.status; {
	case st == http.StatusNotFound || st == http.StatusGone || st == http.StatusUnavailableForLegalReasons:
		r.Outcome, r.Reason = OutcomeGone, statusText(st)
	case st >= 200 && st < 300:
		r.Outcome, r.Reason = OutcomePresent, statusText(st)+": content still served"
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		r.Outcome, r.Reason = OutcomeInconclusive, statusText(st)+": access may be gated, not proof of removal"
	default:
		r.Outcome, r.Reason = OutcomeInconclusive, statusText(st)
	}
	return r
}

// SearchCheck asks a search engine's dereferencing API whether it still references target.
// template is the API's URL with "{url}" where the query-escaped target goes (as in
// https://api.search.example/v1/indexed?url={url}); the answer must be a 2xx with the JSON
// object {"indexed": true} (present) or {"indexed": false} (gone). Anything else is
// inconclusive. Like Check, it never fails; the Result's URL is target and its FinalURL the
// query's.
func SearchCheck(ctx context.Context, client *http.Client, template, target string, now time.Time) Result {
	r := Result{URL: target, CheckedAt: now}
	if !strings.Contains(template, "{url}") {
		return r.failed(fmt.Errorf("%w: search template %q has no {url}", ErrBadURL, template))
	}
	if _, err := parseURL(target); err != nil {
		return r.failed(err)
	}
	query := strings.ReplaceAll(template, "{url}", url.QueryEscape(target))
	if _, err := parseURL(query); err != nil {
		return r.failed(err)
	}
	var body bytes.Buffer
	s, err := get(ctx, client, query, "application/json", &body)
	r.observe(s)
	if err != nil {
		return r.failed(err)
	}
	if s.status < 200 || s.status > 299 {
		r.Outcome, r.Reason = OutcomeInconclusive, "search API answered "+statusText(s.status)
		return r
	}
	var answer struct {
		Indexed *bool `json:"indexed"`
	}
	if err := json.Unmarshal(body.Bytes(), &answer); err != nil || answer.Indexed == nil || s.truncated {
		r.Outcome, r.Reason = OutcomeInconclusive, `search API answer is not {"indexed": true|false}`
		return r
	}
	if *answer.Indexed {
		r.Outcome, r.Reason = OutcomePresent, "search engine still references the URL"
	} else {
		r.Outcome, r.Reason = OutcomeGone, "search engine no longer references the URL"
	}
	return r
}

// seen is what one GET saw.
type seen struct {
	finalURL, contentType string
	status                int
	size                  int64
	truncated             bool
	digest                string
}

// get fetches rawURL, digests its body (copying it to keep if not nil) up to the client's
// MaxBytes, and returns what it saw even with an error.
func get(ctx context.Context, client *http.Client, rawURL, accept string, keep io.Writer) (seen, error) {
	if client == nil {
		client = NewClient(Default())
	}
	var s seen
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return s, fmt.Errorf("fetch: %w: %v", ErrBadURL, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if resp != nil {
		// With an error, resp is the last redirect, its body closed.
		s.status = resp.StatusCode
		s.finalURL = resp.Request.URL.String()
		s.contentType = resp.Header.Get("Content-Type")
	}
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	limit := Default().MaxBytes
	if t, ok := client.Transport.(*transport); ok {
		limit = t.config.MaxBytes
	}
	var h hash.Hash = sha256.New()
	w := io.Writer(h)
	if keep != nil {
		w = io.MultiWriter(h, keep)
	}
	s.size, err = io.Copy(w, &cappedBody{body: resp.Body, left: limit})
	if s.size > 0 {
		s.digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
	if errors.Is(err, ErrBodyTooLarge) {
		s.truncated, err = true, nil
	}
	if err != nil {
		return s, fmt.Errorf("fetch: read body: %w", err)
	}
	return s, nil
}

// observe copies what a GET saw into r.
func (r *Result) observe(s seen) {
	r.FinalURL, r.Status, r.ContentType = s.finalURL, s.status, s.contentType
	r.Size, r.Truncated, r.Digest = s.size, s.truncated, s.digest
}

// failed makes r the inconclusive Result of a check that err stopped.
func (r Result) failed(err error) Result {
	r.Code, r.Reason = classify(err)
	r.Outcome = OutcomeInconclusive
	return r
}

// nameGone reports whether err says that host itself no longer resolves: the one failure that
// proves something, that the site is gone. A redirect to a name that does not resolve proves
// nothing about the URL that was reported.
func nameGone(err error, host string) bool {
	de, ok := errors.AsType[*net.DNSError](err)
	return ok && de.IsNotFound && strings.EqualFold(strings.TrimSuffix(de.Name, "."), strings.TrimSuffix(host, "."))
}

// parseURL parses an absolute http or https URL with a host.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, errors.Unwrap(err))
	}
	if err := checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// statusText is "HTTP 451 (unavailable for legal reasons)".
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("HTTP %d (%s)", status, strings.ToLower(t))
	}
	return fmt.Sprintf("HTTP %d", status)
}
