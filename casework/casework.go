// Package casework is the procedure: it moves reports, cases, measures, deliveries and
// recommendations from one state to the next, checks who may do what, applies the deadlines
// of the procedure profile, and writes an event for every change in the same transaction.
// It is the only place where the rules of the procedure live; stores only read and write
// rows, and the HTTP API and CLI only parse and render.
package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/hashbank"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/safety"
)

// Sealer encrypts data that only the authority may read (reporters' contacts).
type Sealer interface {
	Seal(plaintext []byte) ([]byte, error)
	Unseal(sealed []byte) ([]byte, error)
}

// Service runs the procedure on a store under a procedure profile.
type Service struct {
	store   takedown.Store
	profile *procedure.Profile
	sealer  Sealer
	// evidence seals evidence: to the vault, and to the controller when SetEvidenceSealer
	// was given one (evidence.Sealer); the vault alone otherwise.
	evidence Sealer
	gates    *safety.Config
	canary   *safety.Canary // nil when the server runs none
	outbox   OutboxConfig
	secrets  *secretCache // webhook secrets, unsealed
	// bankIndex holds the hash banks in memory for matching.
	bankIndex *bankMatcher
	// queued is set by a transaction that wrote into the outbox; onQueued, when set, is
	// called after it commits (to wake the delivery worker).
	queued   atomic.Bool
	onQueued func()
	// capture fetches pages as evidence; nil when the server captures none.
	capture Capturer
	// lastPurge is when the scheduler last ran the retention purge, at the store's time.
	purgeMu   sync.Mutex
	lastPurge time.Time
}

// New returns a Service, with the default safety gates.
func New(store takedown.Store, profile *procedure.Profile, sealer Sealer) *Service {
	return &Service{store: store, profile: profile, sealer: sealer, evidence: sealer, gates: safety.Default(), outbox: DefaultOutbox(), secrets: &secretCache{},
		bankIndex: &bankMatcher{m: hashbank.NewMatcher()}}
}

// SetEvidenceSealer makes evidence sealed by sealer (an evidence.Sealer to the vault and the
// controller) from now on; it must unseal what the vault sealed.
func (s *Service) SetEvidenceSealer(sealer Sealer) { s.evidence = sealer }

// Profile returns the procedure profile the service applies.
func (s *Service) Profile() *procedure.Profile { return s.profile }

// LocalAdmin is the user behind offline administration commands run on the data directory
// (`takedown admin …`): whoever can read the data directory is the administrator.
var LocalAdmin = &takedown.User{ID: 0, Name: "local administrator", Role: takedown.RoleAdmin}

// DNSPrimary is the blocking zone's primary inside the server: it records, as receipts, the
// versions that the ISPs' resolvers transferred or announce.
var DNSPrimary = &takedown.User{ID: 0, Name: "DNS primary"}

// require returns the authenticated user if it has one of the roles.
func require(ctx context.Context, roles ...takedown.Role) (*takedown.User, error) {
	u := takedown.UserFromContext(ctx)
	if u == nil {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "sign in with a token to do this")
	}
	if !slices.Contains(roles, u.Role) {
		return nil, takedown.Errorf(takedown.EFORBIDDEN, "the %s role cannot do this; it needs the %s role", u.Role, orList(roles))
	}
	return u, nil
}

// The usual role sets: the authority acts; readers also include the controller; measure
// readers also include operators, who see what is addressed to them.
var (
	authority      = []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor}
	readers        = []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController}
	measureReaders = []takedown.Role{takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleOperator}
)

// orList writes "a, b or c", for messages.
func orList[S ~string](list []S) string {
	s := takedown.Names(list)
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// event is the subject of one event.
type event struct {
	kind      takedown.EventKind
	caseID    int64
	measureID int64
	operator  int64
	data      map[string]any
}

// record appends one event for a change made by u (nil for the public) in tx.
func record(tx takedown.Tx, u *takedown.User, e event) error {
	data, err := json.Marshal(e.data)
	if err != nil {
		return fmt.Errorf("casework: encode event %s: %w", e.kind, err)
	}
	ev := &takedown.Event{
		At: tx.Now(), Kind: e.kind, CaseID: e.caseID, MeasureID: e.measureID, OperatorID: e.operator,
		Data: data, ActorRole: takedown.ActorPublic,
	}
	switch u {
	case nil:
	case schedulerUser:
		ev.ActorRole = takedown.ActorScheduler
	case LocalAdmin:
		ev.ActorRole = takedown.ActorLocalAdmin
	case DNSPrimary:
		ev.ActorRole = takedown.ActorDNSPrimary
	default:
		ev.ActorID, ev.ActorRole = u.ID, string(u.Role)
	}
	return tx.AppendEvent(ev)
}

// rule returns the profile's rule for a kind of measure. A measure of a kind the profile no
// longer has (the server restarted with another profile) cannot move on.
func (s *Service) rule(kind takedown.MeasureKind) (*procedure.MeasureRule, error) {
	r, ok := s.profile.Measure(kind)
	if !ok {
		return nil, precondition("the %s procedure profile has no %s measures any more", s.profile.ID, kind)
	}
	return r, nil
}

// precondition returns an EPRECONDITION error.
func precondition(format string, args ...any) error {
	return takedown.Errorf(takedown.EPRECONDITION, format, args...)
}

// conflict returns an ECONFLICT error.
func conflict(format string, args ...any) error {
	return takedown.Errorf(takedown.ECONFLICT, format, args...)
}

// forbidden returns an EFORBIDDEN error.
func forbidden(format string, args ...any) error {
	return takedown.Errorf(takedown.EFORBIDDEN, format, args...)
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(takedown.Tx) error) error {
	return s.store.View(ctx, fn)
}

// anyDue asks, in a read, whether a claim would find work. The outbox's worker polls often,
// and a claim is a write, which on PostgreSQL waits for the lock that every replica's writes
// share: when nothing is due, none is taken. The claim then reads again, in its own write.
func (s *Service) anyDue(ctx context.Context, found func(takedown.Tx) (bool, error)) (bool, error) {
	var any bool
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		any, err = found(tx)
		return err
	})
	return any, err
}

// update runs fn in a write transaction.
func (s *Service) update(ctx context.Context, fn func(takedown.Tx) error) error {
	err := s.store.Update(ctx, fn)
	if s.queued.Swap(false) && err == nil && s.onQueued != nil {
		s.onQueued()
	}
	return err
}

// local formats a time in the authority's zone, for messages.
func (s *Service) local(t time.Time) string {
	return t.In(s.profile.Location()).Format("2006-01-02 15:04 MST")
}
