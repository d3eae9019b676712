package httpapi_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// openAPI fetches the OpenAPI document as the public.
func (f *fixture) openAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	f.do(t, f.public, "GET", "/openapi.json", nil, &doc)
	return doc
}

// lookup follows keys through nested JSON objects; nil if one is missing.
func lookup(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// resolve returns the component a $ref points to; nil if there is none.
func resolve(doc map[string]any, ref string) map[string]any {
	name, ok := strings.CutPrefix(ref, "#/components/schemas/")
	if !ok {
		return nil
	}
	return lookup(doc, "components", "schemas", name)
}

// operations returns the document's operations by "METHOD /api/v1/path".
func operations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	for path, item := range lookup(doc, "paths") {
		for method, op := range item.(map[string]any) {
			ops[strings.ToUpper(method)+" "+path], _ = op.(map[string]any)
		}
	}
	return ops
}

// TestOpenAPIDocument proves that the public OpenAPI document is a valid 3.1 document in step
// with the route table: the same operations, each served by the mux, each complete, and
// every schema reference resolved.
func TestOpenAPIDocument(t *testing.T) {
	f := newFixture(t, unlimited)
	doc := f.openAPI(t)
	ops := operations(doc)

	t.Run("version", func(t *testing.T) {
		if got, want := doc["openapi"], "3.1.0"; got != want {
			t.Errorf("openapi = %v, want %v", got, want)
		}
	})

	t.Run("same operations as the route table", func(t *testing.T) {
		inTable := map[string]bool{}
		for _, rt := range f.api.TableRoutes() {
			key := rt.Method + " /api/v1" + rt.Path
			inTable[key] = true
			if ops[key] == nil {
				t.Errorf("route %s is not in the document", key)
			}
		}
		for key := range ops {
			if !inTable[key] {
				t.Errorf("the document has %s, which is not in the route table", key)
			}
		}
	})

	t.Run("every operation is served", func(t *testing.T) {
		for _, key := range slices.Sorted(maps.Keys(ops)) {
			method, path, _ := strings.Cut(key, " ")
			path = strings.ReplaceAll(strings.TrimPrefix(path, "/api/v1"), "{id}", "999")
			r := f.send(t, f.newRequest(t, method, path, f.officer.token, nil))
			p, err := r.problem()
			if r.status == http.StatusMethodNotAllowed || r.status == http.StatusNotFound && err == nil && strings.HasPrefix(p.Detail, "there is no /api") {
				t.Errorf("%s %s: the mux does not serve it: %d %s", method, path, r.status, p.Detail)
			}
		}
	})

	t.Run("every operation is complete", func(t *testing.T) {
		ids := map[string]string{}
		for key, op := range ops {
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s has no summary", key)
			}
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", key)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s and %s share operationId %q", key, other, id)
			}
			ids[id] = key
			if len(lookup(op, "responses")) == 0 {
				t.Errorf("%s has no responses", key)
			}
			roles, _ := op["x-roles"].([]any)
			if len(roles) == 0 {
				t.Errorf("%s has no x-roles", key)
			}
			for _, r := range roles {
				if s, _ := r.(string); s == "" {
					t.Errorf("%s has x-roles entry %v, want a role name", key, r)
				}
			}
			// Parameters are named as clients send them: the query decoder's tag options
			// (such as "positive") must not leak into the names.
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				name, _ := p.(map[string]any)["name"].(string)
				if !paramName.MatchString(name) {
					t.Errorf("%s has a parameter named %q", key, name)
				}
			}
		}
	})

	t.Run("every $ref resolves", func(t *testing.T) {
		var walk func(v any, at string)
		walk = func(v any, at string) {
			switch v := v.(type) {
			case map[string]any:
				if ref, ok := v["$ref"].(string); ok && resolve(doc, ref) == nil {
					t.Errorf("%s: $ref %q does not resolve to a component", at, ref)
				}
				for k, e := range v {
					walk(e, at+"/"+k)
				}
			case []any:
				for i, e := range v {
					walk(e, at+"/"+strconv.Itoa(i))
				}
			}
		}
		walk(doc, "#")
	})
}

// paramName is the form of every path and query parameter name.
var paramName = regexp.MustCompile(`^[a-z][a-z_]*$`)

// TestRequestBodiesMatchSchemas proves that the request bodies of the role matrix, which the
// server accepts, match the request schemas of the OpenAPI document, and that the routes
// that take a body are the ones documented with one.
func TestRequestBodiesMatchSchemas(t *testing.T) {
	f := newFixture(t, unlimited)
	doc := f.openAPI(t)
	for _, rt := range f.api.TableRoutes() {
		key := rt.Method + " " + rt.Path
		prepare, ok := scenarios[key]
		if !ok {
			continue // TestRoleMatrix reports it
		}
		t.Run(key, func(t *testing.T) {
			body := lookup(doc, "paths", "/api/v1"+rt.Path, strings.ToLower(rt.Method), "requestBody")
			schema := lookup(doc, "paths", "/api/v1"+rt.Path, strings.ToLower(rt.Method), "requestBody", "content", "application/json", "schema")
			tg := prepare(t, f, f.officer.user)
			if schema == nil && body != nil {
				return // a file, which the JSON-encoded scenario body stands for
			}
			if (tg.body != nil) != (schema != nil) {
				t.Fatalf("the scenario sends a body: %t; the document has a request schema: %t", tg.body != nil, schema != nil)
			}
			if schema == nil {
				return
			}
			var v any
			if err := json.Unmarshal(jsonBody(t, tg.body), &v); err != nil {
				t.Fatal(err)
			}
			for _, e := range schemaErrors(doc, schema, v, "$") {
				t.Error(e)
			}
		})
	}
}

// checkResponse checks a successful answer of the route against the schema the document
// gives for its status, and returns what does not match.
func checkResponse(doc map[string]any, method, path string, r response) []string {
	ct := r.header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ct)
	content := lookup(doc, "paths", "/api/v1"+path, strings.ToLower(method), "responses", strconv.Itoa(r.status), "content", media)
	switch {
	case content == nil:
		return []string{fmt.Sprintf("status %d is not documented as %s (Content-Type %q)", r.status, media, ct)}
	case strings.HasPrefix(media, "text/") && ct != media+"; charset=utf-8":
		return []string{fmt.Sprintf("Content-Type %q, want %s; charset=utf-8", ct, media)}
	case media != "application/json":
		return nil
	case ct != "application/json":
		return []string{fmt.Sprintf("Content-Type %q, want application/json", ct)}
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	schema, ok := content["schema"].(map[string]any)
	if !ok {
		return nil // documented as any JSON
	}
	return schemaErrors(doc, schema, v, "$")
}

// schemaErrors checks the decoded JSON value v against schema, in the subset of JSON Schema
// the document's generator emits (type, properties, required, items, additionalProperties,
// enum, format date-time, $ref to a component), and returns what does not match, each at its
// JSON path. It is stricter than JSON Schema in one way: an object schema that lists
// properties and no additionalProperties admits no other property, so that the document
// cannot miss a field the server sends.
func schemaErrors(doc, schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		target := resolve(doc, ref)
		if target == nil {
			return []string{fmt.Sprintf("%s: $ref %q does not resolve", at, ref)}
		}
		return schemaErrors(doc, target, v, at)
	}
	if typ, ok := schema["type"].(string); ok && !isType(v, typ) {
		return []string{fmt.Sprintf("%s: %s, want %s", at, short(v), typ)}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return []string{fmt.Sprintf("%s: %s is not one of %v", at, short(v), enum)}
	}
	if s, ok := v.(string); ok && schema["format"] == "date-time" {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return []string{fmt.Sprintf("%s: %q is not a date-time", at, s)}
		}
	}
	var errs []string
	switch v := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, name := range required {
			if _, ok := v[name.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q is missing", at, name))
			}
		}
		extra, _ := schema["additionalProperties"].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(v)) {
			sub, ok := props[name].(map[string]any)
			switch {
			case ok:
				errs = append(errs, schemaErrors(doc, sub, v[name], at+"."+name)...)
			case extra != nil:
				errs = append(errs, schemaErrors(doc, extra, v[name], at+"."+name)...)
			case props != nil:
				errs = append(errs, fmt.Sprintf("%s: property %q is not documented", at, name))
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range v {
				errs = append(errs, schemaErrors(doc, items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

// isType reports whether the decoded JSON value v has the JSON Schema type.
func isType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == math.Trunc(n)
	}
	return false
}

// short is v as JSON, cut for a message.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// TestSchemaErrors proves that the response validator finds each kind of mismatch, so that
// a clean role matrix means the answers match the document.
func TestSchemaErrors(t *testing.T) {
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{
		"Thing": map[string]any{"type": "object", "required": []any{"id"}, "properties": map[string]any{
			"id":    map[string]any{"type": "integer"},
			"state": map[string]any{"type": "string", "enum": []any{"new", "closed"}},
			"at":    map[string]any{"type": "string", "format": "date-time"},
			"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"texts": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		}},
	}}}
	thing := map[string]any{"$ref": "#/components/schemas/Thing"}
	tests := []struct {
		name   string
		schema map[string]any
		json   string
		want   string // a part of the only error; "" for none
	}{
		{"valid", thing, `{"id": 1, "state": "new", "at": "2026-01-12T09:00:00Z", "tags": ["a"], "texts": {"fr": "x"}}`, ""},
		{"missing required", thing, `{"state": "new"}`, `required property "id" is missing`},
		{"wrong type", thing, `{"id": "1"}`, `$.id: "1", want integer`},
		{"not an integer", thing, `{"id": 1.5}`, `$.id: 1.5, want integer`},
		{"null for an array", thing, `{"id": 1, "tags": null}`, `$.tags: null, want array`},
		{"wrong item", thing, `{"id": 1, "tags": [1]}`, `$.tags[0]: 1, want string`},
		{"wrong map value", thing, `{"id": 1, "texts": {"fr": 1}}`, `$.texts.fr: 1, want string`},
		{"not in enum", thing, `{"id": 1, "state": "open"}`, `"open" is not one of`},
		{"not a date-time", thing, `{"id": 1, "at": "yesterday"}`, `"yesterday" is not a date-time`},
		{"undocumented property", thing, `{"id": 1, "secret": true}`, `property "secret" is not documented`},
		{"unresolved ref", map[string]any{"$ref": "#/components/schemas/Nothing"}, `{}`, `does not resolve`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.json), &v); err != nil {
				t.Fatal(err)
			}
			errs := schemaErrors(doc, tt.schema, v, "$")
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("errors %q, want none", errs)
			case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0], tt.want)):
				t.Errorf("errors %q, want one saying %q", errs, tt.want)
			}
		})
	}
}
