// Command auditlog is the load test of the audit log, on real SQLite stores built through the
// store's own AppendEvent (each event and its Merkle leaf in one transaction), and it prints
// its figures as Markdown tables on stdout, its progress on stderr:
//
//   - proofs: a store of -leaves leaves (default 10,000,000); the latency and throughput of an
//     inclusion proof of a random leaf against the latest size, a consistency proof between
//     two random sizes, the tree hash at the full size, a random full level-0 and level-1
//     hash tile and entry bundle (the store path of publisher.Tiles), each in its own read
//     transaction as casework and publisher read them; and, through the real server on
//     loopback, a receipt (GET /api/v1/events/{id}/proof) and a tile (GET /log/tile/0/…).
//   - verify: a store of -events events (default 1,000,000), served as cmd/takedown serve
//     wires it (httpapi with publisher.Tiles at /log/, a checkpoint cut by
//     publisher.Checkpointer), verified by the controller's verifier: the tree alone, with
//     every event's body (a controller's token), from an exported bundle offline, and twice
//     with a state file. Wall time, leaves per second, the CPU time and the peak RSS of this
//     process (the verifier's and the server's: they share the machine's cores).
//
// Every proof and every verification is checked, outside the timings: a wrong answer stops
// the run. The building of each store reports appends per second, in transactions of -batch
// appends each; what logging adds to a real state change is measured by the script compare
// beside this file.
//
// Usage: go run ./bench/auditlog [-phase all|proofs|verify] [-leaves N] [-events N]
// [-dir DIR [-reuse]] [-samples N] [-workers N] [-batch N] [-seed N] [-cpuprofile FILE]
//
// Without -dir the stores are built in a temporary directory, removed at the end. With -dir
// they are kept (DIR/proofs, DIR/verify), and -reuse uses them again, appending only the
// leaves they lack: reruns then skip the build, which takes about 13 minutes for 10 million
// leaves on 2 cores. The store's files are the database, its vault key, the log's key and
// the controller's token (synthetic data only: .test and .example names, invented text).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/auditlog/verifier"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
	"github.com/takedown-project/takedown/vault"
)

// config is the command line.
type config struct {
	phase      string
	leaves     int64
	events     int64
	dir        string
	reuse      bool
	samples    int
	workers    int
	batch      int
	seed       uint64
	cpuprofile string
}

func main() {
	var c config
	flag.StringVar(&c.phase, "phase", "all", "all, proofs or verify")
	flag.Int64Var(&c.leaves, "leaves", 10_000_000, "leaves of the proofs phase's log")
	flag.Int64Var(&c.events, "events", 1_000_000, "events of the verify phase's log")
	flag.StringVar(&c.dir, "dir", "", "directory of the stores, kept afterwards (default: a temporary directory, removed)")
	flag.BoolVar(&c.reuse, "reuse", false, "use the stores already in -dir, appending only what they lack")
	flag.IntVar(&c.samples, "samples", 2000, "operations measured per proof probe, and again for its throughput")
	flag.IntVar(&c.workers, "workers", 4, "concurrent readers of the throughput runs (the store has max(4, cores) read connections)")
	flag.IntVar(&c.batch, "batch", 10_000, "appends per write transaction while building")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the random leaves, sizes and tiles")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "auditlog:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	switch {
	case c.phase != "all" && c.phase != "proofs" && c.phase != "verify":
		return fmt.Errorf("-phase %q: want all, proofs or verify", c.phase)
	case c.reuse && c.dir == "":
		return errors.New("-reuse needs -dir: the directory of the stores to use again")
	case c.leaves < 2*auditlog.TileWidth*auditlog.TileWidth || c.events < auditlog.TileWidth:
		return errors.New("-leaves must be at least 131072 (two level-1 tiles) and -events at least 256")
	case c.samples < 1 || c.workers < 1 || c.batch < 1:
		return errors.New("-samples, -workers and -batch must be positive")
	}
	dir := c.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "takedown-bench-auditlog-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	fmt.Printf("Audit log load test: %d cores (%s), GOMAXPROCS=%d, %s, stores in %s\n\n", runtime.NumCPU(), cpuModel(), runtime.GOMAXPROCS(0), runtime.Version(), dir)
	if c.phase != "verify" {
		if err := proofsPhase(ctx, c, filepath.Join(dir, "proofs")); err != nil {
			return fmt.Errorf("proofs: %w", err)
		}
	}
	if c.phase != "proofs" {
		if err := verifyPhase(ctx, c, filepath.Join(dir, "verify")); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
	}
	return nil
}

// origin names the benchmark's log.
const origin = "bench.takedown.example/log"

// store is one data directory: the database, the vault, the log's key, and a controller's
// token, kept in a file so that a reused store needs no new one.
type store struct {
	dir   string
	db    *sqlite.DB
	svc   *casework.Service
	keys  *publisher.Keys
	token string
	build build
}

// build is what building a store took.
type build struct {
	from, to int64 // leaves before and after
	took     time.Duration
}

// openStore opens or creates the store in dir and appends synthetic events until its log
// has want leaves.
func openStore(ctx context.Context, c config, dir string, want int64) (*store, error) {
	path := filepath.Join(dir, "takedown.db")
	if _, err := os.Stat(path); err == nil && !c.reuse {
		return nil, fmt.Errorf("%s exists: pass -reuse to use it again, or remove it", path)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(path, takedown.SystemClock{})
	if err != nil {
		return nil, err
	}
	s := &store{dir: dir, db: db}
	if err := s.setup(ctx); err != nil {
		db.Close()
		return nil, err
	}
	var size int64
	if err := db.View(ctx, func(tx takedown.Tx) (err error) { size, err = tx.LogSize(); return err }); err != nil {
		db.Close()
		return nil, err
	}
	if size > want {
		db.Close()
		return nil, fmt.Errorf("%s holds %d leaves, more than the %d asked for: remove it or ask for more", path, size, want)
	}
	if err := s.append(ctx, size, want, c.batch); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// setup loads the vault and the log's key, making them on first use, and the controller's
// token, creating the controller as the local administrator would (takedown admin user add).
func (s *store) setup(ctx context.Context) error {
	v, err := vault.Load(filepath.Join(s.dir, "vault.key"))
	if err != nil {
		return err
	}
	keyPath := filepath.Join(s.dir, "log.key")
	if _, err := os.Stat(keyPath); errors.Is(err, fs.ErrNotExist) {
		if _, err := publisher.CreateKey(keyPath, origin); err != nil {
			return err
		}
	}
	if s.keys, err = publisher.LoadKeys(keyPath, origin); err != nil {
		return err
	}
	s.svc = casework.New(s.db, procedure.Default(), v)
	tokenPath := filepath.Join(s.dir, "controller.token")
	b, err := os.ReadFile(tokenPath)
	if err == nil {
		s.token = strings.TrimSpace(string(b))
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	local := takedown.NewContextWithUser(ctx, casework.LocalAdmin)
	_, token, err := s.svc.CreateUser(local, takedown.UserInput{Name: "Bench Controller", Role: takedown.RoleController})
	if err != nil {
		return err
	}
	s.token = token
	return os.WriteFile(tokenPath, []byte(token+"\n"), 0o600)
}

// append appends the synthetic events from leaf from to leaf to, batch events per write
// transaction, each through AppendEvent.
func (s *store) append(ctx context.Context, from, to int64, batch int) error {
	s.build = build{from: from, to: to}
	if from == to {
		return nil
	}
	gen := newEventGen(to)
	began := time.Now()
	p := newProgress("build "+filepath.Base(s.dir), to-from)
	for n := from; n < to; {
		k := min(int64(batch), to-n)
		err := s.db.Update(ctx, func(tx takedown.Tx) error {
			for i := n; i < n+k; i++ {
				e := gen.event(i)
				if err := tx.AppendEvent(e); err != nil {
					return err
				}
				if e.ID != auditlog.EventID(i) {
					return fmt.Errorf("leaf %d was given event id %d", i, e.ID)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("append leaves %d to %d: %w", n, n+k, err)
		}
		n += k
		p.report(n-from, false)
	}
	p.report(to-from, true)
	s.build.took = time.Since(began)
	return nil
}

func (s *store) close() error { return s.db.Close() }

// diskSize is the size of the database file and its write-ahead log.
func (s *store) diskSize() int64 {
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if info, err := os.Stat(filepath.Join(s.dir, "takedown.db"+suffix)); err == nil {
			n += info.Size()
		}
	}
	return n
}

// logKeys are the verifier keys of the store's log.
func (s *store) logKeys() ([]note.Verifier, error) { return verifier.ParseLogKeys(s.keys.Public) }

// server is the store served as cmd/takedown serve wires it (openApp, listenAndServe): the
// API with the log's tiles at /log/, and the checkpointer, without the scheduler, which this
// store gives nothing to do.
type server struct {
	url        string
	checkpoint *takedown.Checkpoint
	cut        time.Duration // of the first checkpoint; 0 if the store had it already
	stop       func()
}

// serve cuts a checkpoint of the whole log, then serves the store on a free loopback port.
func (s *store) serve(ctx context.Context) (*server, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg := prometheus.NewRegistry()
	checkpointer := publisher.New(s.db, s.keys, nil, takedown.SystemClock{}, publisher.DefaultInterval, log, reg)
	api := httpapi.New(s.svc, httpapi.Config{ReportsPerMinute: httpapi.DefaultReportsPerMinute, Log: publisher.Tiles(s.db, log)}, log, reg)
	published := false
	err := s.db.View(ctx, func(tx takedown.Tx) error {
		size, err := tx.LogSize()
		if err != nil {
			return err
		}
		cp, err := tx.LatestCheckpoint()
		if takedown.ErrorCode(err) == takedown.ENOTFOUND {
			return nil
		}
		published = err == nil && cp.Size == size
		return err
	})
	if err != nil {
		return nil, err
	}
	began := time.Now()
	cp, err := checkpointer.Cut(ctx)
	if err != nil {
		return nil, err
	}
	cut := time.Since(began)
	if published {
		cut = 0
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { checkpointer.Run(ctx) })
	wg.Go(func() { srv.Serve(ln) })
	return &server{url: "http://" + ln.Addr().String(), checkpoint: cp, cut: cut, stop: func() { cancel(); srv.Close(); wg.Wait() }}, nil
}

// served opens (or builds) the store of n leaves and serves it; stop stops the server and
// closes the store.
func served(ctx context.Context, c config, dir string, n int64) (*store, *server, []note.Verifier, func(), error) {
	s, err := openStore(ctx, c, dir, n)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	srv, err := s.serve(ctx)
	if err != nil {
		s.close()
		return nil, nil, nil, nil, err
	}
	stop := func() { srv.stop(); s.close() }
	keys, err := s.logKeys()
	if err != nil {
		stop()
		return nil, nil, nil, nil, err
	}
	return s, srv, keys, stop, nil
}

// proofsPhase measures the proofs, tiles and receipts of a log of c.leaves leaves.
func proofsPhase(ctx context.Context, c config, dir string) error {
	s, srv, keys, stop, err := served(ctx, c, dir, c.leaves)
	if err != nil {
		return err
	}
	defer stop()
	size, root := srv.checkpoint.Size, tlog.Hash(srv.checkpoint.Root)
	fmt.Printf("### Proofs at %s leaves\n\n", thousands(size))
	printBuilds(s)
	fmt.Printf("Checkpoint of size %s, cut by publisher.Checkpointer (tree hash, signature, store): %s.\n\n", thousands(size), cutTime(srv.cut))

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}
	view := func(fn func(takedown.Tx) error) error { return s.db.View(ctx, fn) }
	hashes := func(tx takedown.Tx) tlog.HashReader { return auditlog.HashReader(tx) }
	fullTiles := size / auditlog.TileWidth

	type inclusion struct {
		i     int64
		proof tlog.RecordProof
	}
	type consistency struct {
		old, new int64
		proof    tlog.TreeProof
	}
	type tile struct {
		n    int64
		data []byte
	}
	var results []probeResult
	add := func(r probeResult, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		results = append(results, r)
		return nil
	}
	err = add(measure(c, probe[inclusion]{
		name: "inclusion proof of a random leaf at the full size (`tlog.ProveRecord`)",
		run: func(rng *rand.Rand) (out inclusion, err error) {
			out.i = rng.Int64N(size)
			err = view(func(tx takedown.Tx) error { out.proof, err = tlog.ProveRecord(size, out.i, hashes(tx)); return err })
			return out, err
		},
		check: func(out inclusion) error {
			var entries [][]byte
			if err := view(func(tx takedown.Tx) (err error) { entries, err = tx.LogEntries(out.i, out.i+1); return err }); err != nil {
				return err
			}
			return tlog.CheckRecord(out.proof, size, root, out.i, tlog.RecordHash(entries[0]))
		},
	}))
	if err != nil {
		return err
	}
	err = add(measure(c, probe[consistency]{
		name: "consistency proof between two random sizes (`tlog.ProveTree`)",
		run: func(rng *rand.Rand) (out consistency, err error) {
			out.old = 1 + rng.Int64N(size-1)
			out.new = out.old + 1 + rng.Int64N(size-out.old)
			err = view(func(tx takedown.Tx) error { out.proof, err = tlog.ProveTree(out.new, out.old, hashes(tx)); return err })
			return out, err
		},
		check: func(out consistency) error {
			var oldRoot, newRoot tlog.Hash
			err := view(func(tx takedown.Tx) (err error) {
				if oldRoot, err = tlog.TreeHash(out.old, hashes(tx)); err != nil {
					return err
				}
				newRoot, err = tlog.TreeHash(out.new, hashes(tx))
				return err
			})
			if err != nil {
				return err
			}
			return tlog.CheckTree(out.proof, out.new, newRoot, out.old, oldRoot)
		},
	}))
	if err != nil {
		return err
	}
	err = add(measure(c, probe[tlog.Hash]{
		name: "tree hash at the full size (`tlog.TreeHash`)",
		run: func(*rand.Rand) (h tlog.Hash, err error) {
			err = view(func(tx takedown.Tx) error { h, err = tlog.TreeHash(size, hashes(tx)); return err })
			return h, err
		},
		check: func(h tlog.Hash) error {
			if h != root {
				return fmt.Errorf("root %x, the checkpoint says %x", h, root)
			}
			return nil
		},
	}))
	if err != nil {
		return err
	}
	// A tile as publisher.Tiles reads it: the latest checkpoint, then the tile, in one read.
	readTile := func(t tlog.Tile) (data []byte, err error) {
		err = view(func(tx takedown.Tx) error {
			cp, err := tx.LatestCheckpoint()
			if err != nil {
				return err
			}
			if have := auditlog.TileWidthAt(t.L, t.N, cp.Size); t.W > have {
				return fmt.Errorf("%s is beyond the checkpoint", auditlog.TilePath(t))
			}
			if t.L == auditlog.EntriesLevel {
				start := t.N * auditlog.TileWidth
				entries, err := tx.LogEntries(start, start+int64(t.W))
				data = auditlog.MarshalBundle(entries)
				return err
			}
			data, err = tlog.ReadTileData(t, hashes(tx))
			return err
		})
		return data, err
	}
	fullTile := func(level int, n int64) tlog.Tile {
		return tlog.Tile{H: auditlog.TileHeight, L: level, N: n, W: auditlog.TileWidth}
	}
	err = add(measure(c, probe[tile]{
		name: "full level-0 hash tile, store path of `publisher.Tiles` (`tlog.ReadTileData`)",
		run: func(rng *rand.Rand) (out tile, err error) {
			out.n = rng.Int64N(fullTiles)
			out.data, err = readTile(fullTile(0, out.n))
			return out, err
		},
		check: func(out tile) error {
			bundle, err := readTile(fullTile(auditlog.EntriesLevel, out.n))
			if err != nil {
				return err
			}
			return checkTile(out.data, bundle)
		},
	}))
	if err != nil {
		return err
	}
	err = add(measure(c, probe[tile]{
		name: "full entry bundle, store path of `publisher.Tiles` (`LogEntries`)",
		run: func(rng *rand.Rand) (out tile, err error) {
			out.n = rng.Int64N(fullTiles)
			out.data, err = readTile(fullTile(auditlog.EntriesLevel, out.n))
			return out, err
		},
		check: func(out tile) error {
			_, err := auditlog.ParseBundle(out.data, auditlog.TileWidth)
			return err
		},
	}))
	if err != nil {
		return err
	}
	err = add(measure(c, probe[tile]{
		name: "full level-1 hash tile, store path of `publisher.Tiles`",
		run: func(rng *rand.Rand) (out tile, err error) {
			out.n = rng.Int64N(fullTiles / auditlog.TileWidth)
			out.data, err = readTile(fullTile(1, out.n))
			return out, err
		},
		check: func(out tile) error {
			// Its first hash is the root of the first 65,536 leaves under it.
			var want tlog.Hash
			err := view(func(tx takedown.Tx) (err error) {
				i := tlog.StoredHashIndex(auditlog.TileHeight, out.n*auditlog.TileWidth)
				h, err := tx.LogHashes([]int64{i})
				if err == nil {
					want = h[0]
				}
				return err
			})
			if err != nil {
				return err
			}
			if len(out.data) != auditlog.TileWidth*tlog.HashSize || tlog.Hash(out.data[:tlog.HashSize]) != want {
				return fmt.Errorf("level-1 tile %d does not hold the hashes of level 8", out.n)
			}
			return nil
		},
	}))
	if err != nil {
		return err
	}
	err = add(measure(c, probe[tile]{
		name: "HTTP: full level-0 hash tile (`GET /log/tile/0/…`)",
		run: func(rng *rand.Rand) (out tile, err error) {
			out.n = rng.Int64N(fullTiles)
			out.data, err = get(hc, srv.url+publisher.Prefix+auditlog.TilePath(fullTile(0, out.n)), "")
			return out, err
		},
		check: func(out tile) error {
			bundle, err := readTile(fullTile(auditlog.EntriesLevel, out.n))
			if err != nil {
				return err
			}
			return checkTile(out.data, bundle)
		},
	}))
	if err != nil {
		return err
	}
	type receipt struct {
		id   int64
		data []byte
	}
	err = add(measure(c, probe[receipt]{
		name: "HTTP: receipt of a random event (`GET /api/v1/events/{id}/proof`, controller)",
		run: func(rng *rand.Rand) (out receipt, err error) {
			out.id = 1 + rng.Int64N(size)
			out.data, err = get(hc, srv.url+"/api/v1/events/"+strconv.FormatInt(out.id, 10)+"/proof", s.token)
			return out, err
		},
		check: func(out receipt) error {
			e, cp, err := auditlog.VerifyReceipt(out.data, keys, nil)
			if err != nil {
				return err
			}
			if e.ID != out.id || cp.Size != size {
				return fmt.Errorf("receipt of event %d at size %d, want event %d at size %d", e.ID, cp.Size, out.id, size)
			}
			return nil
		},
	}))
	if err != nil {
		return err
	}
	fmt.Printf("Each operation %s times one after the other (latency, and operations per second of that serial run), then %s times from %d goroutines at once (throughput). Every answer of the serial run is checked.\n\n",
		thousands(int64(c.samples)), thousands(int64(c.samples)), c.workers)
	fmt.Printf("| operation | p50 | p90 | p99 | max | per second, serial | per second, %d at once |\n|---|---:|---:|---:|---:|---:|---:|\n", c.workers)
	for _, r := range results {
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.name, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), thousands(int64(r.serial)), thousands(int64(r.parallel)))
	}
	fmt.Println()
	return nil
}

// checkTile checks a level-0 hash tile against its entry bundle.
func checkTile(data, bundle []byte) error {
	entries, err := auditlog.ParseBundle(bundle, auditlog.TileWidth)
	if err != nil {
		return err
	}
	if len(data) != auditlog.TileWidth*tlog.HashSize {
		return fmt.Errorf("a hash tile of %d bytes", len(data))
	}
	for i, e := range entries {
		if tlog.Hash(data[i*tlog.HashSize:(i+1)*tlog.HashSize]) != tlog.RecordHash(e) {
			return fmt.Errorf("hash %d of the tile is not its entry's", i)
		}
	}
	return nil
}

// get fetches a URL, with a bearer token unless it is empty.
func get(hc *http.Client, url, token string) ([]byte, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return b, nil
}

// probe is one measured operation: run is timed, check is not.
type probe[T any] struct {
	name  string
	run   func(*rand.Rand) (T, error)
	check func(T) error
}

// probeResult is a probe's figures.
type probeResult struct {
	name               string
	p50, p90, p99, max time.Duration
	serial, parallel   float64 // operations per second
}

// measure runs a probe c.samples times one after the other, checking each answer, then
// c.samples times from c.workers goroutines.
func measure[T any](c config, p probe[T]) (probeResult, error) {
	r := probeResult{name: p.name}
	prog := newProgress(p.name, int64(2*c.samples))
	rng := rand.New(rand.NewPCG(c.seed, 1))
	lat := make([]time.Duration, 0, c.samples)
	var timed time.Duration
	for i := range c.samples {
		t := time.Now()
		out, err := p.run(rng)
		d := time.Since(t)
		if err != nil {
			return r, err
		}
		timed += d
		lat = append(lat, d)
		if err := p.check(out); err != nil {
			return r, fmt.Errorf("sample %d: wrong answer: %w", i, err)
		}
		prog.report(int64(i+1), false)
	}
	slices.Sort(lat)
	r.p50, r.p90, r.p99, r.max = pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[len(lat)-1]
	r.serial = float64(c.samples) / timed.Seconds()

	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	began := time.Now()
	for w := range c.workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(c.seed, uint64(w)+2))
			for next.Add(1) <= int64(c.samples) {
				if _, err := p.run(rng); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return r, firstErr
	}
	r.parallel = float64(c.samples) / time.Since(began).Seconds()
	prog.report(int64(2*c.samples), true)
	return r, nil
}

// pct is the p-th percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// verifyPhase builds and serves a log of c.events events and verifies it as the controller
// does.
func verifyPhase(ctx context.Context, c config, dir string) error {
	s, srv, keys, stop, err := served(ctx, c, dir, c.events)
	if err != nil {
		return err
	}
	defer stop()
	size := srv.checkpoint.Size
	fmt.Printf("### Verification of a log of %s events\n\n", thousands(size))
	printBuilds(s)
	lo, mean, hi := dataSizes()
	fmt.Printf("Event data (JSON): %d to %d bytes, %d on average; cases of %d events, of %d kinds. Checkpoint of size %s, cut by publisher.Checkpointer: %s.\n\n",
		lo, hi, mean, len(cycle), kinds(), thousands(size), cutTime(srv.cut))

	var runs []verifyRun
	verify := func(name string, src verifier.Source, state string) error {
		r, err := measureVerify(ctx, name, src, verifier.Options{LogKeys: keys, State: state}, size)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		runs = append(runs, r)
		return nil
	}
	if err := verify("(a) the tree only, from the server (no token)", verifier.NewHTTPSource(srv.url, ""), ""); err != nil {
		return err
	}
	if err := verify("(b) the tree and every event's body, from the server (controller's token)", verifier.NewHTTPSource(srv.url, s.token), ""); err != nil {
		return err
	}
	bundlePath := filepath.Join(dir, "bundle.tar")
	defer os.Remove(bundlePath)
	export, err := exportBundle(ctx, verifier.NewHTTPSource(srv.url, s.token), bundlePath)
	if err != nil {
		return err
	}
	runs = append(runs, export)
	b, err := verifier.OpenBundle(bundlePath)
	if err != nil {
		return err
	}
	err = verify("(c) the tree and every event's body, from the bundle, offline", b, "")
	b.Close()
	if err != nil {
		return err
	}
	statePath := filepath.Join(dir, "verifier.state")
	os.Remove(statePath)
	defer os.Remove(statePath)
	if err := verify("(d) with a state file, first run: trust on first use, state written", verifier.NewHTTPSource(srv.url, s.token), statePath); err != nil {
		return err
	}
	if err := verify("(d) with the state file, second run: every leaf compared with it", verifier.NewHTTPSource(srv.url, s.token), statePath); err != nil {
		return err
	}
	if !runs[len(runs)-1].compared {
		return errors.New("the second run with the state file did not compare with it")
	}
	var stateSize int64
	if info, err := os.Stat(statePath); err == nil {
		stateSize = info.Size()
	}

	fmt.Printf("| run | wall time | leaves per second | event bodies checked | tiles read | CPU time (cores busy) | peak RSS |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		rate, bodies, tiles := "", "", ""
		if r.leaves > 0 {
			rate = thousands(int64(float64(r.leaves) / r.took.Seconds()))
			bodies, tiles = thousands(r.bodies), thousands(r.tiles)
		}
		fmt.Printf("| %s | %.1f s | %s | %s | %s | %.1f s (%.2f) | %s |\n", r.name, r.took.Seconds(), rate, bodies, tiles,
			r.cpu.Seconds(), r.cpu.Seconds()/r.took.Seconds(), mib(r.hwm))
	}
	fmt.Printf("\nBundle: %s (%s bytes per event). State file: %s. CPU time and peak RSS are this process's (getrusage; VmHWM, reset before each run): the verifier's, and the server's answering it, on the same 2 cores.\n\n",
		mib(export.bytes), thousands(export.bytes/size), mib(stateSize))
	return nil
}

// verifyRun is one timed verification or export.
type verifyRun struct {
	name                  string
	took                  time.Duration
	leaves, bodies, tiles int64
	hwm, bytes            int64
	cpu                   time.Duration // user and system time of the process
	compared              bool          // with a previous state
}

// measureVerify runs one verification, with the peak RSS reset before it.
func measureVerify(ctx context.Context, name string, src verifier.Source, opts verifier.Options, size int64) (verifyRun, error) {
	resetPeak()
	p := newProgress(name, size)
	opts.Progress = func(stage verifier.Stage, done, total int64) {
		p.name = name + ": " + string(stage)
		p.report(done, false)
	}
	began, cpu := time.Now(), cpuTime()
	res, err := verifier.Verify(ctx, src, opts)
	took, cpu := time.Since(began), cpuTime()-cpu
	if err != nil {
		return verifyRun{}, err
	}
	p.report(size, true)
	if res.Leaves != size {
		return verifyRun{}, fmt.Errorf("verified %d leaves, want %d", res.Leaves, size)
	}
	if res.NoBodies == "" && res.Bodies != size {
		return verifyRun{}, fmt.Errorf("checked %d event bodies, want %d", res.Bodies, size)
	}
	return verifyRun{name: name, took: took, leaves: res.Leaves, bodies: res.Bodies, tiles: res.Tiles, hwm: peakRSS(), cpu: cpu, compared: res.Previous != nil}, nil
}

// exportBundle exports the log with its events to a file, as takedown log export does.
func exportBundle(ctx context.Context, src verifier.Source, path string) (verifyRun, error) {
	name := "export of a bundle with the events (`verifier.Export`), from the server"
	resetPeak()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return verifyRun{}, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	var p *progress
	began, cpu := time.Now(), cpuTime()
	err = verifier.Export(ctx, src, bw, func(done, total int64) {
		if p == nil {
			p = newProgress("export", total)
		}
		p.report(done, false)
	})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	took, cpu := time.Since(began), cpuTime()-cpu
	if err != nil {
		return verifyRun{}, fmt.Errorf("export: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		return verifyRun{}, err
	}
	return verifyRun{name: name, took: took, hwm: peakRSS(), cpu: cpu, bytes: info.Size()}, nil
}

// printBuilds prints how the store was built.
func printBuilds(s *store) {
	b := s.build
	fmt.Printf("| store | leaves | appended now | appends per second | on disk | per leaf |\n|---|---:|---:|---:|---:|---:|\n")
	rate := "(reused)"
	if b.to > b.from {
		rate = thousands(int64(float64(b.to-b.from) / b.took.Seconds()))
	}
	disk := s.diskSize()
	fmt.Printf("| %s | %s | %s in %.0f s | %s | %s | %s B |\n\n", filepath.Base(s.dir), thousands(b.to), thousands(b.to-b.from), b.took.Seconds(), rate, mib(disk), thousands(disk/max(b.to, 1)))
}

// eventGen makes the synthetic record: cases going through the procedure, twelve events each,
// spread over a year.
type eventGen struct {
	start time.Time
	step  time.Duration
}

func newEventGen(total int64) eventGen {
	return eventGen{start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), step: 365 * 24 * time.Hour / time.Duration(total)}
}

// stage is one event of a case's cycle.
type stage struct {
	kind  takedown.EventKind
	role  string
	data  string // a format with the case number for every %[1]d, the measure's for %[2]d
	carry int    // 1: the event names the case's measure
}

// cycle is a case from report to closing, as the default procedure takes it.
var cycle = []stage{
	{takedown.EventReportReceived, takedown.ActorPublic, `{"report_id":%[1]d,"urls":["https://videos.host.test/watch/v%07[1]d"],"offence":"terrorism-apology","good_faith":true,"channel":"form","language":"fr","contact_given":false,"grouped":false}`, 0},
	{takedown.EventCaseOpened, takedown.ActorPublic, `{"report_id":%[1]d,"urls":["https://videos.host.test/watch/v%07[1]d"],"offence":"terrorism-apology","queue":"terrorism","priority":"normal","host_operator_id":4}`, 0},
	{takedown.EventCaseAccepted, "officer", `{"queue":"terrorism","reports":1,"accepted_by":8,"note":"Synthetic acceptance of bench case %[1]d: the report names one public video on a known host, still online."}`, 0},
	{takedown.EventCaseQualified, "officer", `{"elements":{"characterisation":"apology","predicate_act":"The invented attack of 1 January 2026 on the Example Square.","predicate_act_is_terrorist":true,"public_character":true},"offence":"terrorism-apology","reasons":"The video glorifies the attackers of bench case %[1]d."}`, 0},
	{takedown.EventCaseApproved, "supervisor", `{"qualified_by":7,"offence":"terrorism-apology","reasons":"Synthetic approval: the qualification of bench case %[1]d holds on every element of the offence.","elements_checked":4}`, 0},
	{takedown.EventMeasureIssued, "officer", `{"measure_id":%[2]d,"kind":"removal_request","operator_id":4,"legal_basis":"Regulation (EU) 2021/784, article 3","urls":["https://videos.host.test/watch/v%07[1]d"],"deadline":"PT1H"}`, 1},
	{takedown.EventDeliverySent, "officer", `{"delivery_id":%[2]d1,"purpose":"removal_request","operator_id":4,"channel":"email","address":"abuse@videos.host.example","language":"fr","deadline":"PT1H","attempt":1}`, 1},
	{takedown.EventDeliverySent, "officer", `{"delivery_id":%[2]d2,"purpose":"information","operator_id":5,"channel":"email","address":"legal@isp-one.example","language":"fr","deadline":null,"attempt":1}`, 1},
	{takedown.EventDeliverySent, "officer", `{"delivery_id":%[2]d3,"purpose":"information","operator_id":6,"channel":"email","address":"legal@isp-two.example","language":"fr","deadline":null,"attempt":1}`, 1},
	{takedown.EventDeliveryAnswered, "operator", `{"delivery_id":%[2]d1,"answer":"acknowledge","reasons":"Synthetic answer: the video of bench case %[1]d was removed from videos.host.test within the hour.","answered_by":9}`, 1},
	{takedown.EventMeasureComplied, "officer", `{"measure_id":%[2]d,"checked_by":7,"urls_removed":1,"method":"manual check","reasons":"Synthetic check: the address of bench case %[1]d now answers 404 Not Found."}`, 1},
	{takedown.EventCaseClosed, "officer", `{"reasons":"Synthetic closing: every measure of bench case %[1]d is complied with and no appeal is pending.","measures":1,"deliveries":3,"closed_by":7}`, 0},
}

// event returns the event at leaf i.
func (g eventGen) event(i int64) *takedown.Event {
	st := cycle[i%int64(len(cycle))]
	caseID := i/int64(len(cycle)) + 1
	e := &takedown.Event{
		At:        g.start.Add(time.Duration(i)*g.step + time.Duration(i%997)*1234567),
		Kind:      st.kind,
		ActorRole: st.role,
		CaseID:    caseID,
		Data:      []byte(st.data),
	}
	if strings.Contains(st.data, "%") {
		e.Data = fmt.Appendf(nil, st.data, caseID, caseID)
	}
	switch st.role {
	case "officer":
		e.ActorID = 7 + caseID%5
	case "supervisor":
		e.ActorID = 3
	case "operator":
		e.ActorID, e.OperatorID = 9, 4
	}
	if st.carry == 1 {
		e.MeasureID = caseID
	}
	return e
}

// dataSizes returns the smallest, mean and largest event data of a few cycles.
func dataSizes() (lo, mean, hi int) {
	g := newEventGen(1_000_000)
	lo, total, n := 1<<30, 0, 0
	for i := int64(1_000_000); i < 1_000_000+int64(len(cycle))*10; i++ {
		d := len(g.event(i).Data)
		lo, hi, total, n = min(lo, d), max(hi, d), total+d, n+1
	}
	return lo, total / n, hi
}

// kinds counts the kinds of events of a cycle.
func kinds() int {
	seen := map[takedown.EventKind]bool{}
	for _, st := range cycle {
		seen[st.kind] = true
	}
	return len(seen)
}

// progress reports a long phase on stderr every few seconds.
type progress struct {
	name  string
	total int64
	began time.Time
	last  time.Time
}

const progressEvery = 5 * time.Second

func newProgress(name string, total int64) *progress {
	now := time.Now()
	return &progress{name: name, total: total, began: now, last: now}
}

func (p *progress) report(done int64, final bool) {
	now := time.Now()
	if !final && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	elapsed := now.Sub(p.began)
	rate := float64(done) / elapsed.Seconds()
	eta := ""
	if !final && rate > 0 {
		eta = fmt.Sprintf(", %s left", time.Duration(float64(p.total-done)/rate*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(os.Stderr, "%s: %s of %s, %s/s, %s%s\n", p.name, thousands(done), thousands(p.total), thousands(int64(rate)), elapsed.Round(time.Second), eta)
}

// resetPeak collects garbage and resets the process's peak RSS, so that VmHWM then measures
// one run. Linux only; elsewhere the peak is the whole process's.
func resetPeak() {
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// cpuTime returns the user and system time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS returns VmHWM in bytes, or 0 if unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuModel names the processor, from /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

// cutTime tells how long the first checkpoint took.
func cutTime(d time.Duration) string {
	if d == 0 {
		return "already published by an earlier run"
	}
	return ms(d)
}

func ms(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000)
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func mib(n int64) string {
	if n >= 10<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%s MiB", thousands(n>>20))
}

// thousands writes n with thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
