// Package takedown holds the domain of the lawful procedure against terrorist and child sexual
// abuse content online: reports, cases, qualifications, measures addressed to operators,
// deliveries and their deadlines, oversight recommendations, and the append-only events that
// record every change. It imports only the standard library; the rules that move a case from
// one state to the next live in package casework, and the stores implement the interfaces
// declared here.
package takedown

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time. It is injected everywhere so that deadlines and the demo's simulated
// time are reproducible.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

type contextKey int

const userContextKey contextKey = iota

// NewContextWithUser returns a context carrying the authenticated user. A context without a
// user is an anonymous member of the public.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the authenticated user, or nil for the public.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// Names returns the values of a list of the domain's string types as plain strings, for
// messages and documentation.
func Names[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// Page asks for one page of a list: at most Limit items after the opaque Cursor returned by
// the previous page.
type Page struct {
	Limit  int    `query:"limit,positive"` // 0 means the default
	Cursor string `query:"cursor"`
}

// Page limits.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// Normalize applies the default limit and rejects out-of-range values.
func (p *Page) Normalize() error {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageLimit
	case p.Limit < 0 || p.Limit > MaxPageLimit:
		return Invalid("limit", "must be between 1 and %d", MaxPageLimit)
	}
	return nil
}

// All reads every page of a list, MaxPageLimit items at a time: list returns the page asked
// for and the next cursor.
func All[T any](list func(Page) ([]T, string, error)) ([]T, error) {
	var all []T
	p := Page{Limit: MaxPageLimit}
	for {
		page, next, err := list(p)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}

// SimClock is a clock that runs with real time from a start, shifted by however far it was
// advanced. The demo uses it so that a newcomer can watch 24-hour deadlines pass in seconds;
// tests use it to move time exactly.
type SimClock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
}

// NewSimClock returns a clock that starts at start and then follows base's pace; with a
// nil base it stands still until advanced.
func NewSimClock(start time.Time, base func() time.Time) *SimClock {
	if base == nil {
		return &SimClock{base: func() time.Time { return start }}
	}
	return &SimClock{base: base, offset: start.Sub(base())}
}

// Now returns the simulated time.
func (c *SimClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *SimClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
