package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog/verifier"
	"github.com/takedown-project/takedown/feed"
)

// feedCommands fetch a list's signed feed, for an operator that does not pull the blocking
// zone, and check one offline with the authority's public key.
func feedCommands() []command {
	return []command{
		{"feed get", "fetch a list's signed feed, whole or since a version (an operator's fetch is its receipt)", runFeedGet},
		{"feed verify", "check a signed feed offline with the authority's public key, and that it follows the previous one", runFeedVerify},
	}
}

func runFeedGet(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "feed get", "--list blocking|dereferencing [--since N] [--format json|csv] [--out FILE] [--key VKEY]")
	var cf clientFlags
	cf.register(fs, e)
	list := fs.String("list", "", "blocking or dereferencing")
	since := fs.Int64("since", 0, "the version you have: only the changes after it (default: the whole list)")
	format := fs.String("format", string(feed.JSON), "json or csv")
	out := fs.String("out", "", "the file to write the signed feed to (default: standard output)")
	var keys listFlag
	fs.Var(&keys, "key", "the authority's public key, or a file holding it: write nothing that does not verify with it (repeat during a key rotation)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *list == "" {
		return takedown.Invalid("list", "is required (--list blocking or --list dereferencing)")
	}
	var verifiers []note.Verifier
	if len(keys) > 0 {
		var err error
		if verifiers, err = feedKeys(keys); err != nil {
			return err
		}
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	query := url.Values{"format": {*format}}
	if *since != 0 {
		query.Set("since", strconv.FormatInt(*since, 10))
	}
	var msg json.RawMessage
	if err := c.Do(ctx, "GET", "/lists/"+url.PathEscape(*list)+"/feed", query, nil, &msg); err != nil {
		return err
	}
	if verifiers != nil {
		if _, err := openFeed(msg, verifiers, "the server's answer"); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err := e.stdout.Write(msg)
		return err
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { _, err := w.Write(msg); return err }); err != nil {
		return err
	}
	if cf.quiet {
		return nil
	}
	checked := "verified with the key given"
	if verifiers == nil {
		checked = "not verified: check it with takedown feed verify --key VKEY " + *out
	}
	fmt.Fprintf(e.stdout, "Wrote %s: the signed %s feed (%s).\n", *out, *list, checked)
	return nil
}

func runFeedVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "feed verify", "--key VKEY [--after PREVIOUS] [--text OUT] FILE")
	var keys listFlag
	fs.Var(&keys, "key", "the authority's public key (the audit log's), or a file holding it, from a source you trust; repeat during a key rotation [TAKEDOWN_LOG_KEY]")
	after := fs.String("after", "", "the feed you verified before: check that this one follows it (same list, no older version; an incremental feed starting at its version)")
	text := fs.String("text", "", "write the verified feed, without its signature, to this file, for tools that read plain JSON or CSV")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		keys = strings.Fields(e.getenv("TAKEDOWN_LOG_KEY"))
	}
	if len(keys) == 0 {
		return takedown.Invalid("key", "is required: the authority's public key (--key VKEY or a file holding it, or TAKEDOWN_LOG_KEY), obtained from a source you trust")
	}
	verifiers, err := feedKeys(keys)
	if err != nil {
		return err
	}
	f, err := readFeed(pos[0], verifiers)
	if err != nil {
		return err
	}
	follows := ""
	if *after != "" {
		prev, err := readFeed(*after, verifiers)
		if err != nil {
			return err
		}
		if err := followsFeed(prev, f, *after); err != nil {
			return err
		}
		follows = fmt.Sprintf("%s, version %d of %s", *after, prev.Version, day(prev.AsOf))
	}
	if *text != "" {
		if err := atomicfile.Write(*text, func(w io.Writer) error { _, err := w.Write(f.Text); return err }); err != nil {
			return err
		}
	}
	content := fmt.Sprintf("the whole list: %s entries", thousands(int64(len(f.Entries))))
	switch {
	case f.Since > 0 && f.Since == f.Version:
		content = fmt.Sprintf("no change: version %d is the latest", f.Version)
	case f.Since > 0:
		content = fmt.Sprintf("the changes of versions %d to %d: %s", f.Since+1, f.Version, thousands(int64(len(f.Changes))))
	}
	published := "no version yet"
	if !f.Published.IsZero() {
		published = day(f.Published)
	}
	fields(e.stdout,
		"list", string(f.List),
		"version", strconv.FormatInt(f.Version, 10),
		"since", strconv.FormatInt(f.Since, 10),
		"content", content,
		"published", published,
		"as of", day(f.AsOf)+" (the latest version then)",
		"format", string(f.Format),
		"signed by", strings.Join(f.Signers, ", "),
		"follows", follows,
		"text", *text,
	)
	fmt.Fprintln(e.stdout, "OK")
	return nil
}

// feedKeys parses the authority's keys, each given as the key or as a file holding it.
func feedKeys(keys []string) ([]note.Verifier, error) {
	var vkeys []string
	for _, k := range keys {
		if b, err := os.ReadFile(k); err == nil {
			k = strings.TrimSpace(string(b))
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, takedown.Invalid("key", "%v", err)
		}
		vkeys = append(vkeys, k)
	}
	v, err := verifier.ParseLogKeys(vkeys)
	if err != nil {
		return nil, takedown.Invalid("key", "%s", strings.TrimPrefix(err.Error(), "verifier: "))
	}
	return v, nil
}

// readFeed reads and verifies a signed feed file.
func readFeed(path string, keys []note.Verifier) (*feed.Opened, error) {
	msg, err := readBounded(path, feed.MaxSize)
	if err != nil {
		return nil, takedown.Invalid("FILE", "%v", err)
	}
	return openFeed(msg, keys, path)
}

// openFeed verifies a signed feed: a file that is not one is invalid input (exit code 2), a
// signature that does not verify is an inconsistency (exit code 10).
func openFeed(msg []byte, keys []note.Verifier, from string) (*feed.Opened, error) {
	f, err := feed.Open(msg, keys)
	switch {
	case errors.Is(err, feed.ErrSignature):
		return nil, takedown.Errorf(takedown.EINCONSISTENT, "%s does not verify: %s", from, strings.TrimPrefix(err.Error(), feed.ErrSignature.Error()+": "))
	case errors.Is(err, feed.ErrMalformed):
		return nil, takedown.Errorf(takedown.EINVALID, "%s is not a signed feed: %s", from, strings.TrimPrefix(err.Error(), feed.ErrMalformed.Error()+": "))
	}
	return f, err
}

// followsFeed checks that a feed follows the previous one: the same list, read no earlier,
// at no older version, and, if incremental, starting at the previous one's version.
func followsFeed(prev, f *feed.Opened, path string) error {
	fail := func(format string, args ...any) error {
		return takedown.Errorf(takedown.EINCONSISTENT, "the feed does not follow %s: "+format, append([]any{path}, args...)...)
	}
	switch {
	case prev.List != f.List:
		return fail("that is the %s list, this the %s list", prev.List, f.List)
	case f.Version < prev.Version:
		return fail("this one is of version %d, older than its version %d", f.Version, prev.Version)
	case f.AsOf.Before(prev.AsOf):
		return fail("this one was read at %s, before it (%s)", f.AsOf.UTC().Format(time.RFC3339Nano), prev.AsOf.UTC().Format(time.RFC3339Nano))
	case f.Since > 0 && f.Since != prev.Version:
		return fail("this one holds the changes after version %d, but it is of version %d", f.Since, prev.Version)
	}
	return nil
}
