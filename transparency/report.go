package transparency

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/chart"
	"github.com/takedown-project/takedown/procedure"
)

// The reports.
const (
	// Annual is the controller's annual activity report to Government and Parliament.
	Annual = "annual"
	// Authority is the authority's transparency report: TCO Regulation (EU) 2021/784 art. 8,
	// and the counts the DSA templates ask on Member State orders (art. 9).
	Authority = "authority"
)

// Languages are the languages the reports are written in.
var Languages = []string{"fr", "en"}

// Report is a report laid out, independent of its format: HTML and PDF draw the same one.
type Report struct {
	Kind, Lang string
	Title      string
	Subtitle   string
	Authority  string
	Period     string
	// Notes are said on the cover: the period not over, an empty record.
	Notes     []string
	Generated string
	// AsOf is when the figures were computed.
	AsOf     time.Time
	Summary  []KeyFigure
	Sections []Section
}

// KeyFigure is one figure of the summary.
type KeyFigure struct {
	Label, Value string
}

// Section is one part of a report.
type Section struct {
	Title      string
	Paragraphs []string
	Tables     []Table
	Charts     []Chart
}

// Table is a table of figures; the first column names the rows.
type Table struct {
	Caption string
	Head    []string
	Rows    [][]string
}

// Chart is a chart's data: columns (months) or stacked horizontal bars.
type Chart struct {
	Title   string
	Columns bool
	Bars    []chart.Bar
}

// NewReport lays out a report (Annual, the default, or Authority) of the figures in a
// language (fr, the default, or en).
func NewReport(kind string, f *Figures, p *procedure.Profile, lang string) (*Report, error) {
	if kind == "" {
		kind = Annual
	}
	if lang == "" {
		lang = "fr"
	}
	if lang != "fr" && lang != "en" {
		return nil, takedown.Invalid("lang", "must be fr or en, not %q", lang)
	}
	b := &builder{f: f, p: p, lang: lang, loc: p.Location()}
	r := &Report{Kind: kind, Lang: lang, Authority: p.Authority, Period: b.period(), Generated: b.when(f.AsOf), AsOf: f.AsOf}
	if f.Partial {
		r.Notes = append(r.Notes, b.t(fmt.Sprintf("The period is not over: the figures are those recorded up to %s.", b.when(f.AsOf)),
			fmt.Sprintf("La période n'est pas terminée : les chiffres sont ceux enregistrés jusqu'au %s.", b.when(f.AsOf))))
	}
	if f.Events == 0 {
		r.Notes = append(r.Notes, b.t("No event is recorded in this period: every figure is zero.",
			"Aucun événement n'est enregistré sur cette période : tous les chiffres sont nuls."))
	}
	switch kind {
	case Annual:
		r.Title = b.t("Annual activity report of the qualified person", "Rapport annuel d'activité de la personnalité qualifiée")
		r.Subtitle = b.t("Administrative removal, blocking and dereferencing of terrorist and child sexual abuse content",
			"Retrait, blocage et déréférencement administratifs des contenus terroristes et pédopornographiques")
		b.annual(r)
	case Authority:
		r.Title = b.t("Transparency report of the competent authority", "Rapport de transparence de l'autorité compétente")
		r.Subtitle = b.t("Regulation (EU) 2021/784, article 8, and Regulation (EU) 2022/2065, article 9 orders",
			"Règlement (UE) 2021/784, article 8, et injonctions de l'article 9 du règlement (UE) 2022/2065")
		b.authority(r)
	default:
		return nil, takedown.Invalid("report", "must be %s or %s, not %q", Annual, Authority, kind)
	}
	return r, nil
}

type builder struct {
	f    *Figures
	p    *procedure.Profile
	lang string
	loc  *time.Location
}

func (b *builder) t(en, fr string) string {
	if b.lang == "fr" {
		return fr
	}
	return en
}

func (b *builder) when(t time.Time) string {
	t = t.In(b.loc)
	if b.lang == "fr" {
		return t.Format("02/01/2006 15:04")
	}
	return t.Format("2 January 2006 15:04")
}

func (b *builder) period() string {
	from, before := b.f.Period.From.In(b.loc), b.f.Period.Before.In(b.loc)
	last := before.AddDate(0, 0, -1)
	if from.Month() == 1 && from.Day() == 1 && before.Equal(from.AddDate(1, 0, 0)) {
		return b.t("Year ", "Année ") + strconv.Itoa(from.Year())
	}
	return b.t(fmt.Sprintf("%s to %s", from.Format(time.DateOnly), last.Format(time.DateOnly)),
		fmt.Sprintf("du %s au %s", from.Format("02/01/2006"), last.Format("02/01/2006")))
}

// n writes a count with a thin grouping of thousands.
func (b *builder) n(v int) string {
	s := strconv.Itoa(v)
	sep := ","
	if b.lang == "fr" {
		sep = " "
	}
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

func (b *builder) c(name string) string { return b.n(b.f.Count(name)) }

// d writes a duration in the largest fitting unit.
func (b *builder) d(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	default:
		return fmt.Sprintf("%.1f %s", d.Hours()/24, b.t("days", "jours"))
	}
}

func (b *builder) kind(k takedown.MeasureKind) string {
	names := map[takedown.MeasureKind][2]string{
		takedown.RemovalRequest: {"Removal requests", "Demandes de retrait"},
		takedown.RemovalOrder:   {"TCO removal orders", "Injonctions de retrait TCO"},
		takedown.Referral:       {"Referrals", "Signalements aux plateformes"},
		takedown.Blocking:       {"Blocking", "Blocage"},
		takedown.Dereferencing:  {"Dereferencing", "Déréférencement"},
	}
	if n, ok := names[k]; ok {
		return b.t(n[0], n[1])
	}
	return string(k)
}

func (b *builder) channel(c string) string {
	names := map[string][2]string{"public": {"Public", "Public"}, "flagger": {"Trusted flaggers", "Signaleurs de confiance"},
		"authority": {"The authority's own", "L'autorité elle-même"}}
	if n, ok := names[c]; ok {
		return b.t(n[0], n[1])
	}
	return c
}

func (b *builder) offence(code string) string {
	if code == "unqualified" {
		return b.t("Not qualified", "Non qualifié")
	}
	if o, ok := b.p.Offence(code); ok {
		return o.Title.In(b.lang)
	}
	return code
}

func (b *builder) outcome(o string) string {
	names := map[string][2]string{"complied": {"Complied with", "Exécutées"}, "declined": {"Declined", "Refusées"},
		"lifted": {"Lifted", "Levées"}, "withdrawn": {"Withdrawn", "Retirées"}, "active": {"Still active", "Toujours actives"},
		"annulled": {"Annulled", "Annulées"}, "upheld": {"Upheld", "Confirmées"}, "dismissed": {"Dismissed", "Rejetées"}}
	if n, ok := names[o]; ok {
		return b.t(n[0], n[1])
	}
	return o
}

// suffixes lists what follows prefix in the figures' names, sorted.
func (b *builder) suffixes(prefix string) []string {
	var out []string
	for name := range b.f.Counts {
		if s, ok := strings.CutPrefix(name, prefix); ok && !strings.Contains(s, ".") {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) times(name string) []string {
	t, ok := b.f.Times[name]
	if !ok || t.N == 0 {
		return []string{"0", "—", "—"}
	}
	return []string{b.n(t.N), b.d(t.Median), b.d(t.P90)}
}

var outcomes = []string{"complied", "declined", "lifted", "withdrawn", "active"}

func (b *builder) annual(r *Report) {
	f := b.f
	issued := f.Sum("measures.issued.")
	r.Summary = []KeyFigure{
		{b.t("Reports received", "Signalements reçus"), b.c("reports.received")},
		{b.t("Cases opened", "Dossiers ouverts"), b.c("cases.opened")},
		{b.t("Measures issued", "Mesures prises"), b.n(issued)},
		{b.t("Removal requests and orders complied with", "Demandes et injonctions de retrait exécutées"),
			b.n(f.Count("measures.outcome.removal_request.complied") + f.Count("measures.outcome.removal_order.complied"))},
		{b.t("Addresses blocked", "Adresses bloquées"), b.c("lists.added.blocking")},
		{b.t("Addresses dereferenced", "Adresses déréférencées"), b.c("lists.added.dereferencing")},
		{b.t("Recommendations made", "Recommandations émises"), b.c("recommendations.made")},
		{b.t("Recommendations followed", "Recommandations suivies"), b.c("recommendations.followed")},
	}
	r.Sections = append(r.Sections, b.reports(), b.qualification(), b.removals(), b.lists(), b.recommendations(),
		b.operatorsSection(), b.method(), b.missingSection())
}

func (b *builder) reports() Section {
	s := Section{Title: b.t("1. Reports received", "1. Signalements reçus")}
	s.Paragraphs = []string{b.t(
		fmt.Sprintf("%s reports were received in the period. A report about content already under examination joins its case and is counted once.", b.c("reports.received")),
		fmt.Sprintf("%s signalements ont été reçus sur la période. Un signalement portant sur un contenu déjà examiné rejoint son dossier et n'est compté qu'une fois.", b.c("reports.received")))}
	ch := Table{Caption: b.t("Reports by channel", "Signalements par canal"), Head: []string{b.t("Channel", "Canal"), b.t("Reports", "Signalements")}}
	for _, c := range b.suffixes("reports.channel.") {
		ch.Rows = append(ch.Rows, []string{b.channel(c), b.c("reports.channel." + c)})
	}
	of := Table{Caption: b.t("Reports by offence (as qualified)", "Signalements par infraction (selon la qualification)"),
		Head: []string{b.t("Offence", "Infraction"), b.t("Reports", "Signalements")}}
	for _, o := range b.suffixes("reports.offence.") {
		of.Rows = append(of.Rows, []string{b.offence(o), b.c("reports.offence." + o)})
	}
	s.Tables = []Table{ch, of}
	months := Chart{Title: b.t("Reports received per month", "Signalements reçus par mois"), Columns: true}
	from := b.f.Period.From.In(b.loc)
	for m := from; m.Before(b.f.Period.Before) && len(months.Bars) < 24; m = m.AddDate(0, 1, 0) {
		n := b.f.Count("reports.month." + m.Format("2006-01"))
		months.Bars = append(months.Bars, chart.Bar{Label: m.Format("01"), Segments: []chart.Segment{{Series: "reports", Label: b.t("reports", "signalements"), Value: n}}})
	}
	s.Charts = []Chart{months}
	return s
}

func (b *builder) qualification() Section {
	s := Section{Title: b.t("2. Qualification and approval", "2. Qualification et validation")}
	s.Paragraphs = []string{b.t(
		"Each case is qualified by an officer (offence, elements, reasons) and approved by a second officer before any measure; it may instead be dismissed.",
		"Chaque dossier est qualifié par un agent (infraction, éléments, motifs) et validé par un second agent avant toute mesure ; il peut au contraire être classé.")}
	s.Tables = []Table{{Caption: b.t("Cases", "Dossiers"), Head: []string{"", b.t("Cases", "Dossiers")}, Rows: [][]string{
		{b.t("Opened", "Ouverts"), b.c("cases.opened")},
		{b.t("Qualified", "Qualifiés"), b.c("cases.qualified")},
		{b.t("Approved (four eyes)", "Validés (double regard)"), b.c("cases.approved")},
		{b.t("Dismissed", "Classés"), b.c("cases.dismissed")},
		{b.t("Closed", "Clos"), b.c("cases.closed")},
	}}, {Caption: b.t("Time from the first report to the decision", "Délai entre le premier signalement et la décision"),
		Head: []string{"", b.t("Measured", "Mesurés"), b.t("Median", "Médiane"), b.t("90th percentile", "9e décile")},
		Rows: [][]string{append([]string{b.t("Report → approval or dismissal", "Signalement → validation ou classement")}, b.times("time.report_to_decision")...)}}}
	return s
}

func (b *builder) removals() Section {
	s := Section{Title: b.t("3. Removal requests, orders and referrals", "3. Demandes de retrait, injonctions et signalements")}
	s.Paragraphs = []string{b.t(
		"A removal request gives the host 24 hours; a TCO removal order, one hour from its receipt. The deadline is met when the host reports compliance, or the list is deployed, by then.",
		"Une demande de retrait laisse 24 heures à l'hébergeur ; une injonction TCO, une heure à compter de sa réception. Le délai est tenu si l'hébergeur déclare l'exécution, ou si la liste est déployée, avant son terme.")}
	out := Table{Caption: b.t("Measures issued, by kind and outcome", "Mesures prises, par nature et par issue"),
		Head: []string{b.t("Kind", "Nature"), b.t("Issued", "Prises")}}
	for _, o := range outcomes {
		out.Head = append(out.Head, b.outcome(o))
	}
	dl := Table{Caption: b.t("Deadlines", "Délais"), Head: []string{b.t("Kind", "Nature"), b.t("Met", "Tenus"), b.t("Missed", "Dépassés")}}
	tm := Table{Caption: b.t("Times (median and 90th percentile)", "Délais constatés (médiane et 9e décile)"),
		Head: []string{b.t("Kind and step", "Nature et étape"), b.t("Measured", "Mesurés"), b.t("Median", "Médiane"), b.t("90th percentile", "9e décile")}}
	bars := Chart{Title: b.t("Measures issued, by kind and outcome", "Mesures prises, par nature et par issue")}
	for _, k := range takedown.MeasureKinds {
		ks := string(k)
		row := []string{b.kind(k), b.c("measures.issued." + ks)}
		bar := chart.Bar{Label: b.kind(k)}
		for _, o := range outcomes {
			n := b.f.Count("measures.outcome." + ks + "." + o)
			row = append(row, b.n(n))
			bar.Segments = append(bar.Segments, chart.Segment{Series: o, Label: b.outcome(o), Value: n})
		}
		out.Rows = append(out.Rows, row)
		bars.Bars = append(bars.Bars, bar)
		dl.Rows = append(dl.Rows, []string{b.kind(k), b.c("deadlines.met." + ks), b.c("deadlines.missed." + ks)})
		if k.IsList() {
			continue
		}
		tm.Rows = append(tm.Rows,
			append([]string{b.kind(k) + b.t(": issue → receipt", " : envoi → réception")}, b.times("time.issue_to_receipt."+ks)...),
			append([]string{b.kind(k) + b.t(": receipt → compliance", " : réception → exécution")}, b.times("time.receipt_to_compliance."+ks)...))
	}
	of := Table{Caption: b.t("Measures by offence", "Mesures par infraction"), Head: []string{b.t("Offence", "Infraction"), b.t("Measures", "Mesures")}}
	for _, o := range b.suffixes("measures.offence.") {
		of.Rows = append(of.Rows, []string{b.offence(o), b.c("measures.offence." + o)})
	}
	s.Tables = []Table{out, of, dl, tm}
	s.Charts = []Chart{bars}
	return s
}

func (b *builder) lists() Section {
	s := Section{Title: b.t("4. Blocking and dereferencing", "4. Blocage et déréférencement")}
	s.Paragraphs = []string{b.t(
		"Addresses are put on the blocking list (ISPs, 24 hours) or the dereferencing list (search engines, 48 hours), re-checked at least every quarter and lifted when the content is gone or no longer illegal.",
		"Les adresses sont inscrites sur la liste de blocage (FAI, 24 heures) ou de déréférencement (moteurs de recherche, 48 heures), réexaminées au moins chaque trimestre et retirées lorsque le contenu a disparu ou n'est plus illicite.")}
	t := Table{Caption: b.t("List entries", "Inscriptions sur les listes"), Head: []string{"", b.kind(takedown.Blocking), b.kind(takedown.Dereferencing)}}
	for _, r := range []struct{ label, name string }{
		{b.t("Measures", "Mesures"), "measures.issued."},
		{b.t("Addresses added", "Adresses inscrites"), "lists.added."},
		{b.t("Re-checks confirming", "Réexamens confirmant"), "lists.rechecked."},
		{b.t("Lifted", "Retraits de la liste"), "lists.lifted."},
	} {
		t.Rows = append(t.Rows, []string{r.label, b.c(r.name + "blocking"), b.c(r.name + "dereferencing")})
	}
	s.Tables = []Table{t}
	return s
}

func (b *builder) recommendations() Section {
	s := Section{Title: b.t("5. Recommendations and their follow-up", "5. Recommandations et suites données")}
	s.Paragraphs = []string{b.t(
		"The qualified person may at any time recommend ending a measure; the authority answers with reasons, and if it declines, the qualified person may refer the matter to the administrative court.",
		"La personnalité qualifiée peut à tout moment recommander de mettre fin à une mesure ; l'autorité répond de façon motivée et, si elle ne la suit pas, la personnalité qualifiée peut saisir la juridiction administrative.")}
	t := Table{Caption: b.t("Recommendations", "Recommandations"), Head: []string{"", b.t("Number", "Nombre")}, Rows: [][]string{
		{b.t("Made", "Émises"), b.c("recommendations.made")},
		{b.t("Followed", "Suivies"), b.c("recommendations.followed")},
		{b.t("Declined", "Non suivies"), b.c("recommendations.declined")},
		{b.t("Referred to the administrative court", "Portées devant la juridiction administrative"), b.c("recommendations.referred")},
	}}
	for _, o := range b.suffixes("recommendations.decided.") {
		t.Rows = append(t.Rows, []string{b.t("Court decisions: ", "Décisions de justice : ") + b.outcome(o), b.c("recommendations.decided." + o)})
	}
	c := Table{Caption: b.t("Complaints against measures", "Réclamations contre les mesures"), Head: []string{"", b.t("Number", "Nombre")}, Rows: [][]string{
		{b.t("Received", "Reçues"), b.c("complaints.received")},
		{b.t("Answered", "Traitées"), b.c("complaints.answered")},
	}}
	s.Tables = []Table{t, c}
	return s
}

func (b *builder) operatorsSection() Section {
	s := Section{Title: b.t("6. Compliance by operator", "6. Exécution par opérateur")}
	s.Paragraphs = []string{b.t("Deliveries for action sent to each operator in the period, and what became of them.",
		"Transmissions appelant une action adressées à chaque opérateur sur la période, et leurs suites.")}
	t := Table{Caption: b.t("Operators", "Opérateurs"), Head: []string{b.t("Operator", "Opérateur"), b.t("Sent", "Envoyées"),
		b.t("Received", "Reçues"), b.t("Complied", "Exécutées"), b.t("Met", "Délai tenu"), b.t("Missed", "Délai dépassé"),
		b.t("Cannot comply", "Impossibilité"), b.t("Declined", "Refus"), b.t("Disputed", "Contestées")}}
	chartRows := Chart{Title: b.t("Deadlines by operator", "Délais par opérateur")}
	for _, o := range b.f.Operators {
		name := o.Name
		if name == "" {
			name = "#" + strconv.FormatInt(o.ID, 10)
		}
		t.Rows = append(t.Rows, []string{name, b.n(o.Sent), b.n(o.Received), b.n(o.Complied), b.n(o.Met), b.n(o.Missed),
			b.n(o.CannotComply), b.n(o.Declined), b.n(o.Disputed)})
		chartRows.Bars = append(chartRows.Bars, chart.Bar{Label: name, Segments: []chart.Segment{
			{Series: "met", Label: b.t("met", "tenus"), Value: o.Met}, {Series: "missed", Label: b.t("missed", "dépassés"), Value: o.Missed}}})
	}
	s.Tables = []Table{t}
	if len(chartRows.Bars) > 0 {
		s.Charts = []Chart{chartRows}
	}
	return s
}

func (b *builder) method() Section {
	return Section{Title: b.t("7. Method and definitions", "7. Méthode et définitions"), Paragraphs: []string{
		b.t("Every figure is counted by the program from the record of events that the system writes with each change, in the same transaction as the change and with a leaf in the tamper-evident audit log. No figure is typed in by hand.",
			"Chaque chiffre est compté par le programme à partir du registre des événements que le système écrit à chaque changement, dans la même transaction que ce changement et avec une feuille dans le journal d'audit infalsifiable. Aucun chiffre n'est saisi à la main."),
		b.t("Every figure can be traced to the events it counts (takedown transparency trace), and each of those events checked against the audit log with its inclusion proof.",
			"Chaque chiffre peut être rattaché aux événements qu'il compte (takedown transparency trace), et chacun de ces événements vérifié dans le journal d'audit par sa preuve d'inclusion."),
		b.t("A measure is counted in the period it was issued in; its outcome is the last of complied, declined, lifted or withdrawn recorded before the end of the period. Times are measured between two events of the period: from the opening of the case to its approval or dismissal; from the sending of a delivery for action to its first receipt; from the receipt to the operator's compliance. The median is the middle value; the 90th percentile the value below which nine in ten fall (nearest rank).",
			"Une mesure est comptée sur la période où elle a été prise ; son issue est la dernière parmi exécutée, refusée, levée ou retirée enregistrée avant la fin de la période. Les délais sont mesurés entre deux événements de la période : de l'ouverture du dossier à sa validation ou à son classement ; de l'envoi d'une transmission appelant une action à sa première réception ; de la réception à l'exécution par l'opérateur. La médiane est la valeur centrale ; le 9e décile la valeur sous laquelle se trouvent neuf mesures sur dix (rang le plus proche)."),
		b.t("The definitions of each figure are in docs/transparency.md.", "La définition de chaque chiffre figure dans docs/transparency.md."),
	}}
}

func (b *builder) missingSection() Section {
	s := Section{Title: b.t("8. What the data do not say", "8. Ce que les données ne disent pas")}
	if len(b.f.Missing) == 0 {
		s.Paragraphs = append(s.Paragraphs, b.t("No recorded event lacked a field that a figure needs.",
			"Aucun événement enregistré ne manquait d'une donnée nécessaire à un chiffre."))
	} else {
		t := Table{Caption: b.t("Events lacking a field: counted where possible, left out of the figures that need it",
			"Événements auxquels manque une donnée : comptés quand c'est possible, exclus des chiffres qui en ont besoin"),
			Head: []string{b.t("Event and field", "Événement et donnée"), b.t("Events", "Événements")}}
		var names []string
		for name := range b.f.Missing {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			t.Rows = append(t.Rows, []string{strings.TrimPrefix(name, "missing."), b.n(b.f.Missing[name])})
		}
		s.Tables = []Table{t}
	}
	s.Paragraphs = append(s.Paragraphs,
		b.t("Not recorded by this system: the costs compensated to operators; what happens to content after the period ends (a measure's later outcome counts in a later report); the times of events before the period began.",
			"Non enregistré par ce système : les surcoûts compensés aux opérateurs ; ce qu'il advient des contenus après la fin de la période (l'issue ultérieure d'une mesure compte dans un rapport ultérieur) ; les délais dont le début précède la période."))
	return s
}

func (b *builder) authority(r *Report) {
	f := b.f
	order := string(takedown.RemovalOrder)
	notRecorded := b.t("not recorded by this system", "non enregistré par ce système")
	removed := f.Count("measures.outcome." + order + ".complied")
	r.Summary = []KeyFigure{
		{b.t("Removal orders issued", "Injonctions de retrait émises"), b.c("measures.issued." + order)},
		{b.t("Content removed or disabled", "Contenus retirés ou rendus inaccessibles"), b.n(removed)},
		{b.t("Deadlines missed", "Délais dépassés"), b.c("deadlines.missed." + order)},
		{b.t("Member State orders to act (DSA art. 9)", "Injonctions d'agir d'un État membre (DSA art. 9)"),
			b.n(f.Count("measures.issued."+order) + f.Count("measures.issued."+string(takedown.RemovalRequest)))},
	}
	tco := Section{Title: b.t("1. Removal orders (TCO Regulation, art. 8(1))", "1. Injonctions de retrait (règlement TCO, art. 8, § 1)")}
	tco.Tables = []Table{{Caption: b.t("Art. 8(1)", "Art. 8, § 1"), Head: []string{b.t("Item", "Élément"), b.t("Figure", "Chiffre")}, Rows: [][]string{
		{b.t("(a) Removal orders issued", "a) Injonctions de retrait émises"), b.c("measures.issued." + order)},
		{b.t("(a) Subject to scrutiny under art. 4 (cross-border)", "a) Soumises à examen au titre de l'art. 4 (transfrontières)"), notRecorded},
		{b.t("(b) Orders with which content was removed or disabled", "b) Injonctions suivies du retrait ou du blocage du contenu"), b.n(removed)},
		{b.t("(b) Orders not complied with (cannot comply, declined, still pending)", "b) Injonctions non exécutées (impossibilité, refus, en cours)"),
			b.n(f.Count("measures.issued."+order) - removed)},
		{b.t("(b) Deadline of one hour met / missed", "b) Délai d'une heure tenu / dépassé"),
			b.c("deadlines.met."+order) + " / " + b.c("deadlines.missed."+order)},
		{b.t("(c) Specific measures (art. 5)", "c) Mesures spécifiques (art. 5)"), notRecorded},
		{b.t("(d) Administrative and judicial review: complaints received / answered", "d) Recours administratifs et juridictionnels : réclamations reçues / traitées"),
			b.c("complaints.received") + " / " + b.c("complaints.answered")},
		{b.t("(d) Referrals to the court by the qualified person, and decisions", "d) Saisines de la juridiction par la personnalité qualifiée, et décisions"),
			b.c("recommendations.referred") + " / " + b.n(f.Sum("recommendations.decided."))},
		{b.t("(e) Penalties imposed (art. 18)", "e) Sanctions infligées (art. 18)"), notRecorded},
	}}}
	byOffence := Table{Caption: b.t("Removal orders by type of terrorist content (art. 2(7))", "Injonctions par type de contenu terroriste (art. 2, § 7)"),
		Head: []string{b.t("Offence", "Infraction"), b.t("TCO category", "Catégorie TCO"), b.t("Orders", "Injonctions")}}
	for _, o := range b.suffixes("measures.kind_offence." + order + ".") {
		cat := ""
		if off, ok := b.p.Offence(o); ok {
			cat = off.Category
		}
		byOffence.Rows = append(byOffence.Rows, []string{b.offence(o), cat, b.c("measures.kind_offence." + order + "." + o)})
	}
	tco.Tables = append(tco.Tables, byOffence)

	dsa := Section{Title: b.t("2. Orders to act against illegal content (DSA, art. 9)", "2. Injonctions d'agir contre des contenus illicites (DSA, art. 9)")}
	dsa.Paragraphs = []string{b.t(
		fmt.Sprintf("Removal requests and TCO removal orders are the orders this authority addresses to providers. All are issued by %s (Member State %s).", b.p.Authority, b.p.MemberState),
		fmt.Sprintf("Les demandes de retrait et les injonctions TCO sont les injonctions que cette autorité adresse aux fournisseurs. Toutes sont émises par %s (État membre %s).", b.p.Authority, b.p.MemberState))}
	types := Table{Caption: b.t("Orders by type of illegal content", "Injonctions par type de contenu illicite"),
		Head: []string{b.t("Type of illegal content", "Type de contenu illicite"), b.kind(takedown.RemovalRequest), b.kind(takedown.RemovalOrder)}}
	seen := map[string]bool{}
	for _, k := range []takedown.MeasureKind{takedown.RemovalRequest, takedown.RemovalOrder} {
		for _, o := range b.suffixes("measures.kind_offence." + string(k) + ".") {
			if !seen[o] {
				seen[o] = true
				types.Rows = append(types.Rows, []string{b.offence(o), b.c("measures.kind_offence.removal_request." + o), b.c("measures.kind_offence.removal_order." + o)})
			}
		}
	}
	states := Table{Caption: b.t("Orders by issuing Member State", "Injonctions par État membre émetteur"),
		Head: []string{b.t("Member State", "État membre"), b.t("Orders", "Injonctions")},
		Rows: [][]string{{b.p.MemberState, b.n(f.Count("measures.issued.removal_request") + f.Count("measures.issued.removal_order"))}}}
	median := func(name string) string {
		if t := f.Times[name]; t.N > 0 {
			return b.d(t.Median)
		}
		return "—"
	}
	times := Table{Caption: b.t("Median times", "Délais médians"), Head: []string{"", b.t("To confirm receipt", "Pour accuser réception"),
		b.t("To give effect", "Pour donner suite")}}
	for _, k := range []takedown.MeasureKind{takedown.RemovalRequest, takedown.RemovalOrder} {
		times.Rows = append(times.Rows, []string{b.kind(k), median("time.issue_to_receipt." + string(k)), median("time.issue_to_compliance." + string(k))})
	}
	dsa.Tables = []Table{types, states, times}
	r.Sections = []Section{tco, dsa, b.method(), b.missingSection()}
	// The authority's report numbers its own sections.
	r.Sections[2].Title = b.t("3. Method and definitions", "3. Méthode et définitions")
	r.Sections[3].Title = b.t("4. What the data do not say", "4. Ce que les données ne disent pas")
}
