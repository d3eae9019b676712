package rpz_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/rpz"
)

// listed stores a blocking measure in force on a new case and the list version it makes.
func listed(t *testing.T, db takedown.Store, changes ...takedown.ListChange) {
	t.Helper()
	err := db.Update(context.Background(), func(tx takedown.Tx) error {
		c := &takedown.Case{State: takedown.CaseApproved, Offence: "terrorism-apology", OpenedAt: tx.Now()}
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		m := &takedown.Measure{CaseID: c.ID, Kind: takedown.Blocking, State: takedown.MeasureInForce, Offence: c.Offence, ProposedBy: 1, ProposedAt: tx.Now()}
		if err := tx.CreateMeasure(m); err != nil {
			return err
		}
		for i := range changes {
			changes[i].MeasureID = m.ID
		}
		return tx.AppendListVersion(&takedown.ListVersion{List: takedown.Blocking, Published: tx.Now()}, changes)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFollow: the zone starts from the store's latest version of the blocking list and
// follows each new one, which resolvers then get by IXFR.
func TestFollow(t *testing.T) {
	db := storetest.Open(t, takedown.SystemClock{})
	z, err := rpz.Load(context.Background(), db, testConfig())
	if err != nil || z.Serial() != 0 || z.Len() != 0 {
		t.Fatalf("before any version: %v, %v", z, err)
	}
	add := func(name string, subtree bool) takedown.ListChange {
		return takedown.ListChange{Added: true, ListEntry: takedown.ListEntry{Target: name, Subtree: subtree, Offence: "terrorism-apology"}}
	}
	listed(t, db, add("a.example", false), add("b.example", true))
	if z, err = rpz.Load(context.Background(), db, testConfig()); err != nil || z.Serial() != 1 || z.Len() != 2 {
		t.Fatalf("at version 1: %v, %v", z, err)
	}
	p, addr := serve(t, z, rpz.Client{Name: "isp", Prefixes: loopback})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Follow(ctx, db, 10*time.Millisecond); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	removeA := takedown.ListChange{Added: false, ListEntry: takedown.ListEntry{Target: "a.example", Offence: "terrorism-apology"}}
	listed(t, db, removeA, add("c.example", false))
	for deadline := time.Now().Add(10 * time.Second); p.Zone().Serial() != 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the primary serves serial %d, want 2", p.Zone().Serial())
		}
	}
	rrs, err := transfer(t, addr, dns.TypeIXFR, 1, "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := origin + " SOA\n" + origin + " SOA\n" + "a.example." + origin + " A\na.example." + origin + " AAAA\n" +
		origin + " SOA\n" + "c.example." + origin + " A\nc.example." + origin + " AAAA\n" + origin + " SOA\n"
	if got := names(rrs); got != want {
		t.Errorf("IXFR from 1:\n%s\nwant\n%s", got, want)
	}

	// A name the zone cannot carry is left out of every version that lists it, and says so
	// each time, until a version removes it.
	long := strings.Repeat("abcdefghi.", 22) + "example"
	listed(t, db, add(long, false))
	listed(t, db, add("d.example", false))
	for deadline := time.Now().Add(10 * time.Second); p.Zone().Serial() != 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the primary serves serial %d, want 4", p.Zone().Serial())
		}
	}
	if z := p.Zone(); z.Len() != 3 || len(z.Rejected()) != 1 {
		t.Errorf("at version 4: %d names, rejected %v; want b, c and d, and the long name left out", z.Len(), z.Rejected())
	}
}

// TestLoadKeepsHistory: a primary started on a store whose list has versions serves IXFR
// from any of them, from the stored changes, as the primary that published them did; a name
// the zone cannot carry is left out of the differences too.
func TestLoadKeepsHistory(t *testing.T) {
	db := storetest.Open(t, takedown.SystemClock{})
	add := func(name string) takedown.ListChange {
		return takedown.ListChange{Added: true, ListEntry: takedown.ListEntry{Target: name, Offence: "terrorism-apology"}}
	}
	long := strings.Repeat("abcdefghi.", 22) + "example"
	listed(t, db, add("a.example"))
	listed(t, db, takedown.ListChange{ListEntry: takedown.ListEntry{Target: "a.example", Offence: "terrorism-apology"}}, add("c.example"))
	listed(t, db, add(long))
	listed(t, db, add("d.example"))
	z, err := rpz.Load(context.Background(), db, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	_, addr := serve(t, z, rpz.Client{Name: "isp", Prefixes: loopback})
	rrs, err := transfer(t, addr, dns.TypeIXFR, 1, "", "")
	if err != nil {
		t.Fatal(err)
	}
	rec := func(name string) string { return name + "." + origin + " A\n" + name + "." + origin + " AAAA\n" }
	want := origin + " SOA\n" +
		origin + " SOA\n" + rec("a.example") + origin + " SOA\n" + rec("c.example") + // 1 → 2
		origin + " SOA\n" + origin + " SOA\n" + // 2 → 3: the long name, left out
		origin + " SOA\n" + origin + " SOA\n" + rec("d.example") + // 3 → 4
		origin + " SOA\n"
	if got := names(rrs); got != want {
		t.Errorf("IXFR from 1 after a restart:\n%s\nwant\n%s", got, want)
	}
	soa := origin + " SOA\n"
	if rrs, err := transfer(t, addr, dns.TypeIXFR, 0, "", ""); err != nil || names(rrs) != soa+
		soa+soa+rec("a.example")+ // 0 → 1
		soa+rec("a.example")+soa+rec("c.example")+ // 1 → 2
		soa+soa+soa+soa+rec("d.example")+ // 2 → 3 → 4
		soa {
		t.Errorf("IXFR from 0 after a restart: %v\n%s", err, names(rrs))
	}

	// The journal holds no more records than the zone could: when the list shrinks to one
	// name, a resolver far behind gets the whole zone instead.
	remove := func(name string) takedown.ListChange {
		return takedown.ListChange{ListEntry: takedown.ListEntry{Target: name, Offence: "terrorism-apology"}}
	}
	listed(t, db, remove("c.example"))
	listed(t, db, remove("d.example"))
	listed(t, db, add("e.example"))
	if z, err = rpz.Load(context.Background(), db, testConfig()); err != nil {
		t.Fatal(err)
	}
	_, addr = serve(t, z, rpz.Client{Name: "isp", Prefixes: loopback})
	if rrs, err := transfer(t, addr, dns.TypeIXFR, 4, "", ""); err != nil || names(rrs) != soa+origin+" NS\n"+rec("e.example")+soa {
		t.Errorf("IXFR from 4 of a one-name zone: %v\n%s, want the whole zone", err, names(rrs))
	}
	if rrs, err := transfer(t, addr, dns.TypeIXFR, 5, "", ""); err != nil || names(rrs) != soa+soa+rec("d.example")+soa+soa+soa+rec("e.example")+soa {
		t.Errorf("IXFR from 5: %v\n%s", err, names(rrs))
	}
}
