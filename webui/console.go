package webui

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/internal/httpstatus"
	"github.com/takedown-project/takedown/internal/ratelimit"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// ConsoleConfig configures the console.
type ConsoleConfig struct {
	// Secure marks the session cookie Secure: the console is reached over HTTPS.
	Secure bool
	// Demo lists the demo's users on the sign-in page, each with a button that signs in as
	// it. Only `takedown demo` sets it.
	Demo bool
	// Clock is the store's clock, for the time left before deadlines.
	Clock takedown.Clock
	// Reports limits the public's reports per client, shared with the API; nil for none.
	Reports *ratelimit.Limiter
	// ClientIPHeader names the header a trusted reverse proxy puts the client's address in,
	// for the limit only; empty means the connection's address.
	ClientIPHeader string
}

// Console is the web console and the public pages: server-rendered HTML, forms that work
// without JavaScript, sessions in cookies, cross-origin requests refused. It calls casework
// for everything, as the API does, with the signed-in user in the context, so every role
// sees and does exactly what the API lets it.
type Console struct {
	svc     *casework.Service
	cfg     ConsoleConfig
	log     *slog.Logger
	mux     *http.ServeMux
	pages   map[string]*template.Template
	handler http.Handler
	zone    zoneInfo
	signins *ratelimit.Limiter // password attempts per connection
	metrics *prometheus.HistogramVec
}

// SignInURL is the address of a one-time sign-in link.
func SignInURL(base, secret string) string {
	return strings.TrimSuffix(base, "/") + "/signin/" + url.PathEscape(secret)
}

// NewConsole returns the console; its metrics are registered on reg.
func NewConsole(svc *casework.Service, cfg ConsoleConfig, log *slog.Logger, reg prometheus.Registerer) *Console {
	if cfg.Clock == nil {
		cfg.Clock = takedown.SystemClock{}
	}
	c := &Console{svc: svc, cfg: cfg, log: log, mux: http.NewServeMux(), pages: parsePages(),
		signins: ratelimit.New(maxSignInsPerMinute),
		metrics: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "takedown_console_request_seconds",
			Help: "Time to serve a page of the console or the public pages, by page and status.", Buckets: prometheus.DefBuckets},
			[]string{"page", "status"})}
	reg.MustRegister(c.metrics)
	c.routes()
	static, _ := fs.Sub(staticFiles, "static")
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	c.handler = http.NewCrossOriginProtection().Handler(c.mux)
	return c
}

// ServeHTTP serves a page; a panic is logged and shown as an internal error.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			c.log.Error("panic serving a page", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// Sign-in links carry their secret in the path: no page tells another site where it was.
	h.Set("Referrer-Policy", "no-referrer")
	c.handler.ServeHTTP(w, r)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// pageFunc serves one page for the user in v (nil for the public). It renders with
// c.render or redirects with c.redirect, or returns an error that the console shows.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) error

// page registers a page whose forms are at most maxFormBytes; signedIn pages send the public
// to the sign-in page.
func (c *Console) page(pattern string, signedIn bool, fn pageFunc) {
	c.pageUpTo(pattern, signedIn, maxFormBytes, fn)
}

// pageUpTo registers a page whose form may reach limit bytes.
func (c *Console) pageUpTo(pattern string, signedIn bool, limit int64, fn pageFunc) {
	c.mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		began := time.Now()
		w := httpstatus.New(rw)
		defer func() {
			c.metrics.WithLabelValues(pattern, strconv.Itoa(w.Status)).Observe(time.Since(began).Seconds())
		}()
		v := c.newView(w, r)
		if signedIn && v.User == nil {
			c.redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()))
			return
		}
		if signedIn {
			w.Header().Set("Cache-Control", "no-store")
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if err := fn(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	})
}

// maxFormBytes caps a form's body (the public report form's files have their own limit).
const maxFormBytes = 256 << 10

// sessionCookie holds a console session's secret.
const sessionCookie = "takedown_session"

// newView starts the view of a request: its language and its signed-in user.
func (c *Console) newView(w http.ResponseWriter, r *http.Request) *view {
	v := &view{Lang: language(r), Path: r.URL.Path, console: c, Errors: map[string]string{}, Form: url.Values{}}
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		u, err := c.svc.SessionUser(r.Context(), ck.Value)
		switch {
		case err == nil:
			v.User = u
		case takedown.ErrorCode(err) == takedown.EUNAUTHORIZED:
			c.clearSession(w)
		default:
			c.log.Error("console: read session", "err", err)
		}
	}
	return v
}

// ctx is the request's context with the signed-in user, for casework.
func (v *view) ctx(r *http.Request) context.Context {
	if v.User == nil {
		return r.Context()
	}
	return takedown.NewContextWithUser(r.Context(), v.User)
}

func (c *Console) setSession(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: c.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(takedown.SessionLifetime / time.Second)})
}

func (c *Console) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: c.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// render writes a page with its layout.
func (c *Console) render(w http.ResponseWriter, v *view, status int, name string, data any) error {
	t, ok := c.pages[name]
	if !ok {
		return errors.New("webui: no page " + name)
	}
	v.Data = data
	if v.Nonce == "" {
		v.Nonce = newNonce()
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// redirect answers a form with 303 See Other, so that reloading the page does not post it
// again.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// fail shows an error: the sign-in page for the public, otherwise the error page with the
// message of the domain's error (never an internal error's details).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code := takedown.ErrorCode(err)
	if code == takedown.EINTERNAL {
		c.log.Error("console: page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == takedown.EUNAUTHORIZED && v.User == nil {
		c.redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()))
		return
	}
	if tooBig, ok := tooLarge(err); ok {
		err, code = tooBig, takedown.ETOOLARGE
	}
	v.Title = v.T("error.title")
	if rerr := c.render(w, v, takedown.HTTPStatus(code), "error", errorPage{Code: code, Message: takedown.ErrorMessage(err)}); rerr != nil {
		c.log.Error("console: render error page", "err", rerr)
	}
}

type errorPage struct{ Code, Message string }

// invalid re-renders a form with the error beside its field: the domain's error names the
// field (as in the API), or the error goes at the top of the form.
func (v *view) invalid(err error) bool {
	switch takedown.ErrorCode(err) {
	case takedown.EINVALID, takedown.ECONFLICT, takedown.EPRECONDITION, takedown.EFORBIDDEN, takedown.ETOOLARGE, takedown.ENOTFOUND,
		takedown.ERATELIMITED:
	default:
		return false
	}
	field := takedown.ErrorField(err)
	if i := strings.IndexAny(field, "[."); i > 0 {
		field = field[:i]
	}
	v.Errors[field] = v.message(takedown.ErrorMessage(err))
	return true
}

// view is what every template gets: the language, the user, the form being redisplayed
// with its errors, and the page's own data.
type view struct {
	Lang   string
	User   *takedown.User
	Title  string
	Path   string
	Flash  string
	Errors map[string]string // by field; "" is the form's own error
	Form   url.Values        // the values posted, to fill the form again
	Nonce  string            // the form's one-time id, against double submission
	Data   any

	console *Console
}

// T translates a key of the catalogue into the view's language.
func (v *view) T(key string, args ...any) string { return translate(v.Lang, key, args...) }

// Authority is the authority's name.
func (v *view) Authority() string { return v.console.svc.Profile().Authority }

// Is reports whether the user has one of the roles.
func (v *view) Is(roles ...string) bool {
	if v.User == nil {
		return false
	}
	for _, r := range roles {
		if string(v.User.Role) == r {
			return true
		}
	}
	return false
}

// Value is the value a form field had when posted, or def.
func (v *view) Value(field, def string) string {
	if vs, ok := v.Form[field]; ok && len(vs) > 0 {
		return vs[0]
	}
	return def
}

// Nav is the menu for the user's role.
func (v *view) Nav() []navItem {
	var items []navItem
	add := func(path, key string) {
		items = append(items, navItem{Path: path, Label: v.T(key), Current: v.Path == path || strings.HasPrefix(v.Path, path+"/")})
	}
	switch {
	case v.User == nil:
		add("/report", "nav.report")
		add("/complaint", "nav.complaint")
		add("/figures", "nav.figures")
	case v.User.Role.IsAuthority():
		add("/console/cases", "nav.queue")
		if v.User.Role == takedown.RoleSupervisor {
			add("/console/approvals", "nav.approvals")
		}
		add("/console/lists", "nav.lists")
		add("/console/complaints", "nav.complaints")
		add("/console/recommendations", "nav.recommendations")
		add("/console/dashboard", "nav.dashboard")
		add("/console/transparency", "nav.transparency")
	case v.User.Role == takedown.RoleController:
		add("/console/dashboard", "nav.dashboard")
		add("/console/reviews", "nav.reviews")
		add("/console/cases", "nav.cases")
		add("/console/lists", "nav.lists")
		add("/console/complaints", "nav.complaints")
		add("/console/recommendations", "nav.recommendations")
		add("/console/transparency", "nav.transparency")
	case v.User.Role == takedown.RoleOperator:
		add("/console/deliveries", "nav.deliveries")
		add("/console/transparency", "nav.transparency")
		add("/console/lists", "nav.lists")
	case v.User.Role == takedown.RoleFlagger:
		add("/console/reports", "nav.reports")
		add("/report", "nav.report")
	}
	return items
}

type navItem struct {
	Path, Label string
	Current     bool
}

// submit runs a form's action once. A second submission of the same form goes where the first
// went. On success the browser goes to the address act returns; on an error of the user's, the
// form's page is shown again by again, with the message beside its field.
func (c *Console) submit(w http.ResponseWriter, r *http.Request, v *view, act func() (to string, err error), again func(status int) error) error {
	if err := r.ParseForm(); err != nil {
		return formTooLarge(err)
	}
	form, done, err := c.claimForm(w, r)
	if done || err != nil {
		return err
	}
	v.Form = r.PostForm
	to, err := act()
	if err == nil {
		c.finishForm(r, form, to)
		c.redirect(w, r, to)
		return nil
	}
	c.releaseForm(r, form)
	if !v.invalid(err) {
		return err
	}
	return again(takedown.HTTPStatus(takedown.ErrorCode(err)))
}

// claimForm reads a posted form's one-time id and claims it, in the database, so that it
// holds across replicas. A second submission of the same form is sent where the first went,
// instead of being done twice; one that comes while the first is still being done is refused.
func (c *Console) claimForm(w http.ResponseWriter, r *http.Request) (id string, done bool, err error) {
	id = r.PostFormValue("form_id")
	switch {
	case id == "":
		return "", false, nil
	case len(id) > 64: // the console's are 22 characters; a longer one is not the console's
		return "", true, takedown.Invalid("form_id", "is not a form id of this console: reload the page")
	}
	id += " " + r.URL.Path // a page's forms share its id; each posts to its own path
	to, seen, err := c.svc.ClaimForm(r.Context(), id)
	switch {
	case err != nil:
		return id, true, err
	case seen && to == "":
		return id, true, takedown.Errorf(takedown.ECONFLICT, "this form is being sent already; wait for its answer")
	case seen:
		c.redirect(w, r, to)
		return id, true, nil
	}
	return id, false, nil
}

// finishForm records where a claimed form led; releaseForm forgets one that failed. Neither
// fails the request, whose action is done (or refused) already: a form whose id stays
// claimed is refused as in progress if sent again, within FormsRemembered.
func (c *Console) finishForm(r *http.Request, id, to string) {
	if id == "" {
		return
	}
	if err := c.svc.FinishForm(r.Context(), id, to); err != nil {
		c.log.Warn("a form's outcome could not be recorded", "err", err)
	}
}

func (c *Console) releaseForm(r *http.Request, id string) {
	if id == "" {
		return
	}
	if err := c.svc.ReleaseForm(r.Context(), id); err != nil {
		c.log.Warn("a failed form could not be released", "err", err)
	}
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath returns next if it is a path on this site, else the console's home.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/console/"
	}
	return next
}

// pathID reads the {id} of a path.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, takedown.Errorf(takedown.ENOTFOUND, "there is no %s", r.URL.Path)
	}
	return id, nil
}
