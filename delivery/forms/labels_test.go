package forms

import (
	"strings"
	"testing"
)

// TestTexts proves that every text of the forms exists in French and in English, and
// that the two take the same formatting arguments.
func TestTexts(t *testing.T) {
	for key, pair := range texts {
		if key == "intro."+formUnknown {
			continue
		}
		if pair[french] == "" || pair[english] == "" {
			t.Errorf("%s lacks a French or English text", key)
		}
		if got, want := strings.Count(pair[french], "%"), strings.Count(pair[english], "%"); got != want {
			t.Errorf("%s: French has %d verbs, English %d", key, got, want)
		}
	}
}

// TestLanguage proves the choice of language: French for fr and its regional tags,
// English for everything else.
func TestLanguage(t *testing.T) {
	for tag, want := range map[string]lang{"fr": french, "fr-BE": french, "FR_ca": french, " fr ": french,
		"en": english, "de": english, "": english, "fri": english, "-": english} {
		if got := language(tag); got != want {
			t.Errorf("language(%q) = %v, want %v", tag, got, want)
		}
	}
}
