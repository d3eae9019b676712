// Package webui holds the pages people see in a browser: the console of officers,
// supervisors, the controller and operators; the public report form; and the stop page,
// which the ISPs' resolvers send the visitors of a blocked name to.
package webui

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// Blocked says whether a host name is blocked, and for which offence.
type Blocked func(host string) (offence string, blocked bool)

// StopPage is the page shown, for whatever Host a browser asks, instead of a blocked site:
// why the name is blocked, on what legal basis, and how to appeal, in French and English, with
// a link to the complaint page. It keeps no address, user agent or log of the visit: only a
// count of views per offence.
type StopPage struct {
	profile   *procedure.Profile
	blocked   Blocked
	complaint string
	views     *prometheus.CounterVec
}

// NewStopPage returns the stop page of the profile's blocking measures. complaint is the URL
// of the public complaint page; its metrics are registered on reg.
func NewStopPage(profile *procedure.Profile, blocked Blocked, complaint string, reg prometheus.Registerer) *StopPage {
	p := &StopPage{profile: profile, blocked: blocked, complaint: complaint,
		views: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_stop_page_views_total",
			Help: "Views of the stop page, by offence (\"\" for a name that is not, or no longer, blocked). Nothing else about a visit is kept."}, []string{"offence"})}
	reg.MustRegister(p.views)
	return p
}

// stopPageData is what the page shows, in each language.
type stopPageData struct {
	Host      string // the blocked name, only when it is blocked
	Authority string
	Complaint string
	Texts     []stopPageText
}

type stopPageText struct {
	Lang, Title, Intro, ReasonHeading, Reason, BasisHeading, Basis, RedressHeading, Redress, Complaint string
}

// ServeHTTP answers 451 Unavailable For Legal Reasons (RFC 7725) with the page.
func (p *StopPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(strings.TrimSuffix(r.Host, "."))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	offence, blocked := p.blocked(host)
	p.views.WithLabelValues(offence).Inc()
	d := stopPageData{Authority: p.profile.Authority, Complaint: p.complaint}
	if blocked {
		d.Host = host
		// The complaint form opens with the blocked name filled in.
		if u, err := url.Parse(p.complaint); err == nil {
			q := u.Query()
			q.Set("address", host)
			u.RawQuery = q.Encode()
			d.Complaint = u.String()
		}
	}
	rule, _ := p.profile.Measure(takedown.Blocking)
	o, known := p.profile.Offence(offence)
	for _, lang := range []string{"fr", "en"} {
		t := stopPageLabels[lang]
		t.Lang = lang
		if known {
			t.Reason = o.Title[lang] + " (" + o.LegalBasis[lang] + ")"
		} else {
			t.Reason = t.NoReason
		}
		t.Basis, t.Redress = rule.LegalBasis[lang], rule.Redress[lang]
		d.Texts = append(d.Texts, t.stopPageText)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusUnavailableForLegalReasons)
	if r.Method != http.MethodHead {
		stopPageTemplate.Execute(w, d)
	}
}

type labels struct {
	stopPageText
	NoReason string
}

// stopPageLabels are the page's fixed texts.
var stopPageLabels = map[string]labels{
	"fr": {stopPageText: stopPageText{Title: "Accès bloqué", Intro: "L'accès à ce site est bloqué à la demande de l'autorité administrative :",
		ReasonHeading: "Motif", BasisHeading: "Base légale", RedressHeading: "Voies et délais de recours",
		Complaint: "Contester cette mesure ou signaler une erreur"},
		NoReason: "Ce nom n'est pas, ou n'est plus, sur la liste de blocage ; votre fournisseur d'accès n'a peut-être pas encore reçu la dernière version de la liste."},
	"en": {stopPageText: stopPageText{Title: "Access blocked", Intro: "Access to this site is blocked at the request of the administrative authority:",
		ReasonHeading: "Reason", BasisHeading: "Legal basis", RedressHeading: "Means and deadlines of appeal",
		Complaint: "Contest this measure or report an error"},
		NoReason: "This name is not, or no longer, on the blocking list; your internet access provider may not have received its latest version yet."},
}

var stopPageTemplate = template.Must(template.New("stop").Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Accès bloqué — Access blocked</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f4; color: #1b1b1b; line-height: 1.5; }
main { max-width: 42rem; margin: 0 auto; padding: 1.5rem; }
section { background: #fff; border-top: 0.5rem solid #b00020; padding: 1rem 1.5rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.05rem; margin: 1rem 0 0.25rem; }
a { color: #0b4f9c; }
</style>
</head>
<body>
<main>
{{range .Texts}}<section lang="{{.Lang}}">
<h1>{{.Title}}{{if $.Host}} : {{$.Host}}{{end}}</h1>
<p>{{.Intro}} {{$.Authority}}.</p>
<h2>{{.ReasonHeading}}</h2>
<p>{{.Reason}}</p>
<h2>{{.BasisHeading}}</h2>
<p>{{.Basis}}</p>
<h2>{{.RedressHeading}}</h2>
<p>{{.Redress}}</p>
{{if $.Complaint}}<p><a href="{{$.Complaint}}">{{.Complaint}}</a></p>{{end}}
</section>
{{end}}</main>
</body>
</html>
`))
