package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
)

// op is a client command that calls one API route: positional arguments and flags become
// the path id, the query or the JSON body, and a printer shows the answer. The table of ops
// is checked against the API's routes by a test, so every operation has its command.
type op struct {
	name, summary string
	method, path  string
	args          []arg
	opts          []opt
	print         printer
}

// arg is a positional argument.
type arg struct {
	name     string  // shown in usage, such as CASE
	field    string  // "id" fills {id} in the path; otherwise a body field
	kind     optKind // str, num or list (all remaining arguments)
	optional bool
}

// opt is a flag that becomes a body field or a query parameter.
type opt struct {
	name     string // flag name
	field    string // JSON field or query parameter
	kind     optKind
	usage    string
	required bool
	query    bool
	def      string // default value, for str flags
}

type optKind int

const (
	str      optKind = iota
	num              // an integer
	flagBool         // a boolean
	list             // repeatable string
	elements         // repeatable key=value into an object; "true"/"false" become booleans
	numList          // repeatable integer
	files            // repeatable file name: the files' contents, as {name, data}
	hashes           // repeatable hash, as TYPE:HEX (a bare 64-digit hex is PDQ, 32 MD5)
)

// idArg is the usual ID positional argument.
func idArg(name string) []arg { return []arg{{name: name, field: "id", kind: num}} }

// reasons is the flag of the actions that take only reasons.
var reasons = []opt{{name: "reasons", field: "reasons", kind: str, usage: "the reasons, written for the record", required: true}}

// page are the paging flags of list commands.
var page = []opt{
	{name: "limit", field: "limit", kind: num, usage: "how many items (default 50, at most 500)", query: true},
	{name: "cursor", field: "cursor", kind: str, usage: "next_cursor of the previous page", query: true},
}

// period are the flags of the exports: the period of the measures' issue, as periodFlags
// choose it for the transparency commands.
var period = []opt{
	{name: "year", field: "year", kind: num, usage: "the year (this year by default)", query: true},
	{name: "from", field: "from", kind: str, usage: "instead of a year: the first day, as 2026-01-01", query: true},
	{name: "to", field: "to", kind: str, usage: "with --from: the last day, included", query: true},
}

// runOp parses the command line, calls the route and prints the answer.
func runOp(o op) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, o.name, usageLine(o))
		var cf clientFlags
		cf.register(fs, e)
		strs := map[string]*string{}
		nums := map[string]*int64{}
		bools := map[string]*bool{}
		lists := map[string]*listFlag{}
		for _, f := range o.opts {
			switch f.kind {
			case str:
				strs[f.name] = fs.String(f.name, f.def, f.usage)
			case num:
				nums[f.name] = fs.Int64(f.name, 0, f.usage)
			case flagBool:
				bools[f.name] = fs.Bool(f.name, false, f.usage)
			case list, elements, numList, files, hashes:
				lists[f.name] = &listFlag{}
				fs.Var(lists[f.name], f.name, f.usage+" (repeat for several)")
			}
		}
		pos, err := parseArgs(fs, args, o.args)
		if err != nil {
			return err
		}
		path := o.path
		body := map[string]any{}
		query := url.Values{}
		for i, a := range o.args {
			if i >= len(pos) {
				break
			}
			v := pos[i]
			switch {
			case a.field == "id":
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return takedown.Invalid(a.name, "%q is not an id: ids are positive integers", v)
				}
				path = strings.Replace(path, "{id}", v, 1)
			case a.field == "list":
				path = strings.Replace(path, "{list}", url.PathEscape(v), 1)
			case a.kind == list:
				body[a.field] = pos[i:]
			case a.kind == num:
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return takedown.Invalid(a.name, "%q is not a number", v)
				}
				body[a.field] = n
			default:
				body[a.field] = v
			}
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for _, f := range o.opts {
			if f.required && !set[f.name] {
				return takedown.Invalid(f.name, "is required (--%s)", f.name)
			}
			if !set[f.name] && f.def == "" {
				continue
			}
			var v any
			switch f.kind {
			case str:
				v = *strs[f.name]
			case num:
				v = *nums[f.name]
			case flagBool:
				v = *bools[f.name]
			case list:
				v = []string(*lists[f.name])
			case elements:
				m, err := keyValues(f.name, *lists[f.name])
				if err != nil {
					return err
				}
				v = m
			case numList, files, hashes:
				if v, err = listValue(f, *lists[f.name]); err != nil {
					return err
				}
			}
			switch parent, child, nested := strings.Cut(f.field, "."); {
			case f.query:
				query.Set(f.field, fmt.Sprint(v))
			case nested: // a field of an object, such as channels.webhook
				m, _ := body[parent].(map[string]any)
				if m == nil {
					m = map[string]any{}
					body[parent] = m
				}
				m[child] = v
			default:
				body[f.field] = v
			}
		}
		var in any
		if o.method != "GET" {
			in = body
		}
		c, err := cf.client()
		if err != nil {
			return err
		}
		var out json.RawMessage
		if err := c.Do(ctx, o.method, path, query, in, &out); err != nil {
			return err
		}
		if cf.json {
			return printRaw(e.stdout, out)
		}
		return o.print(&output{env: e, client: c, quiet: cf.quiet, ctx: ctx}, out)
	}
}

// parseArgs parses the flags and checks the positional arguments against the spec.
func parseArgs(fs *flag.FlagSet, args []string, spec []arg) ([]string, error) {
	pos, err := parse(fs, args, -1)
	if err != nil {
		return nil, err
	}
	need, variadic := 0, false
	for _, a := range spec {
		if !a.optional {
			need++
		}
		variadic = variadic || a.kind == list
	}
	if len(pos) < need || (!variadic && len(pos) > len(spec)) {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

func usageLine(o op) string {
	var parts []string
	for _, a := range o.args {
		s := a.name
		if a.kind == list {
			s += "..."
		}
		if a.optional {
			s = "[" + s + "]"
		}
		parts = append(parts, s)
	}
	for _, f := range o.opts {
		if f.required {
			parts = append(parts, "--"+f.name+" …")
		}
	}
	return strings.Join(append(parts, "[flags]"), " ")
}

// listValue turns the values of a repeated numList, files or hashes flag into its body field.
func listValue(f opt, values []string) (any, error) {
	switch f.kind {
	case numList:
		out := make([]int64, len(values))
		for i, v := range values {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, takedown.Invalid(f.name, "%q is not a number", v)
			}
			out[i] = n
		}
		return out, nil
	case files:
		out := make([]takedown.ReportFile, len(values))
		for i, name := range values {
			data, err := readFile(name, takedown.MaxReportFileSize)
			if err != nil {
				return nil, takedown.Invalid(f.name, "%v", err)
			}
			out[i] = takedown.ReportFile{Name: filepath.Base(name), Data: data}
		}
		return out, nil
	}
	out := make([]takedown.HashValue, len(values))
	for i, v := range values {
		h, err := parseHashArg(v)
		if err != nil {
			return nil, takedown.Invalid(f.name, "%v", err)
		}
		out[i] = h
	}
	return out, nil
}

// keyValues turns repeated key=value flags into an object; true and false become booleans.
func keyValues(flagName string, kvs []string) (map[string]any, error) {
	m := map[string]any{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, takedown.Invalid(flagName, "%q is not key=value", kv)
		}
		switch v {
		case "true":
			m[k] = true
		case "false":
			m[k] = false
		default:
			m[k] = v
		}
	}
	return m, nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// clientFlags are the flags every client command has.
type clientFlags struct {
	server, token string
	json, quiet   bool
}

func (cf *clientFlags) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&cf.server, "server", e.envOr("TAKEDOWN_SERVER", "http://127.0.0.1:8080"), "server URL [TAKEDOWN_SERVER]")
	fs.StringVar(&cf.token, "token", e.getenv("TAKEDOWN_TOKEN"), "API token [TAKEDOWN_TOKEN]")
	fs.BoolVar(&cf.json, "json", false, "print the server's JSON answer")
	fs.BoolVar(&cf.quiet, "q", false, "print only the id (or receipt, or token), for scripts")
}

func (cf *clientFlags) client() (*client.Client, error) {
	u, err := url.Parse(cf.server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, takedown.Invalid("server", "%q is not a server URL such as http://127.0.0.1:8080", cf.server)
	}
	return client.New(cf.server, cf.token), nil
}
