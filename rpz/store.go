package rpz

import (
	"context"
	"fmt"
	"slices"
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
	z.history = history(cfg, changes, 4*z.Len())
	return z, nil
}

// history returns the differences of the latest versions, from their changes (in order of
// version), as IXFR sends them and trim keeps them: at most journalVersions versions, holding
// at most limit records. It walks back from the newest and counts before it makes records, so
// that a version 1 listing a whole large zone is not made only to be dropped. The records of a
// name the zone cannot carry are left out, as Build leaves the name out.
func history(cfg *Config, changes []takedown.ListChange, limit int) []change {
	type version struct {
		serial         uint32
		removed, added []Entry // newest first
	}
	var kept []version // newest first
	z := &Zone{cfg: cfg}
	records := 0
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		if n := len(kept); n == 0 || kept[n-1].serial != serial(c.Version) {
			if n == journalVersions || n > 0 && kept[n-1].serial != serial(c.Version+1) {
				break // the journal's bound, or a version without changes: it starts after
			}
			kept = append(kept, version{serial: serial(c.Version)})
		}
		e := Entry{Name: c.Target, Subtree: c.Subtree, Category: c.Offence}
		if cfg.carries(e.Name) != nil {
			continue
		}
		if records += e.size(); records > limit {
			kept = kept[:len(kept)-1] // this version would make the journal larger than the zone
			break
		}
		v := &kept[len(kept)-1]
		if c.Added {
			v.added = append(v.added, e)
		} else {
			v.removed = append(v.removed, e)
		}
	}
	out := make([]change, len(kept))
	for i, v := range kept {
		c := change{from: (&Zone{cfg: cfg, serial: v.serial - 1}).SOA(), to: (&Zone{cfg: cfg, serial: v.serial}).SOA()}
		for _, e := range slices.Backward(v.removed) {
			c.removed = append(c.removed, z.records(e)...)
		}
		for _, e := range slices.Backward(v.added) {
			c.added = append(c.added, z.records(e)...)
		}
		out[len(kept)-1-i] = c
	}
	return out
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
