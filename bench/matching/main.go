// Command matching measures PDQ hash lookups at bank scale: a bank of N "random but
// realistic" hashes (bits balanced, a tenth of the entries near-duplicates within distance
// 0–20 of another entry, as variants of one image are), queried at radius 31 — half the
// queries near an inserted hash, half random — by the brute-force scan and by multi-index
// hashing, from GOMAXPROCS goroutines. It prints queries per second, p50 and p99 latency and
// memory for each, the memory-bandwidth bound of one full scan to compare the scan with, and
// the recall of multi-index hashing against the scan on the scan's queries.
//
// Usage: go run ./bench/matching [-n 10000000] [-queries 2000] [-brute-queries 200] [-m 0]
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/takedown-project/takedown/hashbank/index"
)

func main() {
	n := flag.Int("n", 10_000_000, "entries in the bank")
	queries := flag.Int("queries", 2000, "queries for multi-index hashing")
	bruteQueries := flag.Int("brute-queries", 200, "queries for the brute-force scan (each reads the whole bank); they are also the recall check")
	m := flag.Int("m", 0, "substrings for multi-index hashing; 0 chooses index.SubstringsFor(n)")
	radius := flag.Int("radius", index.DefaultRadius, "search radius")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*n, *queries, *bruteQueries, *m, *radius, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "matching:", err)
		os.Exit(1)
	}
}

func run(n, queries, bruteQueries, m, radius int, seed uint64) error {
	if n < 1 || queries < 1 || bruteQueries < 0 {
		return fmt.Errorf("-n and -queries must be positive, -brute-queries not negative")
	}
	if m == 0 {
		m = index.SubstringsFor(n)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	bank := makeBank(rng, n)
	qs := makeQueries(rng, bank, max(queries, bruteQueries))
	procs := runtime.GOMAXPROCS(0)
	fmt.Printf("entries %d, radius %d, %d goroutines (GOMAXPROCS), multi-index hashing on %d substrings\n\n", n, radius, procs, m)

	bw, scanTime := bandwidth(bank)
	fmt.Printf("memory bandwidth: one read of %d × 32 B takes %v (%.1f GB/s): at most %.1f full scans/s\n\n",
		n, scanTime.Round(time.Microsecond), bw/1e9, 1/scanTime.Seconds())

	type result struct {
		name     string
		mem      uint64
		build    time.Duration
		st       stats
		answers  [][]index.Match
		nqueries int
	}
	var results []result
	for _, method := range []string{"brute force", "multi-index hashing"} {
		before := heap()
		start := time.Now()
		var x index.Index
		nq := queries
		if method == "brute force" {
			x, nq = index.NewBruteForce(), bruteQueries
		} else if m == index.SubstringsFor(n) && n >= index.BruteForceBelow {
			x = index.New(n) // sized for n
		} else {
			x = index.NewMIH(m)
		}
		for i, h := range bank {
			x.Add(uint64(i), h)
		}
		build := time.Since(start)
		mem := heap() - before
		st, answers, err := measure(x, qs[:nq], radius, procs)
		if err != nil {
			return err
		}
		results = append(results, result{method, mem, build, st, answers, nq})
		runtime.KeepAlive(x)
		x = nil
		runtime.GC()
	}

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tqueries\tqueries/s\tp50\tp99\tmatches/query\tmemory\tbytes/entry\tbuild\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%v\t%v\t%.2f\t%.0f MB\t%.0f\t%v\t\n", r.name, r.nqueries, r.st.qps,
			r.st.p50.Round(time.Microsecond), r.st.p99.Round(time.Microsecond), r.st.matches,
			float64(r.mem)/1e6, float64(r.mem)/float64(n), r.build.Round(time.Millisecond))
	}
	tw.Flush()

	// Recall: multi-index hashing against the scan, on the queries both ran.
	want, got := results[0].answers, results[1].answers
	same, found, total := 0, 0, 0
	for i := range want {
		total += len(want[i])
		if slices.Equal(got[i], want[i]) {
			same++
		}
		for _, w := range want[i] {
			if slices.Contains(got[i], w) {
				found++
			}
		}
	}
	recall := 100.0
	if total > 0 {
		recall = 100 * float64(found) / float64(total)
	}
	fmt.Printf("\nrecall of multi-index hashing against brute force: %d of %d matches (%.2f %%); %d of %d answers identical\n",
		found, total, recall, same, len(want))
	if same != len(want) {
		return fmt.Errorf("multi-index hashing differs from brute force on %d queries", len(want)-same)
	}
	return nil
}

// makeBank returns n hashes with balanced random bits, a tenth of them near-duplicates of an
// earlier entry (0–20 bits flipped).
func makeBank(rng *rand.Rand, n int) []index.Hash {
	bank := make([]index.Hash, n)
	for i := range bank {
		if i > 0 && rng.IntN(10) == 0 {
			bank[i] = flip(rng, bank[rng.IntN(i)], rng.IntN(21))
			continue
		}
		for j := 0; j < len(bank[i]); j += 8 {
			v := rng.Uint64()
			for b := range 8 {
				bank[i][j+b] = byte(v >> (8 * b))
			}
		}
	}
	return bank
}

// makeQueries returns q queries: even ones within 0–31 bits of an inserted hash, odd ones random.
func makeQueries(rng *rand.Rand, bank []index.Hash, q int) []index.Hash {
	qs := make([]index.Hash, q)
	for i := range qs {
		if i%2 == 0 {
			qs[i] = flip(rng, bank[rng.IntN(len(bank))], rng.IntN(32))
			continue
		}
		for j := range qs[i] {
			qs[i][j] = byte(rng.Uint32())
		}
	}
	return qs
}

// flip returns h with k distinct random bits inverted.
func flip(rng *rand.Rand, h index.Hash, k int) index.Hash {
	for _, b := range rng.Perm(index.Bits)[:k] {
		h[b/8] ^= 1 << (b % 8)
	}
	return h
}

// bandwidth times the tightest read of the bank's 32-byte hashes, summing their words: the
// floor under a brute-force scan, which must read as much.
func bandwidth(bank []index.Hash) (bytesPerSecond float64, scan time.Duration) {
	words := make([]uint64, 4*len(bank))
	for i, h := range bank {
		for w := range 4 {
			var v uint64
			for b := range 8 {
				v |= uint64(h[8*w+b]) << (8 * b)
			}
			words[4*i+w] = v
		}
	}
	var sink uint64
	best := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		var s0, s1, s2, s3 uint64
		for i := 0; i+3 < len(words); i += 4 {
			s0 += words[i]
			s1 += words[i+1]
			s2 += words[i+2]
			s3 += words[i+3]
		}
		best = min(best, time.Since(start))
		sink += s0 + s1 + s2 + s3
	}
	runtime.KeepAlive(sink)
	return float64(8*len(words)) / best.Seconds(), best
}

type stats struct {
	qps      float64
	p50, p99 time.Duration
	matches  float64
}

// measure runs the queries from procs goroutines, each taking the next query as it finishes
// one, and returns the throughput, latencies and answers.
func measure(x index.Index, qs []index.Hash, radius, procs int) (stats, [][]index.Match, error) {
	answers := make([][]index.Match, len(qs))
	lat := make([]time.Duration, len(qs))
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	start := time.Now()
	for range procs {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(qs) {
					return
				}
				t := time.Now()
				ms, err := x.Search(qs[i], radius)
				lat[i] = time.Since(t)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				answers[i] = ms
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return stats{}, nil, fmt.Errorf("search: %w", firstErr)
	}
	total := 0
	for _, a := range answers {
		total += len(a)
	}
	slices.Sort(lat)
	st := stats{qps: float64(len(qs)) / wall.Seconds(), matches: float64(total) / float64(max(1, len(qs)))}
	if len(lat) > 0 {
		st.p50, st.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return st, answers, nil
}

func heap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
