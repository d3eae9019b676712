package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/witness"
)

// witnessCommands run the controller's witness.
func witnessCommands() []command {
	return []command{
		{"witness serve", "run the controller's witness, which cosigns the audit log's consistent checkpoints", runWitnessServe},
		{"witness key", "print the witness's public key, for the authority's server to require", runWitnessKey},
	}
}

// witnessConfig is the configuration of witness serve, from flags with environment
// fallbacks.
type witnessConfig struct {
	Data    string
	HTTP    string
	Name    string
	LogKeys listFlag
	logConfig
}

// register adds the flags; their defaults come from the environment. TAKEDOWN_LOG_KEY may
// hold several keys separated by spaces, as a key cannot contain one; --log-key flags
// replace it.
func (c *witnessConfig) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.Data, "data", e.getenv("TAKEDOWN_WITNESS_DATA"), "the witness's data directory (key, cosigned checkpoints, evidence) [TAKEDOWN_WITNESS_DATA]")
	fs.StringVar(&c.HTTP, "http", e.envOr("TAKEDOWN_WITNESS_HTTP", "127.0.0.1:8090"), "HTTP listen address [TAKEDOWN_WITNESS_HTTP]")
	fs.StringVar(&c.Name, "name", e.getenv("TAKEDOWN_WITNESS_NAME"), "the witness's name, the name of its key, such as controller-witness.example [TAKEDOWN_WITNESS_NAME]")
	fs.Var(&c.LogKeys, "log-key", "verifier key of a log to witness (origin+hash+data); repeat it for more logs, or for a log's old and new keys [TAKEDOWN_LOG_KEY]")
	c.logConfig.register(fs, e)
}

// Validate checks the configuration, after the environment's keys were taken if no flag
// gave one.
func (c *witnessConfig) Validate(e *env) error {
	if len(c.LogKeys) == 0 {
		c.LogKeys = strings.Fields(e.getenv("TAKEDOWN_LOG_KEY"))
	}
	switch {
	case c.Data == "":
		return takedown.Invalid("data", "is required: the witness's data directory (--data or TAKEDOWN_WITNESS_DATA)")
	case c.HTTP == "":
		return takedown.Invalid("http", "is required: the address to listen on, such as 127.0.0.1:8090")
	case c.Name == "":
		return takedown.Invalid("name", "is required: the witness's name, such as controller-witness.example (--name or TAKEDOWN_WITNESS_NAME)")
	case len(c.LogKeys) == 0:
		return takedown.Invalid("log-key", "is required: the verifier key of the audit log to witness (--log-key or TAKEDOWN_LOG_KEY)")
	}
	return c.logConfig.Validate()
}

func runWitnessServe(ctx context.Context, e *env, args []string) error {
	var cfg witnessConfig
	fs := newFlags(e, "witness serve", "--data DIR --name NAME --log-key VKEY [--log-key VKEY…] [--http ADDR]")
	cfg.register(fs, e)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if err := cfg.Validate(e); err != nil {
		return err
	}
	return serveWitness(ctx, e, cfg, func(string) {})
}

// serveWitness opens the witness, prints its public key, and serves until ctx is done, then
// shuts down gracefully. ready is called with the base URL once it listens.
func serveWitness(ctx context.Context, e *env, cfg witnessConfig, ready func(url string)) error {
	log := cfg.logger(e)
	logs, err := witness.LogsForKeys(cfg.LogKeys)
	if err != nil {
		return err
	}
	w, err := witness.Open(cfg.Data, cfg.Name, logs, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, w.VerifierKey())
	err = listenAndServe(ctx, cfg.HTTP, w, log, func(url string) {
		log.Info("the witness is serving", "url", url, "name", w.Name(), "key", w.VerifierKey(), "logs", strings.Join(w.Origins(), " "), "data", cfg.Data)
		ready(url)
	})
	if ctx.Err() != nil {
		log.Info("the witness stopped")
	}
	return err
}

func runWitnessKey(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "witness key", "--data DIR [--name NAME]")
	data := fs.String("data", e.getenv("TAKEDOWN_WITNESS_DATA"), "the witness's data directory [TAKEDOWN_WITNESS_DATA]")
	name := fs.String("name", e.getenv("TAKEDOWN_WITNESS_NAME"), "the witness's name: creates its key if the directory has none, as witness serve would [TAKEDOWN_WITNESS_NAME]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *data == "" {
		return takedown.Invalid("data", "is required: the witness's data directory (--data or TAKEDOWN_WITNESS_DATA)")
	}
	vkey, err := witness.PublicKey(*data, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, vkey)
	return nil
}
