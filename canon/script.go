package canon

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// scripts are the writing systems a label's letters are told apart by; letters of other
// scripts count as one of their own.
var scripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Greek", unicode.Greek}, {"Cyrillic", unicode.Cyrillic}, {"Armenian", unicode.Armenian},
	{"Hebrew", unicode.Hebrew}, {"Arabic", unicode.Arabic}, {"Devanagari", unicode.Devanagari}, {"Thai", unicode.Thai},
	{"Georgian", unicode.Georgian}, {"Han", unicode.Han}, {"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana},
	{"Bopomofo", unicode.Bopomofo}, {"Hangul", unicode.Hangul},
}

// mixes are the mixtures of scripts that a label may hold, as in the "highly restrictive"
// level of Unicode's UTS #39: Japanese, Chinese and Korean writing with Latin letters.
var mixes = [][]string{{"Latin", "Han", "Hiragana", "Katakana"}, {"Latin", "Han", "Bopomofo"}, {"Latin", "Han", "Hangul"}}

// MixedScripts returns an error naming the label of a canonical host name whose letters mix
// scripts that no language writes together, such as Latin and Cyrillic in "gооgle" (with two
// Cyrillic o): the mark of a name made to look like another. Digits and hyphens belong to
// every script. A name all in one script, even one that looks like a Latin name, passes: it
// is a real name of that script, and its xn-- form shows it is not the Latin one.
func MixedScripts(host string) error {
	for _, label := range strings.Split(host, ".") {
		if !strings.HasPrefix(label, "xn--") {
			continue
		}
		u, err := profile.ToUnicode(label)
		if err != nil {
			continue // Host made the label; it decodes
		}
		var seen []string
		for _, r := range u {
			if !unicode.IsLetter(r) {
				continue
			}
			name := "another script"
			for _, s := range scripts {
				if unicode.Is(s.table, r) {
					name = s.name
					break
				}
			}
			if !slices.Contains(seen, name) {
				seen = append(seen, name)
			}
		}
		if len(seen) > 1 && !slices.ContainsFunc(mixes, func(mix []string) bool {
			return !slices.ContainsFunc(seen, func(s string) bool { return !slices.Contains(mix, s) })
		}) {
			return fmt.Errorf("the label %s (%s) mixes %s letters, as names made to look like other names do", quote(u), label, strings.Join(seen, " and "))
		}
	}
	return nil
}
