package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// problem is an RFC 9457 problem document, with the error code and the offending field.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

// writeProblem renders err and returns the status written.
func writeProblem(w http.ResponseWriter, err error) int {
	code := takedown.ErrorCode(err)
	status := takedown.HTTPStatus(code)
	writeProblemStatus(w, status, code, takedown.ErrorMessage(err), takedown.ErrorField(err))
	return status
}

func writeProblemStatus(w http.ResponseWriter, status int, code, detail, field string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(problem{Type: "urn:takedown:problem:" + code, Title: http.StatusText(status),
		Status: status, Detail: detail, Code: code, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// decodeBody reads a JSON request body into v: application/json only, within the size limit,
// one object, no unknown fields. Every failure names what is wrong.
func decodeBody(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return takedown.Errorf(takedown.EUNSUPPORTED, "send the request body as JSON with Content-Type: application/json")
	}
	body, err := io.ReadAll(r.Body)
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return takedown.Errorf(takedown.ETOOLARGE, "the request body is larger than %d bytes", tooLarge.Limit)
	} else if err != nil {
		return takedown.Errorf(takedown.EINVALID, "the request body could not be read")
	}
	return decodeJSON(body, v)
}

// decodeJSON decodes one JSON object into v, strictly.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return takedown.Errorf(takedown.EINVALID, "the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	// Anything but white space after the object is an error (dec.More alone would miss a
	// stray "}" or "]" and whatever follows it).
	if _, err := dec.Token(); err != io.EOF {
		return takedown.Errorf(takedown.EINVALID, "the request body has data after the JSON object")
	}
	return nil
}

// jsonError turns encoding/json's errors into messages that name the field or position.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return takedown.Errorf(takedown.EINVALID, "the request body is not valid JSON (at byte %d): %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return takedown.Errorf(takedown.EINVALID, "the request body must be a JSON object, not %s", typ.Value)
		}
		return takedown.Invalid(typ.Field, "must be %s, not %s", jsonTypeName(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return takedown.Errorf(takedown.EINVALID, "the request body ends in the middle of the JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return takedown.Invalid(field, "is not a field of this request")
	}
	return takedown.Errorf(takedown.EINVALID, "the request body could not be decoded: %v", err)
}

func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, takedown.Invalid("id", "%q is not an id: ids are positive integers", r.PathValue("id"))
	}
	return id, nil
}

// pathList parses the {list} path value.
func pathList(r *http.Request) (takedown.MeasureKind, error) {
	list := takedown.MeasureKind(r.PathValue("list"))
	if !list.IsList() {
		return "", takedown.Invalid("list", "must be blocking or dereferencing, not %q", r.PathValue("list"))
	}
	return list, nil
}

// decodeQuery fills the fields of the struct v tagged `query:"name"` (embedded structs too)
// from the URL query, and refuses parameters it does not know.
func decodeQuery(r *http.Request, v any) error {
	q, err := url.ParseQuery(r.URL.RawQuery) // r.URL.Query() would drop what it cannot parse
	if err != nil {
		return takedown.Errorf(takedown.EINVALID, "the query string cannot be parsed: %v", err)
	}
	known := map[string]bool{}
	if err := queryFields(reflect.ValueOf(v).Elem(), q, known); err != nil {
		return err
	}
	for name := range q {
		if !known[name] {
			return takedown.Invalid(name, "is not a query parameter of this list")
		}
	}
	return nil
}

func queryFields(v reflect.Value, q map[string][]string, known map[string]bool) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := queryFields(v.Field(i), q, known); err != nil {
				return err
			}
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("query"), ",")
		if name == "" {
			continue
		}
		known[name] = true
		vals, ok := q[name]
		if !ok {
			continue
		}
		if len(vals) != 1 {
			return takedown.Invalid(name, "is given %d times; give it once", len(vals))
		}
		s, fv := vals[0], v.Field(i)
		if fv.Type() == reflect.TypeFor[time.Time]() {
			t, err := parseQueryTime(s)
			if err != nil {
				return takedown.Invalid(name, "%q is not a time such as 2026-01-01 or 2026-01-01T09:00:00Z", s)
			}
			fv.Set(reflect.ValueOf(t))
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(s)
		case reflect.Int, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return takedown.Invalid(name, "%q is not an integer", s)
			}
			if opts == "positive" && n <= 0 {
				return takedown.Invalid(name, "must be at least 1")
			}
			fv.SetInt(n)
		case reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return takedown.Invalid(name, "%q is not true or false", s)
			}
			fv.SetBool(b)
		default:
			panic(fmt.Sprintf("httpapi: query field %s has unsupported type %s", f.Name, f.Type))
		}
	}
	return nil
}

// parseQueryTime reads a time in a query: an RFC 3339 time, or a date, which is midnight UTC.
func parseQueryTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}
