package rpz

import (
	"context"
	"fmt"
	"time"

	"github.com/takedown-project/takedown"
)

// Load builds the zone of the blocking list's latest published version in the store (an
// empty zone of serial 0 before the first), with the differences of the versions before it
// (as many as the journal keeps), from the stored changes: after a restart, a resolver that
// has one of those versions gets an IXFR, as before.
func Load(ctx context.Context, store takedown.Store, cfg *Config) (*Zone, error) {
	var latest int64
	var changes []takedown.ListChange
	err := store.View(ctx, func(tx takedown.Tx) error {
		v, err := tx.LatestListVersion(takedown.Blocking)
		switch {
		case takedown.ErrorCode(err) == takedown.ENOTFOUND:
			return nil
		case err != nil:
			return err
		}
		latest = v.Version
		changes, err = tx.ListChanges(takedown.Blocking, 0, latest)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("rpz: read the blocking list: %w", err)
	}
	z, err := Build(cfg, serial(latest), new(Zone).apply(changes))
	if err != nil {
		return nil, err
	}
	// The versions whose differences the journal would keep (see trim), counted before their
	// records are made: a version 1 that lists a whole large zone is not kept twice.
	from, records := max(latest-journalVersions, 0), 0
	for i := len(changes) - 1; i >= 0 && changes[i].Version > from; i-- {
		if cfg.carries(changes[i].Target) != nil {
			continue
		}
		if records += 2 + 2*boolInt(changes[i].Subtree); records > 4*z.Len() {
			from = changes[i].Version
		}
	}
	z.history = history(cfg, changes, from)
	return z, nil
}

// history returns the differences that the versions after version from make, from their
// changes (in order of version), as IXFR sends them: the records of a name the zone cannot
// carry are left out, as Build leaves the name out.
func history(cfg *Config, changes []takedown.ListChange, from int64) []change {
	var out []change
	for _, c := range changes {
		if c.Version <= from {
			continue
		}
		if n := len(out); n == 0 || out[n-1].to.Serial != serial(c.Version) {
			if n > 0 && out[n-1].to.Serial != serial(c.Version-1) {
				out = nil // a version without changes: the journal starts after it
			}
			out = append(out, change{from: (&Zone{cfg: cfg, serial: serial(c.Version - 1)}).SOA(), to: (&Zone{cfg: cfg, serial: serial(c.Version)}).SOA()})
		}
		e := Entry{Name: c.Target, Subtree: c.Subtree, Category: c.Offence}
		if cfg.carries(e.Name) != nil {
			continue
		}
		last := &out[len(out)-1]
		rrs := (&Zone{cfg: cfg}).records(e)
		if c.Added {
			last.added = append(last.added, rrs...)
		} else {
			last.removed = append(last.removed, rrs...)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// serial is the SOA serial of a list version.
func serial(version int64) uint32 { return uint32(version) }

// apply returns the entries of the list after the changes to the one z was built from (the
// entries it holds and those it left out): removals, then additions, in the order of their
// versions. Build sorts them.
func (z *Zone) apply(changes []takedown.ListChange) []Entry {
	byName := make(map[string]Entry, len(z.entries)+len(z.rejected)+len(changes))
	for _, e := range z.entries {
		byName[e.Name] = e
	}
	for _, r := range z.rejected {
		byName[r.entry.Name] = r.entry
	}
	for _, c := range changes {
		if c.Added {
			byName[c.Target] = Entry{Name: c.Target, Subtree: c.Subtree, Category: c.Offence}
		} else {
			delete(byName, c.Target)
		}
	}
	out := make([]Entry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	return out
}

// Follow publishes each new version of the blocking list as it appears in the store,
// checking every interval, until ctx is done. An entry the zone cannot carry is left out of
// each version and logged as an error with the reason (and counted in
// takedown_zone_rejected_names); a failure to read the store is logged once and retried.
func (p *Primary) Follow(ctx context.Context, store takedown.Store, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var failing string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := p.follow(ctx, store)
		switch {
		case err != nil && err.Error() != failing:
			failing = err.Error()
			p.log.Error("rpz: a version of the blocking list cannot be published; the zone stays at the last good one", "err", err)
		case err == nil:
			failing = ""
		}
	}
}

// follow publishes the store's versions after the one served, if any.
func (p *Primary) follow(ctx context.Context, store takedown.Store) error {
	cur := p.Zone()
	var latest int64
	var changes []takedown.ListChange
	err := store.View(ctx, func(tx takedown.Tx) error {
		v, err := tx.LatestListVersion(takedown.Blocking)
		if err != nil || serial(v.Version) <= cur.serial {
			return ignoreNotFound(err)
		}
		latest = v.Version
		changes, err = tx.ListChanges(takedown.Blocking, int64(cur.serial), latest)
		return err
	})
	if err != nil || latest == 0 {
		return err
	}
	z, err := Build(cur.cfg, serial(latest), cur.apply(changes))
	if err != nil {
		return fmt.Errorf("version %d: %w", latest, err)
	}
	p.logRejected(z)
	return p.Publish(ctx, z)
}

func ignoreNotFound(err error) error {
	if takedown.ErrorCode(err) == takedown.ENOTFOUND {
		return nil
	}
	return err
}

// logRejected logs, as errors, the entries the zone left out: a name listed that no ISP
// blocks must be seen and fixed.
func (p *Primary) logRejected(z *Zone) {
	for _, r := range z.rejected {
		p.log.Error("rpz: a listed name is left out of the zone", "serial", z.serial, "reason", r.err.Error())
	}
}
