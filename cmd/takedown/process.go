package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/takedown-project/takedown"
)

// logConfig is how a server logs: the level and format flags that serve, demo and witness
// serve share.
type logConfig struct {
	LogLevel  string
	LogFormat string
}

func (c *logConfig) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.LogLevel, "log-level", e.envOr("TAKEDOWN_LOG_LEVEL", "info"), "debug, info, warn or error [TAKEDOWN_LOG_LEVEL]")
	fs.StringVar(&c.LogFormat, "log-format", e.envOr("TAKEDOWN_LOG_FORMAT", "text"), "text or json [TAKEDOWN_LOG_FORMAT]")
}

// Validate checks the level and the format.
func (c *logConfig) Validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return takedown.Invalid("log-format", "must be text or json")
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, takedown.Invalid("log-level", "must be debug, info, warn or error")
	}
	return l, nil
}

// logger returns the logger the configuration asks for, writing to standard error.
func (c *logConfig) logger(e *env) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// listenAndServe serves h on addr until ctx is done, then shuts down gracefully, giving
// requests in progress ten seconds. ready is called with the base URL once it listens.
func listenAndServe(ctx context.Context, addr string, h http.Handler, log *slog.Logger, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return takedown.Errorf(takedown.EUNAVAILABLE, "cannot listen on %s: %v", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready("http://" + ln.Addr().String())
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdown, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		err = srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
