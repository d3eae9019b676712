package safety_test

import (
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/safety"
)

// TestDefaultStopsPastIncidents: the shipped configuration objects to each name of the
// incidents it exists for.
func TestDefaultStopsPastIncidents(t *testing.T) {
	c := safety.Default()
	for target, gate := range map[string]takedown.Gate{
		"google.fr": takedown.GateNeverBlock, "fr.wikipedia.org": takedown.GateNeverBlock, "ovh.com": takedown.GateNeverBlock,
		"www.interieur.gouv.fr": takedown.GateNeverBlock, "t.me": takedown.GateSharedHost, "bit.ly": takedown.GateSharedHost,
		"blogspot.com": takedown.GateSharedHost, "github.io": takedown.GateSharedHost, "co.uk": takedown.GateSharedHost, "fr": takedown.GateSharedHost,
	} {
		got := c.Names([]string{target}, false, nil)
		if len(got) == 0 || got[0].Gate != gate || got[0].Target != target {
			t.Errorf("%s: %v, want %s", target, got, gate)
		}
	}
	for _, fine := range []string{"bad.example", "someone.blogspot.com", "evil.github.io", "google.fr.bad.example"} {
		if got := c.Names([]string{fine}, false, nil); len(got) != 0 {
			t.Errorf("%s: %v, want no objection", fine, got)
		}
	}
}

// TestNames: a subtree above a protected name or a shared host is objected to, and a name
// under a platform of the registry is not.
func TestNames(t *testing.T) {
	c, err := safety.Parse([]byte(`{"never_block": [{"name": "service.example", "why": "major"}], "shared_hosts": [],
		"max_changes": 10, "max_share": 0.5, "share_floor": 4}`))
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[string]string{"social.example": "operator 7 (Social)"}
	for _, tc := range []struct {
		target  string
		subtree bool
		want    string
	}{
		{"service.example", false, "service.example is service.example"},
		{"a.service.example", false, "a.service.example is under service.example"},
		{"example", true, "public suffix"},
		{"social.example", false, "operator 7 (Social)"},
		{"user.social.example", false, ""},
		{"other.example", true, ""},
	} {
		got := c.Names([]string{tc.target}, tc.subtree, platforms)
		var msg string
		for _, o := range got {
			msg += o.Reason
		}
		if tc.want == "" && msg != "" || !strings.Contains(msg, tc.want) {
			t.Errorf("%s (subtree %v): %q, want %q", tc.target, tc.subtree, msg, tc.want)
		}
	}
}

// TestSize: the number and the share of changes, beyond the floor.
func TestSize(t *testing.T) {
	c, err := safety.Parse([]byte(`{"never_block": [], "shared_hosts": [], "max_changes": 100, "max_share": 0.2, "share_floor": 10}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		changes, size int
		held          bool
	}{
		{1, 0, false}, {10, 0, false}, {11, 0, true}, {11, 100, false}, {21, 100, true}, {100, 1000, false}, {101, 100000, true},
	} {
		if got := c.Size(tc.changes, tc.size) != nil; got != tc.held {
			t.Errorf("%d changes of %d: held %v, want %v", tc.changes, tc.size, got, tc.held)
		}
	}
}

// TestParseRefuses: each mistake in the configuration is named.
func TestParseRefuses(t *testing.T) {
	for conf, want := range map[string]string{
		`{"never_block": [{"name": "Google.FR", "why": "x"}], "max_changes": 1, "max_share": 1}`:           "never_block[0]",
		`{"never_block": [{"name": "a.example", "why": " "}], "max_changes": 1, "max_share": 1}`:           "needs its reason",
		`{"shared_hosts": [{"name": "https://a.example/", "why": "x"}], "max_changes": 1, "max_share": 1}`: "shared_hosts[0]",
		`{"max_changes": 0, "max_share": 1}`:                    "max_changes",
		`{"max_changes": 1, "max_share": 1.5}`:                  "max_share",
		`{"max_changes": 1, "max_share": 1, "share_floor": -1}`: "share_floor",
		`{"max_changes": 1, "max_share": 1, "colour": "red"}`:   "unknown field",
		`{"max_changes": 1, "max_share": 1} {}`:                 "more than one",
	} {
		_, err := safety.Parse([]byte(conf))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", conf, err, want)
		}
	}
}
