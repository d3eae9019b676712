package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/auditlog/witness"
	"github.com/takedown-project/takedown/demo"
	"github.com/takedown-project/takedown/rpz"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	var cfg serverConfig
	fs := newFlags(e, "demo", "[--http ADDR] [--data DIR] [--env FILE]")
	cfg.register(fs, e, "127.0.0.1:8080")
	envFile := fs.String("env", filepath.Join(os.TempDir(), "takedown-demo.env"), "file to write the server address and the tokens to, as shell exports")
	keep := fs.Bool("keep", false, "keep the throw-away data directory on exit")
	dnsAddr := fs.String("dns", "127.0.0.1:8053", "address of the blocking zone's DNS primary, which allows transfers from loopback; empty for none")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	owned := cfg.Data == ""
	if owned {
		dir, err := os.MkdirTemp("", "takedown-demo-")
		if err != nil {
			return err
		}
		cfg.Data = dir
		if !*keep {
			defer os.RemoveAll(dir)
		}
	} else if entries, _ := os.ReadDir(cfg.Data); len(entries) > 0 {
		return takedown.Invalid("data", "%s is not empty; the demo seeds a new world into an empty directory", cfg.Data)
	}
	if cfg.MetricsTokenFile == "" { // the demo makes one, to show the metrics
		if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
			return err
		}
		cfg.MetricsTokenFile = filepath.Join(cfg.Data, "metrics.token")
		if err := os.WriteFile(cfg.MetricsTokenFile, []byte(takedown.NewTokenSecret()+"\n"), 0o600); err != nil {
			return err
		}
	}
	cfg.AllowLoopback = true // the demo's operators, and their webhook endpoints, are on this machine
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := cfg.logger(e)
	if cfg.LogOrigin == "" {
		cfg.LogOrigin = defaultLogOrigin
	}
	keys, err := cfg.logKeys(nil, log) // the data directory is empty
	if err != nil {
		return err
	}
	// The controller's witness runs beside the demo, and the server publishes no checkpoint
	// it has not cosigned, as a real authority can be configured to.
	w, err := startWitness(ctx, filepath.Join(cfg.Data, "witness"), keys, log)
	if err != nil {
		return err
	}
	cfg.WitnessURL, cfg.WitnessKey = w.url, w.key
	clock := takedown.NewSimClock(time.Now().Add(-demo.History), time.Now)
	a, err := openApp(cfg, clock, clock, log)
	if err != nil {
		return err
	}
	defer a.close()
	fmt.Fprintln(e.stderr, "takedown demo: seeding an invented world with four months of history…")
	world, err := demo.Seed(ctx, a.svc, clock)
	if err != nil {
		return err
	}
	images := filepath.Join(cfg.Data, "images")
	if err := writeImages(images, world.Images); err != nil {
		return err
	}
	if *dnsAddr != "" {
		if a.dns, err = demoZone(ctx, a, world, log); err != nil {
			return err
		}
		a.dnsAddr = *dnsAddr
	}
	metricsToken, err := cfg.metricsToken()
	if err != nil {
		return err
	}
	return a.serve(ctx, func(url string) {
		vars := [][2]string{
			{"TAKEDOWN_SERVER", url},
			{"METRICS_TOKEN", metricsToken + "  # for /metrics"},
			{"LOG_KEY", keys.Public[0] + "  # verifies the audit log's checkpoints"},
			{"WITNESS_KEY", w.key + "  # verifies the controller's witness's cosignatures"},
			{"DEMO_DATA", cfg.Data + "  # the demo's data directory"},
			{"DEMO_DNS", a.dnsAddr + "  # the blocking zone's primary"},
			{"DEMO_IMAGES", images + "  # the story's generated pictures, to match against the banks"},
		}
		if err := writeEnv(*envFile, vars, world); err != nil {
			log.Warn("cannot write the demo environment file", "file", *envFile, "err", err)
		}
		banner(e, url, cfg.Data, owned && !*keep, *envFile, clock.Now().In(a.svc.Profile().Location()), world, w.url, a.dnsAddr)
	})
}

// demoZone is the blocking zone of the demo: its stop page is on loopback, any loopback
// address may transfer it, unsigned, as the resolvers of the demo's first ISP, and
// secondaries check it for changes every 5 seconds (the demo knows no resolver to NOTIFY).
func demoZone(ctx context.Context, a *app, world *demo.World, log *slog.Logger) (*rpz.Primary, error) {
	cfg := rpz.DefaultConfig(demoZoneName, "ns.takedown.example.", "hostmaster.takedown.example.",
		rpz.Redirect{A: netip.MustParseAddr("127.0.0.1"), AAAA: netip.MustParseAddr("::1")})
	cfg.Refresh, cfg.Retry = 5, 5
	z, err := rpz.Load(ctx, a.db, &cfg)
	if err != nil {
		return nil, err
	}
	loopback := rpz.Client{Name: "loopback", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		OperatorID: world.Account("ISP").User.OperatorID}
	return rpz.NewPrimary(z, []rpz.Client{loopback}, log.With("component", "rpz"))
}

// demoZoneName is the demo's blocking zone.
const demoZoneName = "blocklist.rpz.takedown.example."

// demoWitness is the controller's witness of the demo.
type demoWitness struct {
	url, key string
}

// startWitness runs a witness of the log on a free loopback port until ctx is done.
func startWitness(ctx context.Context, dir string, keys *publisher.Keys, log *slog.Logger) (*demoWitness, error) {
	logs, err := witness.LogsForKeys(keys.Public)
	if err != nil {
		return nil, err
	}
	ws, err := witness.Open(dir, "controller-witness.example", logs, log.With("component", "witness"))
	if err != nil {
		return nil, err
	}
	urlc, errc := make(chan string, 1), make(chan error, 1)
	go func() {
		errc <- listenAndServe(ctx, "127.0.0.1:0", ws, log, func(url string) { urlc <- url })
	}()
	select {
	case url := <-urlc:
		return &demoWitness{url: url, key: ws.VerifierKey()}, nil
	case err := <-errc:
		return nil, err
	}
}

// writeImages writes the demo's pictures into dir.
func writeImages(dir string, images []demo.Image) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, img := range images {
		if err := os.WriteFile(filepath.Join(dir, img.Name), img.Data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// writeEnv writes the server address and every token as shell exports, readable by the
// owner only, replacing the file at once.
func writeEnv(path string, vars [][2]string, w *demo.World) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# takedown demo: load with  . %s\n", path)
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v[0], v[1])
	}
	for _, a := range w.Accounts {
		fmt.Fprintf(&b, "export %s=%s  # %s (%s)\n", a.Env, a.Token, a.User.Name, a.User.Role)
	}
	// A fresh, private temporary file renamed into place: whoever waits for the file never
	// reads half of it, and no file planted at a predictable name can expose the tokens.
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func banner(e *env, url, data string, temporary bool, envFile string, now time.Time, w *demo.World, witnessURL, dnsAddr string) {
	out := e.stdout
	fmt.Fprintf(out, "\ntakedown demo is running: an invented world, %d reports, %d approved cases, clock at %s\n\n",
		w.Reports, w.Cases, now.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "  console  %s/signin  (in a browser: sign in as any demo account with one click; the public report form is %s/report)\n", url, url)
	fmt.Fprintf(out, "  API      %s/api/v1/  (OpenAPI document: %s/api/v1/openapi.json)\n", url, url)
	fmt.Fprintf(out, "  metrics  %s/metrics  (curl -H \"Authorization: Bearer $METRICS_TOKEN\" …)\n", url)
	fmt.Fprintf(out, "  log      %s/log/checkpoint  (verify: takedown log verify --key \"$LOG_KEY\" --witness-key \"$WITNESS_KEY\")\n", url)
	fmt.Fprintf(out, "  witness  %s  (the controller's; every checkpoint carries its cosignature)\n", witnessURL)
	if dnsAddr != "" {
		host, port, _ := net.SplitHostPort(dnsAddr)
		fmt.Fprintf(out, "  zone     %s on %s, the blocking list for resolvers  (dig @%s -p %s %s AXFR)\n", demoZoneName, dnsAddr, host, port, demoZoneName)
	}
	note := ""
	if temporary {
		note = "  (deleted when the demo stops)"
	}
	fmt.Fprintf(out, "  data     %s%s\n\n", data, note)
	fmt.Fprintf(out, "Tokens, one per account (load them all in another terminal with:  . %s ):\n", envFile)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, a := range w.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Env, a.User.Role, a.User.Name, a.Token)
	}
	tw.Flush()
	fmt.Fprintf(out, "\nTry:  TAKEDOWN_TOKEN=$OFFICER takedown case list\n")
	fmt.Fprintf(out, "      TAKEDOWN_TOKEN=$OFFICER takedown demo clock advance 25h   (then watch deadlines pass)\n")
	fmt.Fprintf(out, "Stop with Ctrl-C.\n")
}
