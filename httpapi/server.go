// Package httpapi serves the JSON API under /api/v1/: it authenticates tokens, parses
// requests, calls casework and renders the answer or an application/problem+json error that
// names the offending field. It holds no rule of the procedure. Every route is declared once
// in the route table, from which the mux, the authorisation notes and the OpenAPI document
// are all built.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/internal/httpstatus"
	"github.com/takedown-project/takedown/internal/ratelimit"
)

// Config configures the API.
type Config struct {
	// MaxBodyBytes caps every request body; larger bodies get 413.
	MaxBodyBytes int64
	// ReportsPerMinute is how many public reports one client may submit per minute; a
	// negative value disables the limit (load tests).
	ReportsPerMinute int
	// Limiter, when set, is the limit on public reports shared with the console's report
	// form; otherwise the API has its own, of ReportsPerMinute.
	Limiter *ratelimit.Limiter
	// ClientIPHeader names a header set by a trusted reverse proxy with the client address
	// (X-Forwarded-For, X-Real-IP); empty means the connection's address. It is used for rate
	// limiting only and never stored.
	ClientIPHeader string
	// MetricsToken is the credential a scraper presents to read /metrics; empty turns
	// /metrics off.
	MetricsToken string
	// DemoClock, when set, enables the demo-only clock endpoints.
	DemoClock *takedown.SimClock
	// OnClockAdvanced is called after the demo clock moved (to wake the scheduler).
	OnClockAdvanced func()
	// Log, when set, serves the audit log's tiles and checkpoint under /log/.
	Log http.Handler
	// FeedSigners sign the lists' feeds: the audit log's keys (the current one first), the
	// authority's one key. Without them, feeds are unavailable.
	FeedSigners []note.Signer
	// PublicURL is the address operators reach the server at, for the links in forms;
	// empty means the address each request came to.
	PublicURL string
}

// Defaults for Config.
const (
	DefaultMaxBodyBytes     = 64 << 10
	DefaultReportsPerMinute = 10
)

// Server is the HTTP API.
type Server struct {
	svc     *casework.Service
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	routes  []route
	limiter *ratelimit.Limiter
	metrics *metrics
	gather  prometheus.Gatherer
}

// New returns the API server. Its metrics are registered on reg and exposed at /metrics.
func New(svc *casework.Service, cfg Config, log *slog.Logger, reg *prometheus.Registry) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.ReportsPerMinute == 0 {
		cfg.ReportsPerMinute = DefaultReportsPerMinute
	}
	s := &Server{svc: svc, cfg: cfg, log: log, mux: http.NewServeMux(), limiter: cfg.Limiter, gather: reg}
	if s.limiter == nil {
		s.limiter = ratelimit.New(cfg.ReportsPerMinute)
	}
	s.metrics = newMetrics(reg, svc)
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+apiPrefix+rt.path, s.endpoint(rt))
	}
	s.mux.Handle("GET /metrics", s.metricsHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	if cfg.Log != nil {
		s.mux.Handle("GET /log/", s.counted("GET /log/", cfg.Log))
	}
	return s
}

// counted wraps a handler that is not an API route (the audit log's tiles) so that its
// requests are counted like the API's.
func (s *Server) counted(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		sw := httpstatus.New(w)
		h.ServeHTTP(sw, r)
		s.metrics.observe(route, sw.Status, time.Since(began))
	})
}

const apiPrefix = "/api/v1"

// ServeHTTP serves the API, turning the mux's own 404 and 405 answers into problem documents.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			writeProblem(w, takedown.Errorf(takedown.EINTERNAL, "internal error"))
		}
	}()
	// mux.Handler only looks the route up; mux.ServeHTTP also sets the path values.
	if _, pattern := s.mux.Handler(r); pattern == "" {
		w = &muxErrorWriter{ResponseWriter: w, path: r.URL.Path, method: r.Method}
	}
	s.mux.ServeHTTP(w, r)
}

// muxErrorWriter replaces the mux's plain-text 404 and 405 with problem documents.
type muxErrorWriter struct {
	http.ResponseWriter
	path, method string
	replaced     bool
}

func (m *muxErrorWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		m.replaced = true
		writeProblem(m.ResponseWriter, takedown.Errorf(takedown.ENOTFOUND, "there is no %s", m.path))
	case http.StatusMethodNotAllowed:
		m.replaced = true
		m.ResponseWriter.Header().Del("Content-Type")
		writeProblem(m.ResponseWriter, takedown.Errorf(takedown.EMETHOD,
			"method %s is not allowed on %s; allowed: %s", m.method, m.path, m.ResponseWriter.Header().Get("Allow")))
	default:
		m.ResponseWriter.WriteHeader(code)
	}
}

func (m *muxErrorWriter) Write(b []byte) (int, error) {
	if m.replaced {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

// endpoint wraps one route: it authenticates, applies the rate limit on public reports, runs
// the handler, renders the result, and counts and logs the request.
func (s *Server) endpoint(rt route) http.Handler {
	pattern := rt.method + " " + apiPrefix + rt.path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		status, err := s.serve(w, r, rt)
		elapsed := time.Since(began)
		s.metrics.observe(pattern, status, elapsed)
		attrs := []any{"route", pattern, "status", status, "ms", elapsed.Milliseconds()}
		switch {
		case r.Context().Err() != nil: // the client left; what it asked was not done, or is
			s.log.Info("request abandoned by the client", attrs...)
		case status >= 500:
			s.log.Error("request failed", append(attrs, "err", err)...)
		case s.log.Enabled(r.Context(), slog.LevelDebug):
			s.log.Debug("request", attrs...)
		}
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) (int, error) {
	ctx, err := s.authenticate(r)
	if err == nil && rt.limited && takedown.UserFromContext(ctx) == nil && !s.limiter.Allow(ratelimit.Client(r, s.cfg.ClientIPHeader)) {
		err = takedown.Errorf(takedown.ERATELIMITED, "too many reports from your connection; wait a minute and try again")
		w.Header().Set("Retry-After", "60")
	}
	var out any
	if err == nil {
		limit := s.cfg.MaxBodyBytes
		if rt.maxBody > 0 {
			limit = rt.maxBody
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		out, err = rt.handle(r.WithContext(ctx))
	}
	if err != nil {
		return writeProblem(w, err), err
	}
	if raw, ok := out.(rawResponse); ok {
		for k, v := range raw.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", raw.contentType)
		w.WriteHeader(rt.status)
		w.Write(raw.body)
		return rt.status, nil
	}
	writeJSON(w, rt.status, out)
	return rt.status, nil
}

// rawResponse is a handler result written as is, with its own headers.
type rawResponse struct {
	contentType string
	header      http.Header
	body        []byte
}

// authenticate resolves the bearer token, if any. A request without a token is the public;
// a request with a wrong token is refused, never downgraded to the public.
func (s *Server) authenticate(r *http.Request) (context.Context, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return r.Context(), nil
	}
	secret, ok := bearer(h)
	if !ok {
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
	}
	u, err := s.svc.Authenticate(r.Context(), secret)
	if err != nil {
		switch takedown.ErrorCode(err) {
		case takedown.EINTERNAL, takedown.EUNAVAILABLE: // the token could not be checked
			return nil, err
		}
		return nil, takedown.Errorf(takedown.EUNAUTHORIZED, "the token is not valid")
	}
	return takedown.NewContextWithUser(r.Context(), u), nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header value. The scheme is
// case-insensitive (RFC 9110).
func bearer(header string) (string, bool) {
	scheme, token, _ := strings.Cut(header, " ")
	return token, strings.EqualFold(scheme, "Bearer") && token != ""
}
