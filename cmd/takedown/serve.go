package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/auditlog/witness"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/evidence"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/internal/ratelimit"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/safety"
	"github.com/takedown-project/takedown/webui"
)

func serverCommands() []command {
	return []command{
		{"serve", "run the authority's server (API, scheduler) on a data directory", runServe},
		{"demo", "run the server on a throw-away world with a clock you can advance", runDemo},
	}
}

// serverConfig is the configuration of serve and demo, from flags with environment
// fallbacks.
type serverConfig struct {
	storeConfig
	HTTP              string
	Profile           string
	ReportsPerMinute  int
	ClientIPHeader    string
	SchedulerInterval time.Duration
	MetricsTokenFile  string
	LogOrigin         string
	LogKeyFile        string
	CheckpointEvery   time.Duration
	WitnessURL        string
	WitnessKey        string
	Safety            string
	// ControllerRecipient is the controller's age public key, a second recipient of the
	// evidence; ControllerRecipientFile a file holding it.
	ControllerRecipient     string
	ControllerRecipientFile string
	logConfig
	outboxConfig
}

// dnsConfig is where serve publishes the blocking zone, its configuration file, and the stop
// page the zone sends browsers to.
type dnsConfig struct {
	Addr         string
	Config       string
	StopPage     string
	ComplaintURL string
	PollInterval time.Duration
}

func (c *dnsConfig) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.Addr, "dns", e.getenv("TAKEDOWN_DNS"), "address of the blocking zone's DNS primary, such as 0.0.0.0:53; off when empty [TAKEDOWN_DNS]")
	fs.StringVar(&c.Config, "dns-config", e.getenv("TAKEDOWN_DNS_CONFIG"),
		"the zone's configuration file: its name, stop pages, and the ISPs allowed to transfer it, with their TSIG keys (docs/blocking.md) [TAKEDOWN_DNS_CONFIG]")
	fs.StringVar(&c.StopPage, "stop-page", e.getenv("TAKEDOWN_STOP_PAGE"),
		"address the stop page listens on, such as 0.0.0.0:80, behind the stop pages' addresses of the zone; needs --dns [TAKEDOWN_STOP_PAGE]")
	fs.StringVar(&c.ComplaintURL, "complaint-url", e.getenv("TAKEDOWN_COMPLAINT_URL"),
		"the public complaint page the stop page links to, for a publisher or a user who contests a measure (default: this server's own, /complaint at --public-url) [TAKEDOWN_COMPLAINT_URL]")
	poll, _ := time.ParseDuration(e.envOr("TAKEDOWN_DNS_POLL_INTERVAL", "1m"))
	fs.DurationVar(&c.PollInterval, "dns-poll-interval", poll,
		"how often each ISP's resolvers are asked, at their notify addresses, for the serial of the zone they serve; 0 for never [TAKEDOWN_DNS_POLL_INTERVAL]")
}

// stopPage returns the stop page of the zone the primary serves, or nil when it is off. Its
// complaint link is the console's own complaint form at publicURL unless one is given.
func (c *dnsConfig) stopPage(p *rpz.Primary, profile *procedure.Profile, publicURL string, reg prometheus.Registerer) (http.Handler, error) {
	switch {
	case c.StopPage == "":
		return nil, nil
	case p == nil:
		return nil, takedown.Invalid("stop-page", "needs --dns: the stop page shows why the zone blocks a name")
	case c.ComplaintURL == "":
		c.ComplaintURL = strings.TrimSuffix(publicURL, "/") + "/complaint"
	}
	if err := checkWebURL("complaint-url", c.ComplaintURL); err != nil {
		return nil, err
	}
	return webui.NewStopPage(profile, zoneBlocks(p), c.ComplaintURL, reg), nil
}

// zoneBlocks says whether the zone a primary serves blocks a host name.
func zoneBlocks(p *rpz.Primary) webui.Blocked {
	return func(host string) (string, bool) {
		e, ok := p.Zone().Lookup(host)
		return e.Category, ok
	}
}

// primary returns the blocking zone's primary as the configuration file describes it,
// serving the store's latest version, and the canary that checks each version if the file
// has one; or nils when the zone is off. The canary's metrics are registered on reg.
func (c *dnsConfig) primary(ctx context.Context, db store, svc *casework.Service, log *slog.Logger, reg prometheus.Registerer) (*rpz.Primary, *safety.Canary, error) {
	profile := svc.Profile()
	switch {
	case c.Addr == "" && c.Config == "":
		return nil, nil, nil
	case c.Addr == "" || c.Config == "":
		return nil, nil, takedown.Invalid("dns", "and --dns-config go together: the address of the zone's primary and its configuration file")
	case c.PollInterval < 0 || c.PollInterval > 0 && c.PollInterval < time.Second:
		return nil, nil, takedown.Invalid("dns-poll-interval", "must be at least 1s, or 0 for never")
	}
	cfg, clients, canaryCfg, err := rpz.LoadConfig(c.Config)
	if err != nil {
		return nil, nil, err
	}
	for category := range cfg.StopPages {
		if _, ok := profile.Offence(category); category != "" && !ok {
			return nil, nil, takedown.Invalid("dns-config", "stop_pages has %q, which is not an offence of the profile %s", category, profile.ID)
		}
	}
	if err := checkISPs(ctx, svc, clients); err != nil {
		return nil, nil, err
	}
	z, err := rpz.Load(ctx, db, cfg)
	if err != nil {
		return nil, nil, err
	}
	p, err := rpz.NewPrimary(z, clients, log.With("component", "rpz"))
	if err != nil || canaryCfg == nil {
		return p, nil, err
	}
	canary, err := safety.NewCanary(*canaryCfg, takedown.SystemClock{}, log.With("component", "canary"), reg)
	return p, canary, err
}

// checkISPs checks that each ISP of the zone's configuration that names an operator names one
// that receives the blocking list.
func checkISPs(ctx context.Context, svc *casework.Service, clients []rpz.Client) error {
	ctx = takedown.NewContextWithUser(ctx, casework.DNSPrimary)
	for i, c := range clients {
		if c.OperatorID == 0 {
			continue
		}
		if err := svc.CheckRecipient(ctx, takedown.Blocking, c.OperatorID); err != nil {
			return takedown.Invalid(fmt.Sprintf("isps[%d].operator_id", i), "%s: %s", c.Name, takedown.ErrorMessage(err))
		}
	}
	return nil
}

// receive records a registered ISP's receipt of a version of the blocking list, from a
// transfer by one of its resolvers or the serial one answers: the deliveries it carries are
// complied with, and the deployment status shows it.
func (a *app) receive(c rpz.Client, serial uint32, via takedown.ReceiptVia) {
	if c.OperatorID == 0 || serial == 0 {
		return
	}
	ctx := takedown.NewContextWithUser(context.Background(), casework.DNSPrimary)
	err := a.svc.ListReceived(ctx, takedown.ListReceipt{OperatorID: c.OperatorID, List: takedown.Blocking, Version: int64(serial), Via: via})
	if err != nil {
		a.log.Warn("rpz: an ISP's copy of the zone cannot be recorded as its receipt", "client", c.Name, "serial", serial, "via", via, "err", err)
	}
}

// defaultLogOrigin names the audit log of an authority that did not name its own.
const defaultLogOrigin = "takedown.example/log"

// register adds the flags; their defaults come from the environment.
func (c *serverConfig) register(fs *flag.FlagSet, e *env, defaultHTTP string) {
	c.storeConfig.register(fs, e)
	fs.StringVar(&c.HTTP, "http", e.envOr("TAKEDOWN_HTTP", defaultHTTP), "HTTP listen address [TAKEDOWN_HTTP]")
	fs.StringVar(&c.Profile, "profile", e.envOr("TAKEDOWN_PROFILE", procedure.DefaultID),
		"procedure profile: a built-in id ("+strings.Join(procedure.EmbeddedIDs(), ", ")+") or a JSON file [TAKEDOWN_PROFILE]")
	c.logConfig.register(fs, e)
	c.outboxConfig.register(fs, e)
	rate, _ := strconv.Atoi(e.envOr("TAKEDOWN_REPORTS_PER_MINUTE", strconv.Itoa(httpapi.DefaultReportsPerMinute)))
	fs.IntVar(&c.ReportsPerMinute, "reports-per-minute", rate, "public reports accepted per client per minute; -1 for no limit [TAKEDOWN_REPORTS_PER_MINUTE]")
	fs.StringVar(&c.ClientIPHeader, "client-ip-header", e.getenv("TAKEDOWN_CLIENT_IP_HEADER"),
		"header with the client address set by a trusted reverse proxy, for rate limiting only [TAKEDOWN_CLIENT_IP_HEADER]")
	fs.StringVar(&c.MetricsTokenFile, "metrics-token-file", e.getenv("TAKEDOWN_METRICS_TOKEN_FILE"),
		"file holding the token a scraper must present to read /metrics; without it /metrics is off [TAKEDOWN_METRICS_TOKEN_FILE]")
	interval, _ := time.ParseDuration(e.envOr("TAKEDOWN_SCHEDULER_INTERVAL", "15s"))
	fs.DurationVar(&c.SchedulerInterval, "scheduler-interval", interval, "how often deadlines and re-checks are checked [TAKEDOWN_SCHEDULER_INTERVAL]")
	fs.StringVar(&c.LogOrigin, "log-origin", e.getenv("TAKEDOWN_LOG_ORIGIN"),
		"the audit log's name in its checkpoints, such as authority.example/takedown-log; set once, when the data directory's log key is made (default "+defaultLogOrigin+") [TAKEDOWN_LOG_ORIGIN]")
	fs.StringVar(&c.LogKeyFile, "log-key-file", e.getenv("TAKEDOWN_LOG_KEY_FILE"),
		"file holding the key that signs the audit log's checkpoints (default: log.key in the data directory, made on first start) [TAKEDOWN_LOG_KEY_FILE]")
	every, _ := time.ParseDuration(e.envOr("TAKEDOWN_CHECKPOINT_INTERVAL", publisher.DefaultInterval.String()))
	fs.DurationVar(&c.CheckpointEvery, "checkpoint-interval", every, "how often a checkpoint of the audit log is signed when it has grown, at most 1m [TAKEDOWN_CHECKPOINT_INTERVAL]")
	fs.StringVar(&c.WitnessURL, "witness-url", e.getenv("TAKEDOWN_WITNESS_URL"),
		"the controller's witness (takedown witness serve): no checkpoint is published without its cosignature [TAKEDOWN_WITNESS_URL]")
	fs.StringVar(&c.WitnessKey, "witness-key", e.getenv("TAKEDOWN_WITNESS_KEY"), "the witness's public key, as takedown witness key prints it [TAKEDOWN_WITNESS_KEY]")
	fs.StringVar(&c.ControllerRecipient, "controller-recipient", e.getenv("TAKEDOWN_CONTROLLER_RECIPIENT"),
		"the controller's age public key (age1…): evidence is sealed to it too, for the controller to open with its own identity (docs/evidence.md) [TAKEDOWN_CONTROLLER_RECIPIENT]")
	fs.StringVar(&c.ControllerRecipientFile, "controller-recipient-file", e.getenv("TAKEDOWN_CONTROLLER_RECIPIENT_FILE"),
		"file holding the controller's age public key, instead of --controller-recipient [TAKEDOWN_CONTROLLER_RECIPIENT_FILE]")
	fs.StringVar(&c.Safety, "safety", e.getenv("TAKEDOWN_SAFETY"),
		"the safety gates' configuration: never-block names, shared hosts, the largest list change without a second approval (default: the built-in one, docs/blocking.md) [TAKEDOWN_SAFETY]")
}

// Validate checks the configuration.
func (c *serverConfig) Validate() error {
	if err := c.storeConfig.Validate(); err != nil {
		return err
	}
	switch {
	case c.Data == "":
		return errNoData
	case c.HTTP == "":
		return takedown.Invalid("http", "is required: the address to listen on, such as 127.0.0.1:8080")
	case c.ReportsPerMinute == 0 || c.ReportsPerMinute < -1:
		return takedown.Invalid("reports-per-minute", "must be a positive number, or -1 for no limit")
	case c.SchedulerInterval < time.Second:
		return takedown.Invalid("scheduler-interval", "must be at least 1s")
	case c.CheckpointEvery < 100*time.Millisecond || c.CheckpointEvery > publisher.MaxInterval:
		return takedown.Invalid("checkpoint-interval", "must be between 100ms and %s", publisher.MaxInterval)
	case (c.WitnessURL == "") != (c.WitnessKey == ""):
		return takedown.Invalid("witness-url", "and --witness-key go together: the witness's address and its public key")
	case c.ControllerRecipient != "" && c.ControllerRecipientFile != "":
		return takedown.Invalid("controller-recipient", "and --controller-recipient-file are two ways to give one key: give one")
	case c.LogOrigin != "" && !auditlog.ValidOrigin(c.LogOrigin):
		return takedown.Invalid("log-origin", "%q is not a name: printable ASCII without spaces or '+', such as authority.example/takedown-log", c.LogOrigin)
	}
	return c.logConfig.Validate()
}

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg serverConfig
	var dns dnsConfig
	fs := newFlags(e, "serve", "--data DIR [--http ADDR] [--dns ADDR --dns-config FILE]")
	cfg.register(fs, e, "127.0.0.1:8080")
	dns.register(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := cfg.logger(e)
	a, err := openApp(cfg, takedown.SystemClock{}, nil, log)
	if err != nil {
		return err
	}
	defer a.close()
	if a.dns, a.canary, err = dns.primary(ctx, a.db, a.svc, log, a.reg); err != nil {
		return err
	}
	a.dnsAddr, a.dnsPoll = dns.Addr, dns.PollInterval
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + cfg.HTTP
	}
	if a.stopPage, err = dns.stopPage(a.dns, a.svc.Profile(), publicURL, a.reg); err != nil {
		return err
	}
	a.stopAddr = dns.StopPage
	if cfg.SMTP == "" {
		log.Warn("no SMTP relay (--smtp): deliveries to operators that take e-mail will fail, with an alert; webhooks and the API work")
	}
	if cfg.PublicURL == "" {
		log.Warn("no --public-url: the links in forms, webhooks and e-mails point to this server's listening address", "http", cfg.HTTP)
	}
	return a.serve(ctx, func(url string) {
		attrs := []any{"url", url, "data", cfg.Data, "db", cfg.where(), "profile", a.svc.Profile().ID,
			slog.Group("log", "origin", a.keys.Origin, "key", a.keys.Public[0])}
		if a.dns != nil {
			z := a.dns.Zone()
			attrs = append(attrs, slog.Group("zone", "name", z.SOA().Hdr.Name, "dns", a.dnsAddr, "serial", z.Serial(), "names", z.Len()))
		}
		if a.stopPage != nil {
			attrs = append(attrs, "stop_page", a.stopAddr)
		}
		log.Info("takedown is serving", attrs...)
	})
}

// app is one running authority: the store, the procedure, the scheduler and the API.
type app struct {
	cfg          serverConfig
	db           store
	svc          *casework.Service
	sched        *casework.Scheduler
	worker       *delivery.Worker // sends the outbox and runs the compliance checks
	checkpointer *publisher.Checkpointer
	keys         *publisher.Keys
	api          *httpapi.Server
	console      *webui.Console
	reg          *prometheus.Registry
	dns          *rpz.Primary // the blocking zone, served on dnsAddr, when there is one
	dnsAddr      string
	dnsPoll      time.Duration  // how often the ISPs' resolvers are asked for their serial; 0 for never
	canary       *safety.Canary // checks each version of the zone through a resolver, when configured
	stopPage     http.Handler   // the stop page, served on stopAddr, when there is one
	stopAddr     string
	log          *slog.Logger
	leading      atomic.Bool // while this process leads (see lead)
}

// readyz is the readiness probe of a load balancer: 200 while the database answers, 503
// otherwise (and once the server is shutting down, since it then listens no more). The body
// says whether this replica leads.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.db.Ping(ctx); err != nil {
		a.log.Warn("not ready: the database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("the database does not answer\n"))
		return
	}
	if a.leading.Load() {
		w.Write([]byte("ready, leading\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// logKeyPath is the default file of the audit log's signing key.
func logKeyPath(dir string) string { return filepath.Join(dir, "log.key") }

// logKeys loads the key that signs the log's checkpoints, making it in the data directory
// on first start. db, if not nil, is the data directory's store: a key is then made only if
// it has published no checkpoint, since a new key would start a new log that no verifier
// of the old one accepts.
func (c *serverConfig) logKeys(db store, log *slog.Logger) (*publisher.Keys, error) {
	path := c.LogKeyFile
	if path == "" {
		path = logKeyPath(c.Data)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if db != nil {
				err := db.View(context.Background(), func(tx takedown.Tx) error {
					cp, err := tx.LatestCheckpoint()
					if err == nil {
						return takedown.Errorf(takedown.EUNAVAILABLE, "%s is missing but the log has published checkpoints (the latest of size %d): "+
							"restore the log's key from its backup; a new key would start a new log", path, cp.Size)
					}
					if takedown.ErrorCode(err) == takedown.ENOTFOUND {
						return nil
					}
					return err
				})
				if err != nil {
					return nil, err
				}
			}
			origin := c.LogOrigin
			if origin == "" {
				origin = defaultLogOrigin
				log.Warn("the audit log is named " + defaultLogOrigin + ": give it your authority's own name with --log-origin before the first start of a real deployment")
			}
			vkey, err := publisher.CreateKey(path, origin)
			if err != nil {
				return nil, err
			}
			log.Info("audit log: a signing key was made; give its public key to the controller", "file", path, "key", vkey)
		}
	}
	return publisher.LoadKeys(path, c.LogOrigin)
}

// controllerRecipient is the controller's age public key, from the flag or its file; "" when
// none is given.
func (c *serverConfig) controllerRecipient() (string, error) {
	if c.ControllerRecipientFile == "" {
		return c.ControllerRecipient, nil
	}
	b, err := os.ReadFile(c.ControllerRecipientFile)
	if err != nil {
		return "", takedown.Invalid("controller-recipient-file", "%v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line, nil
		}
	}
	return "", takedown.Invalid("controller-recipient-file", "%s holds no age public key (age1…)", c.ControllerRecipientFile)
}

// metricsToken reads the scrape token from its file, if one is configured.
func (c *serverConfig) metricsToken() (string, error) {
	if c.MetricsTokenFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(c.MetricsTokenFile)
	if err != nil {
		return "", takedown.Invalid("metrics-token-file", "%v", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < 16 {
		return "", takedown.Invalid("metrics-token-file", "%s holds a token shorter than 16 characters", c.MetricsTokenFile)
	}
	return token, nil
}

// openApp wires the parts. demoClock, when set, enables the demo's clock endpoints.
func openApp(cfg serverConfig, clock takedown.Clock, demoClock *takedown.SimClock, log *slog.Logger) (*app, error) {
	profile, err := procedure.Load(cfg.Profile)
	if err != nil {
		return nil, err
	}
	metricsToken, err := cfg.metricsToken()
	if err != nil {
		return nil, err
	}
	db, v, err := cfg.storeConfig.open(clock)
	if err != nil {
		return nil, err
	}
	keys, err := cfg.logKeys(db, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	svc := casework.New(db, profile, v)
	recipient, err := cfg.controllerRecipient()
	if err != nil {
		db.Close()
		return nil, err
	}
	sealer, err := evidence.NewSealer(v, recipient)
	if err != nil {
		db.Close()
		return nil, err
	}
	svc.SetEvidenceSealer(sealer)
	if cfg.Safety != "" {
		gates, err := safety.Load(cfg.Safety)
		if err != nil {
			db.Close()
			return nil, err
		}
		svc.WithGates(gates)
	}
	rules, outbox, err := cfg.outbox(cfg.HTTP)
	if err != nil {
		db.Close()
		return nil, err
	}
	outbox.Clock = clock
	svc.SetCapturer(delivery.Capturer(outbox.Fetch))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a := &app{}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "takedown_leader",
		Help: "1 while this process leads (runs the scheduler, the outbox and the checkpoints), 0 otherwise."},
		func() float64 {
			if a.leading.Load() {
				return 1
			}
			return 0
		}))
	worker := delivery.New(svc, outbox, log.With("component", "delivery"), reg)
	svc.WithOutbox(rules, worker.Wake)
	sched := casework.NewScheduler(svc, cfg.SchedulerInterval, log)
	sched.OnTick = schedulerMetrics(reg)
	var cosigner publisher.Cosigner
	if cfg.WitnessURL != "" {
		w, err := witness.NewClient(cfg.WitnessURL, cfg.WitnessKey, nil)
		if err != nil {
			db.Close()
			return nil, takedown.Invalid("witness-key", "%v", err)
		}
		// The latest checkpoint is the one the witness last cosigned, unless it was
		// published before the witness was required: then its first answer tells.
		db.View(context.Background(), func(tx takedown.Tx) error {
			if cp, err := tx.LatestCheckpoint(); err == nil {
				w.SetLast(cp.Size)
			}
			return nil
		})
		cosigner = w
	}
	checkpointer := publisher.New(db, keys, cosigner, clock, cfg.CheckpointEvery, log, reg)
	perMinute := cfg.ReportsPerMinute
	if perMinute == 0 {
		perMinute = httpapi.DefaultReportsPerMinute
	}
	reports := ratelimit.New(perMinute) // one limit for the API and the report form
	api := httpapi.New(svc, httpapi.Config{Limiter: reports, ClientIPHeader: cfg.ClientIPHeader,
		MetricsToken: metricsToken, DemoClock: demoClock, OnClockAdvanced: sched.Wake, Log: publisher.Tiles(db, log),
		FeedSigners: keys.Signers, PublicURL: outbox.BaseURL}, log, reg)
	console := webui.NewConsole(svc, webui.ConsoleConfig{Secure: strings.HasPrefix(outbox.BaseURL, "https://"), Demo: demoClock != nil,
		Clock: clock, Reports: reports, ClientIPHeader: cfg.ClientIPHeader}, log.With("component", "console"), reg)
	*a = app{cfg: cfg, db: db, svc: svc, sched: sched, checkpointer: checkpointer, keys: keys, api: api, console: console,
		reg: reg, log: log, worker: worker}
	return a, nil
}

// site serves the API, its metrics and the audit log's tiles beside the console and the
// public pages, on one address.
func (a *app) site() http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/api/", "/metrics", "/healthz", "/log/"} {
		mux.Handle(prefix, a.api)
	}
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("/", a.console)
	return mux
}

// background runs a server beside the API until ctx is done. It returns once the server
// listens, with its address, or with the error that kept it from listening; a failure after
// that is logged and stops the whole server (cancel), since the API alone would let the
// ISPs' copies of the zone expire unnoticed.
func (a *app) background(ctx context.Context, wg *sync.WaitGroup, cancel func(), what string, run func(ready func(addr string)) error) (string, error) {
	ready, failed := make(chan string, 1), make(chan error, 1)
	wg.Go(func() {
		started := false
		err := run(func(addr string) { started = true; ready <- addr })
		switch {
		case !started:
			failed <- err
		case err != nil && ctx.Err() == nil:
			a.log.Error(what+" failed; stopping", "err", err)
			cancel()
		}
	})
	select {
	case addr := <-ready:
		return addr, nil
	case err := <-failed:
		return "", err
	}
}

// schedulerMetrics counts scheduler passes and what they did.
func schedulerMetrics(reg prometheus.Registerer) func(casework.TickResult, error) {
	passes := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_scheduler_passes_total",
		Help: "Scheduler passes by result."}, []string{"result"})
	done := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_scheduler_items_total",
		Help: "Items the scheduler recorded: orders issued, deadlines missed, deliveries still not received (an alert), re-checks due."}, []string{"item"})
	reg.MustRegister(passes, done)
	return func(r casework.TickResult, err error) {
		if err != nil {
			passes.WithLabelValues("error").Inc()
			return
		}
		passes.WithLabelValues("ok").Inc()
		done.WithLabelValues("issued").Add(float64(r.Issued))
		done.WithLabelValues("overdue").Add(float64(r.Overdue))
		done.WithLabelValues("recheck_due").Add(float64(r.RechecksDue))
		done.WithLabelValues("unreceived").Add(float64(r.Unreceived))
	}
}

func (a *app) close() error { return a.db.Close() }

// lead runs what one process of an authority runs, however many serve its API: the
// scheduler, the outbox and the checkpoints, until ctx is done.
func (a *app) lead(ctx context.Context) {
	a.leading.Store(true)
	defer a.leading.Store(false)
	var wg sync.WaitGroup
	wg.Go(func() { a.sched.Run(ctx) })
	wg.Go(func() { a.worker.Run(ctx) })
	wg.Go(func() { a.checkpointer.Run(ctx) })
	wg.Wait()
}

// serve listens, runs the scheduler, calls ready with the base URL, and serves until ctx is
// done, then shuts down gracefully.
func (a *app) serve(ctx context.Context, ready func(url string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { a.db.Lead(ctx, a.log, a.lead) })
	if a.dns != nil {
		a.dns.Register(a.reg)
		a.dns.OnTransfer(func(c rpz.Client, serial uint32) { a.receive(c, serial, takedown.ViaTransfer) })
		addr, err := a.background(ctx, &wg, cancel, "the blocking zone's DNS server", func(ready func(string)) error {
			return a.dns.Serve(ctx, a.dnsAddr, ready)
		})
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		a.dnsAddr = addr
		a.console.ServeZone(webui.Zone{Name: a.dns.Zone().SOA().Hdr.Name, Primary: addr})
		if a.canary != nil {
			a.svc.WithCanary(a.canary)
			a.dns.OnPublish(func(z *rpz.Zone, fresh []rpz.Entry) { a.canary.Check(ctx, z.Canary(fresh)) })
			a.canary.Check(ctx, a.dns.Zone().Canary(nil))
		}
		wg.Go(func() { a.dns.Follow(ctx, a.db, 200*time.Millisecond) })
		if a.dnsPoll > 0 {
			wg.Go(func() {
				a.dns.PollSerials(ctx, a.dnsPoll, func(c rpz.Client, _ netip.AddrPort, serial uint32) { a.receive(c, serial, takedown.ViaSerial) })
			})
		}
	}
	if a.stopPage != nil {
		addr, err := a.background(ctx, &wg, cancel, "the stop page", func(ready func(string)) error {
			return listenAndServe(ctx, a.stopAddr, a.stopPage, a.log, ready)
		})
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		a.stopAddr = addr
	}
	err := listenAndServe(ctx, a.cfg.HTTP, a.site(), a.log, ready)
	if ctx.Err() != nil {
		a.log.Info("takedown stopped")
	}
	cancel()
	wg.Wait()
	return err
}
