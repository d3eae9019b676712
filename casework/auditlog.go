package casework

import (
	"context"
	"encoding/json"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// LogStatus is what the controller sees of the audit log.
type LogStatus struct {
	// Size is the number of events in the log.
	Size int64 `json:"size"`
	// Published is the latest published checkpoint; absent before the first.
	Published *takedown.Checkpoint `json:"published,omitempty"`
	// Unpublished counts the events not yet covered by a published checkpoint: it stays
	// above zero for more than a few seconds only if signing or the witness fails.
	Unpublished int64 `json:"unpublished"`
	// LastVerification is the last verification the controller recorded (a log.verified
	// event, whose data is a takedown.Verification).
	LastVerification *takedown.Event `json:"last_verification,omitempty"`
}

// LogStatus returns the log's size, its latest checkpoint and the last recorded verification.
func (s *Service) LogStatus(ctx context.Context) (*LogStatus, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	st := &LogStatus{}
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		if st.Size, err = tx.LogSize(); err != nil {
			return err
		}
		if st.Published, err = optional(tx.LatestCheckpoint()); err != nil {
			return err
		}
		st.Unpublished = st.Size
		if st.Published != nil {
			st.Unpublished -= st.Published.Size
		}
		st.LastVerification, err = optional(tx.LastVerification())
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// optional turns a not-found error into a nil result.
func optional[T any](v *T, err error) (*T, error) {
	if takedown.ErrorCode(err) == takedown.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// Checkpoints lists the published checkpoints, newest first.
func (s *Service) Checkpoints(ctx context.Context, p takedown.Page) ([]*takedown.Checkpoint, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := p.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.Checkpoint
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Checkpoints(p)
		return err
	})
	return list, next, err
}

// ConsistencyQuery names two published checkpoints by their sizes.
type ConsistencyQuery struct {
	Old int64 `query:"old"`
	New int64 `query:"new"`
}

// Consistency is the proof that the tree of one checkpoint is a prefix of the tree of a later
// one: the log was only appended to between them.
type Consistency struct {
	Old   *takedown.Checkpoint `json:"old"`
	New   *takedown.Checkpoint `json:"new"`
	Proof []tlog.Hash          `json:"proof"`
}

// Consistency returns the consistency proof between two published checkpoints. It is public:
// like the log's tiles, it holds only hashes.
func (s *Service) Consistency(ctx context.Context, q ConsistencyQuery) (*Consistency, error) {
	switch {
	case q.Old <= 0:
		return nil, takedown.Invalid("old", "must be the size of a published checkpoint")
	case q.New < q.Old:
		return nil, takedown.Invalid("new", "must be the size of a published checkpoint at least as large as old")
	}
	c := &Consistency{Proof: []tlog.Hash{}}
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		if c.Old, err = tx.Checkpoint(q.Old); err != nil {
			return err
		}
		if c.New, err = tx.Checkpoint(q.New); err != nil {
			return err
		}
		if q.Old < q.New {
			c.Proof, err = tlog.ProveTree(q.New, q.Old, auditlog.HashReader(tx))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// EventProof returns an event's receipt: the event with its salt, and the inclusion proof of
// its leaf in the latest published checkpoint, as a C2SP tlog-proof.
func (s *Service) EventProof(ctx context.Context, id int64) (*auditlog.Proof, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var p *auditlog.Proof
	err := s.view(ctx, func(tx takedown.Tx) error {
		e, err := tx.Event(id)
		if err != nil {
			return err
		}
		p, err = receipt(tx, e)
		return err
	})
	return p, err
}

// DeliveryReceipt returns the receipt of the event that recorded the sending of a delivery:
// what was sent to the operator, and when. An operator gets the receipts of its own
// deliveries.
func (s *Service) DeliveryReceipt(ctx context.Context, id int64) (*auditlog.Proof, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	var p *auditlog.Proof
	err = s.view(ctx, func(tx takedown.Tx) error {
		d, err := deliveryFor(tx, u, id)
		if err != nil {
			return err
		}
		e, err := findEvent(tx, takedown.EventFilter{MeasureID: d.MeasureID, Kind: takedown.EventDeliverySent}, "delivery_id", id)
		if err != nil {
			return err
		}
		p, err = receipt(tx, e)
		return err
	})
	return p, err
}

// RecommendationReceipt returns the receipt of the event that recorded a recommendation: what
// the controller recommended, and when.
func (s *Service) RecommendationReceipt(ctx context.Context, id int64) (*auditlog.Proof, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var p *auditlog.Proof
	err := s.view(ctx, func(tx takedown.Tx) error {
		r, err := tx.Recommendation(id)
		if err != nil {
			return err
		}
		e, err := findEvent(tx, takedown.EventFilter{MeasureID: r.MeasureID, Kind: takedown.EventRecommendationMade}, "recommendation_id", id)
		if err != nil {
			return err
		}
		p, err = receipt(tx, e)
		return err
	})
	return p, err
}

// findEvent returns the event of the filter whose data holds id in the given field.
func findEvent(tx takedown.Tx, f takedown.EventFilter, field string, id int64) (*takedown.Event, error) {
	f.Limit = takedown.MaxPageLimit
	for {
		list, next, err := tx.Events(f)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			var data map[string]json.RawMessage
			if json.Unmarshal(e.Data, &data) == nil && string(data[field]) == jsonInt(id) {
				return e, nil
			}
		}
		if next == "" {
			return nil, takedown.Errorf(takedown.ENOTFOUND, "the record has no %s event with %s %d", f.Kind, field, id)
		}
		f.Cursor = next
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// receipt proves an event's inclusion in the latest published checkpoint.
func receipt(tx takedown.Tx, e *takedown.Event) (*auditlog.Proof, error) {
	cp, err := tx.LatestCheckpoint()
	if takedown.ErrorCode(err) == takedown.ENOTFOUND || (err == nil && auditlog.LeafIndex(e.ID) >= cp.Size) {
		return nil, takedown.Errorf(takedown.EUNAVAILABLE, "event %d is not yet in a published checkpoint of the log; one is signed within seconds: try again shortly", e.ID)
	}
	if err != nil {
		return nil, err
	}
	hashes, err := tlog.ProveRecord(cp.Size, auditlog.LeafIndex(e.ID), auditlog.HashReader(tx))
	if err != nil {
		return nil, err
	}
	return auditlog.NewReceipt(e, hashes, []byte(cp.Note))
}

// RecordVerification records in the log the result of a verification the controller ran, so
// that the record itself says when the controller last checked it and what was found.
func (s *Service) RecordVerification(ctx context.Context, v takedown.Verification) (*takedown.Event, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	// The checkpoint need not be one the store holds (a fork the controller was served must
	// be recordable too), but it must be a checkpoint, of the size the result states.
	text, _, _ := strings.Cut(v.Checkpoint, "\n\n")
	c, err := auditlog.ParseCheckpointText(text + "\n")
	if err != nil {
		return nil, takedown.Invalid("checkpoint", "is not a signed checkpoint: %v", err)
	}
	if c.Size != v.Size {
		return nil, takedown.Invalid("size", "is %d, but the checkpoint is of size %d", v.Size, c.Size)
	}
	var e *takedown.Event
	err = s.update(ctx, func(tx takedown.Tx) error {
		if err := record(tx, u, event{kind: takedown.EventLogVerified, data: map[string]any{"checkpoint": v.Checkpoint, "size": v.Size,
			"ok": v.OK, "bodies": v.Bodies, "problem": v.Problem}}); err != nil {
			return err
		}
		e, err = tx.LastVerification() // the one just written, in this transaction
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// RecordLogKeys records a change of the keys that sign the log's checkpoints (the start or
// the end of a rotation, made on the server's data directory), with the public keys that sign
// from now on: whoever verifies the log learns from the record itself when to expect them.
func (s *Service) RecordLogKeys(ctx context.Context, change string, public []string) error {
	u, err := require(ctx, takedown.RoleAdmin)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx takedown.Tx) error {
		return record(tx, u, event{kind: takedown.EventLogKeysChanged, data: map[string]any{"change": change, "keys": public}})
	})
}
