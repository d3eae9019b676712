package transparency

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// publicFamilies are the families of figures published: everything but the per-operator
// figures (an operator's handling is its own business to publish) and the counts of
// incomplete events, which say nothing of the procedure.
var publicFamilies = []string{"reports.", "cases.", "measures.", "deadlines.", "time.", "lists.", "recommendations.", "complaints."}

// Public returns a year's figures as anyone may read them: the public families' counts,
// each from 1 to takedown.MinPublicCount-1 withheld as -1, with a second count withheld in
// each family where one alone was, so that the family's other counts and its total do not
// give it away; and the medians of the times measured MinPublicCount times or more.
func Public(f *Figures, year int) *takedown.Figures {
	min := takedown.MinPublicCount
	counts := map[string]int{}
	families := map[string][]string{}
	for name, n := range f.Counts {
		if !slices.ContainsFunc(publicFamilies, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		counts[name] = n
		family := name[:strings.LastIndex(name, ".")+1]
		families[family] = append(families[family], name)
	}
	for _, names := range families {
		withheld := 0
		for _, name := range names {
			if n := counts[name]; n > 0 && n < min {
				counts[name] = -1
				withheld++
			}
		}
		if withheld != 1 {
			continue
		}
		// The smallest count still published, ties broken by name, is withheld too.
		slices.Sort(names)
		next := ""
		for _, name := range names {
			if n := counts[name]; n > 0 && (next == "" || n < counts[next]) {
				next = name
			}
		}
		if next != "" {
			counts[next] = -1
		}
	}
	medians := map[string]time.Duration{}
	for _, name := range slices.Sorted(maps.Keys(f.Times)) {
		if t := f.Times[name]; t.N >= min {
			medians[name] = t.Median
		}
	}
	return &takedown.Figures{Year: year, Partial: f.Partial, Counts: counts, Medians: medians}
}
