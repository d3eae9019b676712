package takedown

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// HashType is the kind of a hash in a bank: PDQ for images, matched within a Hamming
// distance, or an exact digest of the file's bytes.
type HashType string

// The hash types. MD5 is there because it is what existing banks hold; SHA-256 is what the
// authority computes for its own evidence.
const (
	HashPDQ    HashType = "pdq"
	HashMD5    HashType = "md5"
	HashSHA256 HashType = "sha256"
)

// HashTypes lists every hash type.
var HashTypes = []HashType{HashPDQ, HashMD5, HashSHA256}

// HexLength is the length of a hash of this type in hex digits, 0 for an unknown type.
func (t HashType) HexLength() int {
	switch t {
	case HashPDQ, HashSHA256:
		return 64
	case HashMD5:
		return 32
	}
	return 0
}

// ParseHashValue checks the hex text of a hash of type t and returns it in lowercase, the
// form stored and compared.
func ParseHashValue(t HashType, value string) (string, error) {
	n := t.HexLength()
	if n == 0 {
		return "", fmt.Errorf("%q is not a hash type; use one of %s", t, strings.Join(Names(HashTypes), ", "))
	}
	if len(value) != n {
		return "", fmt.Errorf("a %s hash is %d hex digits, not %d", t, n, len(value))
	}
	for i := range len(value) {
		if c := value[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", fmt.Errorf("character %d, %q, is not a hex digit", i+1, value[i:i+1])
		}
	}
	return strings.ToLower(value), nil
}

// HashValue is one hash: a type and its hex text, with the PDQ quality when known.
type HashValue struct {
	Type  HashType `json:"type"`
	Value string   `json:"value"`
	// Quality is a PDQ hash's quality (0–100); nil when unknown or not a PDQ hash.
	Quality *int `json:"quality,omitempty"`
}

// Validate checks the type, the hex text (lowercased) and the quality.
func (h *HashValue) Validate(field string) error {
	v, err := ParseHashValue(h.Type, h.Value)
	if err != nil {
		return Invalid(field, "%v", err)
	}
	h.Value = v
	if h.Quality != nil && (h.Type != HashPDQ || *h.Quality < 0 || *h.Quality > 100) {
		if h.Type != HashPDQ {
			return Invalid(field+".quality", "only a pdq hash has a quality")
		}
		return Invalid(field+".quality", "must be from 0 to 100, not %d", *h.Quality)
	}
	return nil
}

// BankSource says where a bank's hashes come from.
type BankSource string

// The bank sources.
const (
	// SourceEvidence: the authority's own evidence, from approved cases.
	SourceEvidence BankSource = "evidence"
	// SourceImported: a list loaded from another body or system.
	SourceImported BankSource = "imported"
	// SourceReports: what reports carried, before any decision; used to group reports, never
	// shared. There is one such bank, made by the system.
	SourceReports BankSource = "reports"
)

// BankSources lists the sources a bank may be created with.
var BankSources = []BankSource{SourceEvidence, SourceImported}

// Defaults of a bank's matching.
const (
	// DefaultMatchRadius is the PDQ distance within which a hash matches, as HMA and
	// ThreatExchange match.
	DefaultMatchRadius = 31
	// DefaultMinQuality is the PDQ quality below which a query is not matched (Meta's advice:
	// hashes of quality 49 or less match too easily).
	DefaultMinQuality = 50
)

// Limits on banks and entries.
const (
	MaxLabels       = 20
	MaxLabelLength  = 64
	MaxEntryCases   = 100
	MaxImportSize   = 64 << 20 // bytes of one import file
	MaxImportLines  = 1_000_000
	MaxQueryHashes  = 64 // hashes in one lookup
	MaxFeedbackSize = 1000
)

// Bank is a set of hashes kept for one offence and one source.
type Bank struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Offence     string     `json:"offence,omitempty"`
	Source      BankSource `json:"source"`
	Description string     `json:"description"`
	// Negative: a bank of known false positives. A query within its radius of one of its
	// entries matches nothing, in any bank.
	Negative bool `json:"negative"`
	// Radius is the PDQ distance within which a query matches this bank's entries.
	Radius int `json:"radius"`
	// MinQuality is the PDQ quality a query needs to be matched against this bank.
	MinQuality int `json:"min_quality"`
	// Platforms are the operators (of the platform kind) entitled to this bank's feed.
	Platforms []int64 `json:"platforms"`
	// Entries counts the bank's active entries, when the bank is read.
	Entries   int       `json:"entries"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BankInput is what an officer gives to make a bank.
type BankInput struct {
	Name        string     `json:"name"`
	Offence     string     `json:"offence"`
	Source      BankSource `json:"source"`
	Description string     `json:"description"`
	Negative    bool       `json:"negative"`
	Radius      *int       `json:"radius,omitempty"`
	MinQuality  *int       `json:"min_quality,omitempty"`
	Platforms   []int64    `json:"platforms,omitempty"`
}

// BankChange changes a bank: the fields given replace the bank's (Platforms the whole list);
// its source, offence and negative flag never change.
type BankChange struct {
	Name        string  `json:"name,omitempty"`
	Description string  `json:"description,omitempty"`
	Radius      *int    `json:"radius,omitempty"`
	MinQuality  *int    `json:"min_quality,omitempty"`
	Platforms   []int64 `json:"platforms,omitempty"`
}

// ValidateBankSettings checks a radius and a minimum quality.
func ValidateBankSettings(radius, minQuality *int) error {
	if radius != nil && (*radius < 0 || *radius > 128) {
		return Invalid("radius", "must be a PDQ distance from 0 to 128, not %d (31 is the usual one)", *radius)
	}
	if minQuality != nil && (*minQuality < 0 || *minQuality > 100) {
		return Invalid("min_quality", "must be from 0 to 100, not %d", *minQuality)
	}
	return nil
}

// EntryState is where a bank entry stands.
type EntryState string

// The entry states.
const (
	// EntryActive entries match and are in the feeds.
	EntryActive EntryState = "active"
	// EntryDisabled entries do not match for now and leave the feeds; they may be enabled.
	EntryDisabled EntryState = "disabled"
	// EntryTombstoned entries are withdrawn for good: kept so that feeds tell platforms to
	// remove them, never matched again.
	EntryTombstoned EntryState = "tombstoned"
)

// EntryStates lists every entry state.
var EntryStates = []EntryState{EntryActive, EntryDisabled, EntryTombstoned}

// HashEntry is one hash in a bank.
type HashEntry struct {
	ID     int64 `json:"id"`
	BankID int64 `json:"bank_id"`
	HashValue
	Labels  []string   `json:"labels"`
	CaseIDs []int64    `json:"case_ids"`
	State   EntryState `json:"state"`
	// Reasons say why the entry was last disabled, tombstoned or enabled.
	Reasons string    `json:"reasons,omitempty"`
	AddedAt time.Time `json:"added_at"`
	// Seq orders changes for the platform feed: every change to an entry gives it the next
	// number, so a feed since a cursor holds exactly the entries changed after it.
	Seq       int64     `json:"seq"`
	UpdatedAt time.Time `json:"updated_at"`
	// Feedback counts what platforms reported on this entry, when the entry is read.
	Feedback FeedbackCounts `json:"feedback"`
}

// EntryInput is one hash to add to a bank.
type EntryInput struct {
	HashValue
	Labels  []string `json:"labels,omitempty"`
	CaseIDs []int64  `json:"case_ids,omitempty"`
}

// Validate checks the hash and normalises the labels (trimmed, lowercase, sorted, unique).
func (in *EntryInput) Validate(field string) error {
	if err := in.HashValue.Validate(field); err != nil {
		return err
	}
	labels, err := CleanLabels(field+".labels", in.Labels)
	if err != nil {
		return err
	}
	in.Labels = labels
	if len(in.CaseIDs) > MaxEntryCases {
		return Invalid(field+".case_ids", "has more than %d cases", MaxEntryCases)
	}
	for _, id := range in.CaseIDs {
		if id <= 0 {
			return Invalid(field+".case_ids", "%d is not a case id", id)
		}
	}
	slices.Sort(in.CaseIDs)
	in.CaseIDs = slices.Compact(in.CaseIDs)
	return nil
}

// CleanLabels checks labels and returns them trimmed, lowercase, sorted and unique. A label
// is up to 64 letters, digits and the characters . _ - : /, such as "tco:propaganda".
func CleanLabels(field string, labels []string) ([]string, error) {
	if len(labels) > MaxLabels {
		return nil, Invalid(field, "has more than %d labels", MaxLabels)
	}
	out := make([]string, 0, len(labels))
	for i, l := range labels {
		l = strings.ToLower(strings.TrimSpace(l))
		switch {
		case l == "":
			return nil, Invalid(IndexField(field, i), "is empty")
		case len(l) > MaxLabelLength:
			return nil, Invalid(IndexField(field, i), "is longer than %d bytes", MaxLabelLength)
		case strings.ContainsFunc(l, func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune("._-:/", r))
		}):
			return nil, Invalid(IndexField(field, i), "%q may hold only letters a-z, digits and . _ - : /", l)
		}
		out = append(out, l)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// EntryChange disables, enables or tombstones an entry, or changes its labels.
type EntryChange struct {
	State   EntryState `json:"state,omitempty"`
	Labels  []string   `json:"labels,omitempty"`
	Reasons string     `json:"reasons"`
}

// EntryFilter selects entries, by id.
type EntryFilter struct {
	BankID int64      `query:"bank_id"`
	State  EntryState `query:"state"`
	Type   HashType   `query:"type"`
	CaseID int64      `query:"case_id"`
	// BySeq lists the entries in the order of their changes, those changed after AfterSeq
	// (a feed cursor); the page cursor is then a seq.
	BySeq    bool
	AfterSeq int64
	// Banks, when not empty, restricts the entries to these banks.
	Banks []int64
	Page
}

// BankFilter selects banks.
type BankFilter struct {
	Offence string     `query:"offence"`
	Source  BankSource `query:"source"`
	Page
}

// Match is a bank entry found for a query hash, with its distance (0 for an exact digest).
type Match struct {
	EntryID  int64    `json:"entry_id"`
	BankID   int64    `json:"bank_id"`
	Bank     string   `json:"bank"`
	Type     HashType `json:"type"`
	Value    string   `json:"value"`
	Distance int      `json:"distance"`
	// Variant is the dihedral transformation of the query that matched (0 for the image as
	// given; 1–7 for rotations and flips, in the pdq package's order).
	Variant int      `json:"variant"`
	Labels  []string `json:"labels"`
	CaseIDs []int64  `json:"case_ids"`
}

// MatchResult is what a lookup found for one query hash.
type MatchResult struct {
	Query   HashValue `json:"query"`
	Matches []Match   `json:"matches"`
	// Suppressed names the negative bank entries the query is within reach of: it matched
	// a known false positive, so it matches nothing.
	Suppressed []Match `json:"suppressed,omitempty"`
	// Skipped says why the query was not matched at all (a PDQ quality below every bank's
	// minimum), empty otherwise.
	Skipped string `json:"skipped,omitempty"`
}

// ImageHashes are the hashes of one file: its digests, and for an image its PDQ hash with
// quality and the 8 dihedral variants.
type ImageHashes struct {
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	MD5    string `json:"md5"`
	// Format is the image format decoded ("jpeg", "png" …), empty for a file that is not an
	// image the server can read; then there is no PDQ hash.
	Format   string   `json:"format,omitempty"`
	PDQ      string   `json:"pdq,omitempty"`
	Quality  *int     `json:"quality,omitempty"`
	Dihedral []string `json:"dihedral,omitempty"`
	// NotImage says why the file has no PDQ hash.
	NotImage string `json:"not_image,omitempty"`
}

// FeedbackKind is what a platform reports on a bank entry.
type FeedbackKind string

// The feedback kinds.
const (
	// FeedbackMatch: the platform's matcher found the hash on its service (and acted).
	FeedbackMatch FeedbackKind = "match"
	// FeedbackConfirm: the platform reviewed a match and agrees with the entry's labels.
	FeedbackConfirm FeedbackKind = "confirm"
	// FeedbackDisagree: the platform reviewed a match and finds the entry wrong (a false
	// positive, or the labels do not fit): the authority reviews it.
	FeedbackDisagree FeedbackKind = "disagree"
)

// FeedbackKinds lists every feedback kind.
var FeedbackKinds = []FeedbackKind{FeedbackMatch, FeedbackConfirm, FeedbackDisagree}

// FeedbackInput is one report by a platform on an entry.
type FeedbackInput struct {
	EntryID int64        `json:"entry_id"`
	Kind    FeedbackKind `json:"kind"`
	// Count is how many items matched (for kind match), 1 when not given.
	Count int `json:"count,omitempty"`
	// Labels are the labels the platform finds right, for kind disagree.
	Labels []string `json:"labels,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Feedback is a platform's report on an entry, as stored.
type Feedback struct {
	ID         int64        `json:"id"`
	EntryID    int64        `json:"entry_id"`
	OperatorID int64        `json:"operator_id"`
	Kind       FeedbackKind `json:"kind"`
	Count      int          `json:"count"`
	Labels     []string     `json:"labels"`
	Note       string       `json:"note,omitempty"`
	At         time.Time    `json:"at"`
}

// FeedbackCounts sums the feedback on an entry.
type FeedbackCounts struct {
	Matches   int `json:"matches"`
	Confirms  int `json:"confirms"`
	Disagrees int `json:"disagrees"`
}

// FeedbackFilter selects feedback, by id.
type FeedbackFilter struct {
	EntryID    int64        `query:"entry_id"`
	OperatorID int64        `query:"operator_id"`
	Kind       FeedbackKind `query:"kind"`
	Page
}

// HashFeed is what a platform pulls: the banks it is entitled to and their entries, all of
// them (Since 0: the active ones) or those changed after a cursor (every state, so that the
// platform drops the disabled and tombstoned ones). Cursor is the Since of the next pull.
type HashFeed struct {
	Since   int64           `json:"since"`
	Cursor  int64           `json:"cursor"`
	AsOf    time.Time       `json:"as_of"`
	Banks   []HashFeedBank  `json:"banks"`
	Entries []HashFeedEntry `json:"entries"`
}

// HashFeedBank is a bank as a platform sees it. A bank that leaves the list is one the
// platform is no longer entitled to: it drops its entries.
type HashFeedBank struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Offence    string `json:"offence,omitempty"`
	Negative   bool   `json:"negative"`
	Radius     int    `json:"radius"`
	MinQuality int    `json:"min_quality"`
}

// HashFeedEntry is an entry as a platform sees it: no case, no reasons.
type HashFeedEntry struct {
	ID     int64      `json:"id"`
	BankID int64      `json:"bank_id"`
	Type   HashType   `json:"type"`
	Value  string     `json:"value"`
	Labels []string   `json:"labels"`
	State  EntryState `json:"state"`
	Seq    int64      `json:"seq"`
}
