package takedown

import (
	"slices"
	"time"
)

// ListEntry is one entry of a blocking or dereferencing list: a host name (blocking) or a
// canonical URL (dereferencing), with the measure that listed it.
type ListEntry struct {
	Target string `json:"target"`
	// Subtree lists every name under a blocked host too.
	Subtree bool `json:"subtree,omitempty"`
	// Offence is the measure's offence category, which chooses the stop page.
	Offence   string `json:"offence"`
	MeasureID int64  `json:"measure_id"`
}

// ListChange is an entry added to or removed from a list by one version.
type ListChange struct {
	Version int64 `json:"version"`
	Added   bool  `json:"added"`
	ListEntry
}

// ListVersion is a published version of a list (Blocking or Dereferencing): what changed
// since the one before. A list changes when a measure of its kind comes into force or ends;
// its versions are numbered 1, 2, 3…, which is the serial of the blocking zone.
type ListVersion struct {
	List      MeasureKind `json:"list"`
	Version   int64       `json:"version"`
	Published time.Time   `json:"published"`
	Added     int         `json:"added"`
	Removed   int         `json:"removed"`
	// MeasureID is the measure whose coming into force, or ending (Ended), made the version;
	// 0 for a version 1 made from the measures in force when the lists got versions.
	MeasureID int64 `json:"measure_id,omitempty"`
	Ended     bool  `json:"ended,omitempty"`
}

// ListEntries returns the entries that list measures in force make, by target: the earliest
// measure listing a target names it, with its offence; the target's subtree is listed if any
// of them lists it. This is the one rule of what a list holds.
func ListEntries(inForce []*Measure) map[string]ListEntry {
	entries := map[string]ListEntry{}
	for _, m := range inForce {
		for _, t := range m.Targets {
			e, listed := entries[t]
			if !listed || m.ID < e.MeasureID {
				subtree := e.Subtree
				e = ListEntry{Target: t, Offence: m.Offence, MeasureID: m.ID, Subtree: subtree}
			}
			e.Subtree = e.Subtree || m.Subtree
			entries[t] = e
		}
	}
	return entries
}

// ListDiff returns the changes from the entries before to those after, of the given targets
// only, sorted: an entry that changed is removed and added again.
func ListDiff(before, after map[string]ListEntry, targets []string) []ListChange {
	var changes []ListChange
	for _, t := range slices.Sorted(slices.Values(targets)) {
		b, had := before[t]
		a, has := after[t]
		if had && (!has || a != b) {
			changes = append(changes, ListChange{Added: false, ListEntry: b})
		}
		if has && (!had || a != b) {
			changes = append(changes, ListChange{Added: true, ListEntry: a})
		}
	}
	return changes
}

// ReceiptVia says how an operator received a delivery or a version of a list.
type ReceiptVia string

// The ways of receiving a list.
const (
	// ViaTransfer: one of the ISP's resolvers transferred the blocking zone (AXFR or IXFR).
	ViaTransfer ReceiptVia = "transfer"
	// ViaSerial: one of the ISP's resolvers answered the zone's SOA with this serial.
	ViaSerial ReceiptVia = "serial"
	// ViaFeed: the operator fetched the signed feed of the list.
	ViaFeed ReceiptVia = "feed"
	// ViaAPI: the operator acknowledged or answered the delivery through the API or portal.
	ViaAPI ReceiptVia = "api"
	// ViaWebhook: the operator's webhook endpoint accepted the signed delivery (HTTP 2xx).
	ViaWebhook ReceiptVia = "webhook"
)

// Deployed reports whether receiving the list this way puts it into effect: a resolver that
// holds the zone applies it; a feed must still be deployed by the operator.
func (v ReceiptVia) Deployed() bool { return v == ViaTransfer || v == ViaSerial }

// ListReceipt records the latest version of a list an operator received, and how.
type ListReceipt struct {
	OperatorID int64       `json:"operator_id"`
	List       MeasureKind `json:"list"`
	Version    int64       `json:"version"`
	Via        ReceiptVia  `json:"via"`
	// At is when the operator first had this version.
	At time.Time `json:"at"`
}

// Deployment is where one recipient of a list stands: the version it received against the
// latest, and whether it is late, that is past the deadline counted from the publication of
// the first version it lacks.
type Deployment struct {
	OperatorID int64        `json:"operator_id"`
	Operator   string       `json:"operator"`
	List       MeasureKind  `json:"list"`
	Received   *ListReceipt `json:"received,omitempty"` // nil before its first receipt
	Latest     int64        `json:"latest"`
	// Missing is the first version it does not have (0 when it is up to date), published at
	// MissingSince; it must have it by DueAt.
	Missing      int64      `json:"missing,omitempty"`
	MissingSince *time.Time `json:"missing_since,omitempty"`
	DueAt        *time.Time `json:"due_at,omitempty"`
	Late         bool       `json:"late"`
}

// Feed is a list as an operator fetches it, signed, when it does not pull the blocking zone:
// every entry of the list's latest version (Since 0), or the changes of the versions after
// Since up to the latest. A list with no version yet is an empty feed of version 0.
type Feed struct {
	List    MeasureKind `json:"list"`
	Version int64       `json:"version"`
	Since   int64       `json:"since"`
	// Published is when Version was published; zero for version 0.
	Published time.Time `json:"published,omitzero"`
	// AsOf is when the authority read the list: Version was its latest version then. An old
	// feed stays validly signed; this is how its reader tells it is old.
	AsOf time.Time `json:"as_of"`
	// Entries, by target, are the whole list (Since 0; not nil, so that an empty list is
	// written as one).
	Entries []ListEntry `json:"entries,omitzero"`
	// Changes, in version order, removals before additions within a version, bring a list
	// at version Since to Version (Since above 0; not nil).
	Changes []ListChange `json:"changes,omitzero"`
}
