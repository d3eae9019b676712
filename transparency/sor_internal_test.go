package transparency

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClip: text longer than the database takes is cut on a character, marked.
func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"ministère de l'Intérieur", 11, "ministè…"},
		{strings.Repeat("é", 300), 500, strings.Repeat("é", 248) + "…"},
	} {
		got := clip(tc.in, tc.n)
		if got != tc.want || len(got) > tc.n || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestContentTypes: the evidence's media types become the database's content types.
func TestContentTypes(t *testing.T) {
	for _, tc := range []struct {
		in    []string
		want  []string
		other string
	}{
		{nil, []string{"CONTENT_TYPE_OTHER"}, "not recorded by the authority"},
		{[]string{"image/png", "image/jpeg"}, []string{"CONTENT_TYPE_IMAGE"}, ""},
		{[]string{"video/mp4", "text/html; charset=utf-8", "application/pdf"}, []string{"CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO"}, ""},
		{[]string{"application/octet-stream", "image/gif"}, []string{"CONTENT_TYPE_IMAGE", "CONTENT_TYPE_OTHER"}, "other file type"},
	} {
		got, other := contentTypes(tc.in)
		if !slices.Equal(got, tc.want) || other != tc.other {
			t.Errorf("contentTypes(%q) = %q, %q; want %q, %q", tc.in, got, other, tc.want, tc.other)
		}
	}
}
