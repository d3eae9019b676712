package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/feed"
	"github.com/takedown-project/takedown/procedure"
)

// openAPIHandler serves the OpenAPI 3.1 document built from the route table.
func (s *Server) openAPIHandler() handler {
	var once sync.Once
	var doc []byte
	return handler{handle: func(r *http.Request) (any, error) {
		once.Do(func() { doc, _ = json.MarshalIndent(s.OpenAPI(), "", "  ") })
		return rawResponse{contentType: "application/json", body: doc}, nil
	}}
}

// OpenAPI returns the OpenAPI 3.1 document of the API: every route of the table, with the
// schemas of its inputs and outputs generated from the Go types, and who may call it.
func (s *Server) OpenAPI() map[string]any {
	g := &schemas{components: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt),
			"tags":        []string{strings.Split(strings.TrimPrefix(rt.path, "/"), "/")[0]},
			"description": "Who may call it: " + strings.Join(rt.roles, ", ") + ".",
			"x-roles":     rt.roles,
		}
		switch {
		case slices.Equal(rt.roles, public):
			op["security"] = []any{}
		case slices.Contains(rt.roles, "public"):
			op["security"] = []any{map[string]any{}, map[string]any{"bearer": []string{}}}
		}
		var params []any
		if strings.Contains(rt.path, "{id}") {
			params = append(params, map[string]any{"name": "id", "in": "path", "required": true,
				"schema": map[string]any{"type": "integer", "minimum": 1}})
		}
		if strings.Contains(rt.path, "{list}") {
			params = append(params, map[string]any{"name": "list", "in": "path", "required": true,
				"schema": map[string]any{"type": "string", "enum": []string{string(takedown.Blocking), string(takedown.Dereferencing)}}})
		}
		if rt.query != nil {
			params = append(params, g.queryParams(rt.query)...)
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.in == reflect.TypeFor[fileBody]() {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/octet-stream": map[string]any{
				"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}
		} else if rt.in == reflect.TypeFor[hashList]() {
			op["requestBody"] = map[string]any{"required": true, "content": hashListContent()}
		} else if rt.in != nil {
			op["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": g.of(rt.in)}}}
		}
		success := map[string]any{"description": http.StatusText(rt.status)}
		if rt.out == reflect.TypeFor[formDocument]() {
			doc := map[string]any{"type": "string"}
			success["content"] = map[string]any{"text/html": map[string]any{"schema": doc}, "text/plain": map[string]any{"schema": doc},
				"application/pdf": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/pdf"}},
				"application/json": map[string]any{"schema": map[string]any{"type": "object",
					"description": "the form's fields, as docs/forms.md describes them"}}}
		} else if rt.out == reflect.TypeFor[reportDocument]() {
			success["content"] = map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}},
				"application/pdf": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/pdf"}}}
		} else if rt.out == reflect.TypeFor[hashList]() {
			success["content"] = hashListContent()
		} else if text, ok := textAnswers[rt.out]; ok {
			success["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string", "description": text}}}
		} else if rt.out != nil {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": g.of(rt.out)}}
		} else {
			success["content"] = map[string]any{"application/json": map[string]any{}}
		}
		op["responses"] = map[string]any{
			strconv.Itoa(rt.status): success,
			"default": map[string]any{"description": "An error, as an RFC 9457 problem document",
				"content": map[string]any{"application/problem+json": map[string]any{"schema": g.of(reflect.TypeFor[problem]())}}},
		}
		if paths[apiPrefix+rt.path] == nil {
			paths[apiPrefix+rt.path] = map[string]any{}
		}
		paths[apiPrefix+rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "takedown API",
			"version": "1",
			"description": "The procedure against terrorist and child sexual abuse content online: reports, cases, " +
				"measures addressed to operators, deadlines, oversight. Errors are application/problem+json documents " +
				"whose `code` is one of invalid, unauthorized, forbidden, not_found, conflict, precondition_failed, " +
				"too_large, unsupported_media_type, method_not_allowed, rate_limited, unavailable, inconsistent, internal, and whose `field` names the " +
				"offending input. Lists are paged: pass `next_cursor` back as `cursor`.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token issued by an administrator (`takedown admin user add`)."}},
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
}

// textAnswers describes the answers that are text, not JSON: files their holder keeps and
// verifies with the authority's public key.
var textAnswers = map[reflect.Type]string{
	reflect.TypeFor[tlogProof](): "a C2SP tlog-proof (https://c2sp.org/tlog-proof) whose extra data is the event's salt and canonical body",
	reflect.TypeFor[signedFeed](): "a signed note (golang.org/x/mod/sumdb/note) signed by the audit log's key, whose text is the feed in the format asked for, " +
		"named by the " + FeedFormatHeader + " header (docs/blocking.md): check it with takedown feed verify",
	reflect.TypeFor[signedHashFeed](): "a signed note (golang.org/x/mod/sumdb/note) signed by the audit log's key, whose text is the hash feed as JSON (docs/hash-exchange.md)",
}

// hashListContent documents a hash list in each of its formats.
func hashListContent() map[string]any {
	doc := map[string]any{"type": "string", "description": "a hash list, as docs/hash-exchange.md describes it"}
	return map[string]any{"text/csv": map[string]any{"schema": doc}, "text/plain": map[string]any{"schema": doc},
		"application/json": map[string]any{"schema": map[string]any{"type": "object", "description": "a hash list, as docs/hash-exchange.md describes it"}}}
}

var nonWord = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// operationID names an operation from its method and path: "post_cases_id_accept".
func operationID(rt route) string {
	return strings.ToLower(rt.method) + "_" + strings.Trim(nonWord.ReplaceAllString(rt.path, "_"), "_")
}

// schemas generates JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go types.
type schemas struct {
	components map[string]any
}

// enums gives the allowed values of the domain's string types.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[takedown.Role]():                takedown.Names(takedown.Roles),
	reflect.TypeFor[takedown.EventKind]():           takedown.Names(takedown.EventKinds),
	reflect.TypeFor[takedown.Channel]():             takedown.Names(takedown.Channels),
	reflect.TypeFor[takedown.Transport]():           takedown.Names(takedown.Transports),
	reflect.TypeFor[takedown.TransmissionState]():   takedown.Names(takedown.TransmissionStates),
	reflect.TypeFor[takedown.CheckOutcome]():        takedown.Names(takedown.CheckOutcomes),
	reflect.TypeFor[takedown.CaseState]():           takedown.Names(takedown.CaseStates),
	reflect.TypeFor[takedown.MeasureKind]():         takedown.Names(takedown.MeasureKinds),
	reflect.TypeFor[takedown.MeasureState]():        takedown.Names(takedown.MeasureStates),
	reflect.TypeFor[takedown.OperatorKind]():        takedown.Names(takedown.OperatorKinds),
	reflect.TypeFor[takedown.Purpose]():             takedown.Names(takedown.Purposes),
	reflect.TypeFor[takedown.DeliveryState]():       takedown.Names(takedown.DeliveryStates),
	reflect.TypeFor[takedown.DeadlineStatus]():      takedown.Names(takedown.DeadlineStatuses),
	reflect.TypeFor[takedown.AnswerKind]():          takedown.Names(takedown.AnswerKinds),
	reflect.TypeFor[takedown.CannotComplyReason]():  takedown.Names(takedown.CannotComplyReasons),
	reflect.TypeFor[takedown.RecommendationState](): takedown.Names(takedown.RecommendationStates),
	reflect.TypeFor[takedown.CourtOutcome]():        takedown.Names(takedown.CourtOutcomes),
	reflect.TypeFor[takedown.RecheckOutcome]():      takedown.Names(takedown.RecheckOutcomes),
	reflect.TypeFor[feed.Format]():                  takedown.Names(feed.Formats),
	reflect.TypeFor[procedure.ElementType]():        {string(procedure.Confirm), string(procedure.Describe), string(procedure.Choose)},
}

// of returns the schema of t, registering named structs as components.
func (g *schemas) of(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		return map[string]any{"description": "any JSON value"}
	case reflect.TypeFor[procedure.Duration]():
		return map[string]any{"type": "string", "description": "a duration such as 24h or 1h30m"}
	case reflect.TypeFor[[]byte](), reflect.TypeFor[tlog.Hash]():
		return map[string]any{"type": "string", "contentEncoding": "base64"}
	}
	if values, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": values}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := componentName(t)
		if name == "" {
			return g.object(t)
		}
		if _, ok := g.components[name]; !ok {
			g.components[name] = map[string]any{} // placeholder against recursion
			g.components[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic("httpapi: no schema for " + t.String())
}

// object is the schema of a struct's JSON fields; embedded structs are flattened.
func (g *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			ft := f.Type
			if f.Anonymous {
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = g.of(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

// componentName names a struct type's component: the domain's names as they are, generic
// lists as "CaseList", unexported API types in upper camel case.
func componentName(t reflect.Type) string {
	name := t.Name()
	if name == "" {
		return ""
	}
	if base, arg, ok := strings.Cut(name, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndex(arg, ".")+1:]
		if base == "listResponse" {
			return arg + "List"
		}
		return upperFirst(base) + arg
	}
	if strings.HasSuffix(t.PkgPath(), "/transparency") {
		return "Transparency" + name // its Figures and Operator are not the root package's
	}
	return upperFirst(name)
}

func upperFirst(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// queryParams documents the query-tagged fields of a filter struct.
func (g *schemas) queryParams(t reflect.Type) []any {
	var params []any
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			params = append(params, g.queryParams(f.Type)...)
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("query"), ",")
		if name == "" {
			continue
		}
		schema := g.of(f.Type)
		if opts == "positive" {
			schema["minimum"] = 1
		}
		params = append(params, map[string]any{"name": name, "in": "query", "required": false, "schema": schema})
	}
	return params
}
