package canon_test

import (
	"strings"
	"testing"

	"github.com/takedown-project/takedown/canon"
)

// TestMixedScripts: a label mixing Latin and Cyrillic (or Greek) letters is named; a name in
// one script, or Japanese, Chinese and Korean mixtures with Latin, is not.
func TestMixedScripts(t *testing.T) {
	for in, want := range map[string]string{
		"gооgle.example":         "mixes Latin and Cyrillic letters", // two Cyrillic o
		"pаypal-login.example":   "mixes Latin and Cyrillic letters",
		"www.αpple.example":      "mixes Greek and Latin letters",
		"аррӏе.test":             "", // all Cyrillic: a real Cyrillic name, shown as xn--
		"bücher.example":         "",
		"東京tokyo.example":        "",
		"ひらがなカタカナ漢字.example":     "",
		"한국어abc.example":         "",
		"r3---sn-x.test":         "",
		"xn--80ak6aa92e.example": "",
	} {
		host, err := canon.Host(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		err = canon.MixedScripts(host)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s (%s): %v, want none", in, host, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(xn--")):
			t.Errorf("%s (%s): %v, want %q naming the label", in, host, err, want)
		}
	}
}
