package rpz

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
)

// Client is an ISP's resolvers, as the primary knows them.
type Client struct {
	// Name names the ISP in logs.
	Name string
	// Prefixes are the addresses its transfers may come from.
	Prefixes []netip.Prefix
	// Key is the name of the TSIG key (hmac-sha256) its transfers must be signed with, such as
	// "isp1.xfr.", or "" for none: Unbound cannot sign transfers, and is admitted by address
	// alone.
	Key string
	// Secret is the key's secret, in base64.
	Secret string
	// Notify are the addresses a NOTIFY is sent to when a version is published.
	Notify []netip.AddrPort
	// OperatorID is the ISP in the operator registry, whose deliveries its transfers
	// receive; 0 when it is not registered.
	OperatorID int64
}

// journalVersions bounds the versions kept for IXFR; a secondary further behind gets the
// whole zone.
const journalVersions = 1000

// trim returns the newest versions of a journal that a secondary is better served by IXFR
// than by the whole zone z: at most journalVersions, holding fewer records than the zone could
// (four a name), so that the journal never costs more memory than the zone.
func trim(journal []change, z *Zone) []change {
	if len(journal) > journalVersions {
		journal = journal[len(journal)-journalVersions:]
	}
	records := 0
	for i := len(journal) - 1; i >= 0; i-- {
		if records += len(journal[i].removed) + len(journal[i].added); records > 4*z.Len() {
			return journal[i+1:]
		}
	}
	return journal
}

// change is the difference between one version and the next.
type change struct {
	from, to       *dns.SOA
	removed, added []dns.RR
}

// Primary serves the zone's published versions to the ISPs' resolvers.
type Primary struct {
	clients []Client
	log     *slog.Logger

	metrics *metrics // nil until Register
	// transferred, when set, is told of each complete transfer.
	transferred func(c Client, serial uint32)

	mu        sync.RWMutex
	published func(z *Zone, fresh []Entry) // see OnPublish
	local     netip.Addr                   // the address Serve listens on
	zone      *Zone
	journal   []change // consecutive versions up to zone, oldest first
}

// NewPrimary returns a primary serving zone to clients.
func NewPrimary(zone *Zone, clients []Client, log *slog.Logger) (*Primary, error) {
	keys, names := map[string]bool{}, map[string]bool{}
	for _, c := range clients {
		if c.Name == "" || len(c.Prefixes) == 0 {
			return nil, takedown.Invalid("clients", "each ISP needs a name and the addresses its resolvers transfer from")
		}
		if names[c.Name] {
			return nil, takedown.Invalid("clients", "two ISPs are named %q: each is known by its name in logs and metrics", c.Name)
		}
		names[c.Name] = true
		for _, pfx := range c.Prefixes {
			if pfx.Bits() == 0 && c.Key == "" {
				return nil, takedown.Invalid("clients", "%s would admit any address (%s) without a key: that publishes the list to anyone", c.Name, pfx)
			}
		}
		if c.Key != "" {
			if !dns.IsFqdn(c.Key) {
				return nil, takedown.Invalid("key", "the TSIG key name %q of %s must be a domain name ending with a dot", c.Key, c.Name)
			}
			if keys[c.Key] {
				return nil, takedown.Invalid("key", "the TSIG key %s is given to two ISPs: each has its own", c.Key)
			}
			keys[c.Key] = true
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Primary{clients: clients, log: log, zone: zone, journal: zone.history}
	p.logRejected(zone)
	return p, nil
}

// OnTransfer sets fn to be told, after each complete transfer, which ISP has which serial:
// the deployment status of the list. Call it before Serve.
func (p *Primary) OnTransfer(fn func(c Client, serial uint32)) { p.transferred = fn }

// client returns the client of a name.
func (p *Primary) client(name string) Client {
	for _, c := range p.clients {
		if c.Name == name {
			return c
		}
	}
	return Client{Name: name}
}

// secrets returns the TSIG secrets by key name, for the server.
func (p *Primary) secrets() map[string]string {
	s := map[string]string{}
	for _, c := range p.clients {
		if c.Key != "" {
			s[c.Key] = c.Secret
		}
	}
	return s
}

// Zone returns the version being served.
func (p *Primary) Zone() *Zone {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.zone
}

// OnPublish sets a function that Publish calls after each version is published, with the
// version and the entries whose names it blocks and the one before did not (neither by their
// own name nor by a parent's subtree): a resolver that answers one of those with its stop page
// has loaded the version. It must return quickly, as it holds up the next version.
func (p *Primary) OnPublish(f func(z *Zone, fresh []Entry)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = f
}

// Publish serves a new version, whose serial must be greater than the current one, and
// notifies the ISPs' resolvers.
func (p *Primary) Publish(ctx context.Context, z *Zone) error {
	p.mu.Lock()
	old := p.zone
	if z.serial <= old.serial {
		p.mu.Unlock()
		return takedown.Errorf(takedown.ECONFLICT, "the serial %d is not greater than the one served, %d", z.serial, old.serial)
	}
	removed, added := diff(old, z)
	c := change{from: old.SOA(), to: z.SOA()}
	for _, e := range removed {
		c.removed = append(c.removed, old.records(e)...)
	}
	for _, e := range added {
		c.added = append(c.added, z.records(e)...)
	}
	p.journal = trim(append(p.journal, c), z)
	p.zone = z
	published := p.published
	p.mu.Unlock()
	p.metrics.published(z)
	p.log.Info("rpz: version published", "zone", z.cfg.Origin, "serial", z.serial, "names", z.Len(), "added", len(added), "removed", len(removed))
	p.notifyAll(ctx, z)
	if published != nil {
		var fresh []Entry
		for _, e := range added {
			if _, blocked := old.Lookup(e.Name); !blocked {
				fresh = append(fresh, e)
			}
		}
		published(z, fresh)
	}
	return nil
}

// Serve answers on addr, over UDP and TCP, until ctx is done. ready, if not nil, is called
// with the address once both listen.
func (p *Primary) Serve(ctx context.Context, addr string, ready func(addr string)) error {
	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		return takedown.Errorf(takedown.EUNAVAILABLE, "rpz: cannot listen on %s: %v", addr, err)
	}
	udp, err := net.ListenPacket("udp", tcp.Addr().String())
	if err != nil {
		tcp.Close()
		return takedown.Errorf(takedown.EUNAVAILABLE, "rpz: cannot listen on %s/udp: %v", tcp.Addr(), err)
	}
	secrets := p.secrets()
	servers := []*dns.Server{
		{Listener: deadlineListener{tcp}, Handler: p, TsigSecret: secrets, ReadTimeout: 10 * time.Second},
		{PacketConn: udp, Handler: p, TsigSecret: secrets},
	}
	errc := make(chan error, len(servers))
	var started sync.WaitGroup
	for _, s := range servers {
		started.Add(1)
		s.NotifyStartedFunc = started.Done
		go func() { errc <- s.ActivateAndServe() }()
	}
	started.Wait()
	if ap, err := netip.ParseAddrPort(tcp.Addr().String()); err == nil {
		p.mu.Lock()
		p.local = ap.Addr()
		p.mu.Unlock()
	}
	if ready != nil {
		ready(tcp.Addr().String())
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		s.ShutdownContext(stop) // a transfer still running after that is cut off
	}
	return err
}

// writeTimeout bounds each write of a transfer: a peer that stops reading is cut off rather
// than holding the transfer, and the server's shutdown, for ever.
const writeTimeout = 30 * time.Second

// deadlineListener gives each connection a write deadline before every write (miekg/dns's
// Server.WriteTimeout is not applied to connections).
type deadlineListener struct{ net.Listener }

func (l deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return deadlineConn{c}, nil
}

type deadlineConn struct{ net.Conn }

func (c deadlineConn) Write(b []byte) (int, error) {
	if err := c.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// ServeDNS answers a query for the zone's SOA or NS, or a transfer, from a known ISP.
func (p *Primary) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	client, rcode, why := p.admit(w, r)
	if rcode != dns.RcodeSuccess {
		// An ISP's refusal over TCP is a misconfiguration to fix. Anything else is noise
		// (UDP can be spoofed from an ISP's address), which a flood must not turn into a
		// flood of warnings; the metric counts it all.
		p.metrics.refusal()
		if _, tcp := w.RemoteAddr().(*net.TCPAddr); tcp && client != "" {
			p.log.Warn("rpz: request refused", "client", client, "from", w.RemoteAddr().String(), "reason", why)
		} else {
			p.log.Debug("rpz: request refused", "client", client, "reason", why)
		}
		m.SetRcode(r, rcode)
		p.reply(w, r, m)
		return
	}
	z := p.Zone()
	q := r.Question[0]
	_, overTCP := w.RemoteAddr().(*net.TCPAddr)
	switch q.Qtype {
	case dns.TypeSOA, dns.TypeNS:
		m.SetReply(r)
		m.Authoritative = true
		if q.Qtype == dns.TypeSOA {
			m.Answer = []dns.RR{z.SOA()}
		} else {
			m.Answer = []dns.RR{z.ns()}
		}
		p.reply(w, r, m)
	case dns.TypeAXFR, dns.TypeIXFR:
		if !overTCP {
			if q.Qtype == dns.TypeIXFR { // RFC 1995: the current SOA alone tells the client to ask over TCP
				m.SetReply(r)
				m.Authoritative = true
				m.Answer = []dns.RR{z.SOA()}
			} else {
				m.SetRcode(r, dns.RcodeRefused)
			}
			p.reply(w, r, m)
			return
		}
		kind, err := p.transfer(w, r, z, client)
		if err != nil {
			p.log.Warn("rpz: transfer failed", "client", client, "kind", kind, "err", err)
			return
		}
		p.log.Info("rpz: transfer", "client", client, "kind", kind, "serial", z.serial)
		p.metrics.transferred(client, kind, z.serial)
		if p.transferred != nil {
			p.transferred(p.client(client), z.serial)
		}
	default:
		m.SetRcode(r, dns.RcodeRefused)
		p.reply(w, r, m)
	}
}

// admit checks a request: a query (not an update or a notify) of one question about the zone,
// from a known ISP's address, signed with its key if it has one. It returns the ISP's name,
// or the rcode of the refusal and why.
func (p *Primary) admit(w dns.ResponseWriter, r *dns.Msg) (client string, rcode int, why string) {
	switch {
	case r.Response || r.Opcode != dns.OpcodeQuery:
		return "", dns.RcodeNotImplemented, fmt.Sprintf("opcode %s", dns.OpcodeToString[r.Opcode])
	case len(r.Question) != 1:
		return "", dns.RcodeFormatError, fmt.Sprintf("%d questions", len(r.Question))
	case !strings.EqualFold(r.Question[0].Name, p.Zone().cfg.Origin) || r.Question[0].Qclass != dns.ClassINET:
		return "", dns.RcodeRefused, fmt.Sprintf("a question about %s, not the zone", r.Question[0].Name)
	}
	addr, err := netip.ParseAddrPort(w.RemoteAddr().String())
	if err != nil {
		return "", dns.RcodeRefused, "no address"
	}
	ip := addr.Addr().Unmap()
	tsig := r.IsTsig()
	// The ISP that admits the request wins, whatever the order of the list: ISPs may share
	// addresses, one with a key and one without.
	refusal := struct {
		client string
		rcode  int
		why    string
	}{"", dns.RcodeRefused, "not the address of any ISP allowed to transfer"}
	for _, c := range p.clients {
		if !containsAddr(c.Prefixes, ip) {
			continue
		}
		switch {
		case c.Key == "" && tsig == nil:
			return c.Name, dns.RcodeSuccess, ""
		case c.Key == "":
			// signed, so meant for another ISP at the same address
		case tsig == nil:
			refusal.client, refusal.why = c.Name, "unsigned: its transfers must be signed with the key "+c.Key
		case !strings.EqualFold(tsig.Hdr.Name, c.Key):
		case w.TsigStatus() != nil:
			return c.Name, dns.RcodeNotAuth, "TSIG: " + w.TsigStatus().Error()
		case tsig.Algorithm != dns.HmacSHA256:
			return c.Name, dns.RcodeNotAuth, "TSIG: the algorithm is " + tsig.Algorithm + ", not hmac-sha256"
		default:
			return c.Name, dns.RcodeSuccess, ""
		}
	}
	if tsig != nil && w.TsigStatus() != nil {
		return refusal.client, dns.RcodeNotAuth, "TSIG: " + w.TsigStatus().Error()
	}
	return refusal.client, refusal.rcode, refusal.why
}

func containsAddr(prefixes []netip.Prefix, ip netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// reply writes a one-message answer, signed if the request was signed with a valid key.
func (p *Primary) reply(w dns.ResponseWriter, r *dns.Msg, m *dns.Msg) {
	if tsig := r.IsTsig(); tsig != nil && w.TsigStatus() == nil {
		m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, tsig.Fudge, time.Now().Unix())
	}
	if err := w.WriteMsg(m); err != nil {
		p.log.Debug("rpz: cannot answer", "err", err)
	}
}

// transfer answers an AXFR, or an IXFR with the versions since the client's serial when the
// journal has them (and the whole zone otherwise, as RFC 1995 allows). It returns which kind
// it sent: "axfr", "ixfr", or "up-to-date".
func (p *Primary) transfer(w dns.ResponseWriter, r *dns.Msg, z *Zone, client string) (kind string, err error) {
	soa := z.SOA()
	if r.Question[0].Qtype == dns.TypeIXFR {
		var have uint32
		var ok bool
		if len(r.Ns) == 1 {
			if s, isSOA := r.Ns[0].(*dns.SOA); isSOA {
				have, ok = s.Serial, true
			}
		}
		if !ok {
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeFormatError)
			p.reply(w, r, m)
			return "ixfr", errors.New("an IXFR without the client's SOA")
		}
		if have > soa.Serial {
			p.log.Warn("rpz: a resolver has a newer serial than the zone served: the database was restored or replaced; "+
				"its copy stays as it is until the serial catches up", "client", client, "its_serial", have, "serial", soa.Serial)
		}
		p.metrics.transferred(client, "", have)
		if have >= soa.Serial {
			return "up-to-date", send(w, r, slices.Values([]dns.RR{soa}))
		}
		if changes := p.since(have, soa.Serial); changes != nil {
			return "ixfr", send(w, r, func(yield func(dns.RR) bool) {
				yield(soa)
				for _, c := range changes {
					for _, part := range [][]dns.RR{{c.from}, c.removed, {c.to}, c.added} {
						for _, rr := range part {
							if !yield(rr) {
								return
							}
						}
					}
				}
				yield(soa)
			})
		}
	}
	return "axfr", send(w, r, func(yield func(dns.RR) bool) {
		if !yield(soa) {
			return
		}
		for rr := range z.Records() {
			if !yield(rr) {
				return
			}
		}
		yield(soa)
	})
}

// maxRecordBytes bounds the records of one message of a transfer, under the 64 KB of a DNS
// message over TCP with room for the header, the question and a TSIG.
const maxRecordBytes = 60000

// send writes records as the messages of a transfer, as many records in each as fit. The
// records are made as they are sent, so that a transfer of a large zone holds one message of
// it at a time.
func send(w dns.ResponseWriter, r *dns.Msg, records iter.Seq[dns.RR]) error {
	ch := make(chan *dns.Envelope)
	errc := make(chan error, 1)
	go func() { errc <- new(dns.Transfer).Out(w, r, ch) }()
	var batch []dns.RR
	size := 0
	flush := func() error {
		select {
		case ch <- &dns.Envelope{RR: batch}:
			batch, size = nil, 0
			return nil
		case err := <-errc:
			return err
		}
	}
	for rr := range records {
		n := wireSize(rr)
		if size+n > maxRecordBytes && len(batch) > 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		batch, size = append(batch, rr), size+n
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	close(ch)
	return <-errc
}

// wireSize is at least the size of a record in a message without name compression: its
// owner, type, class, TTL and data length, and its data (at most that of an SOA of two
// longest names).
func wireSize(rr dns.RR) int {
	n := len(rr.Header().Name) + 2 + 10
	switch rr.(type) {
	case *dns.A:
		return n + 4
	case *dns.AAAA:
		return n + 16
	default:
		return n + 2*256 + 20
	}
}

// since returns the journal's changes from serial have to serial want, or nil if the journal
// does not reach back to have.
func (p *Primary) since(have, want uint32) []change {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for i, c := range p.journal {
		if c.from.Serial == have {
			changes := p.journal[i:]
			if changes[len(changes)-1].to.Serial != want {
				return nil // published meanwhile: the caller's zone is older
			}
			return changes
		}
	}
	return nil
}

// notifyAll sends a NOTIFY of the version to every ISP's resolvers, in the background, each
// sent up to five times until it answers, until ctx is done. The NOTIFY is not signed:
// Unbound refuses a signed one, and a NOTIFY only prompts a secondary to ask for the SOA,
// which it then checks. It leaves from the primary's own address when it listens on one, as
// secondaries accept a NOTIFY only from their primary's address.
func (p *Primary) notifyAll(ctx context.Context, z *Zone) {
	for _, c := range p.clients {
		for _, to := range c.Notify {
			go p.notify(ctx, c.Name, to, z)
		}
	}
}

func (p *Primary) notify(ctx context.Context, client string, to netip.AddrPort, z *Zone) {
	m := new(dns.Msg)
	m.SetNotify(z.cfg.Origin)
	m.Authoritative = true
	m.Answer = []dns.RR{z.SOA()}
	c := p.udpClient(2 * time.Second)
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * time.Second):
			case <-ctx.Done():
				return
			}
		}
		if p.Zone() != z {
			return // a newer version has its own NOTIFY
		}
		var resp *dns.Msg
		resp, _, err = c.ExchangeContext(ctx, m, to.String())
		if err == nil && resp.Rcode == dns.RcodeSuccess {
			p.log.Debug("rpz: notified", "client", client, "to", to.String(), "serial", z.serial)
			return
		}
		if err == nil {
			err = fmt.Errorf("answered %s", dns.RcodeToString[resp.Rcode])
		}
	}
	p.metrics.notifyFailed(client)
	p.log.Warn("rpz: NOTIFY not acknowledged; the resolver will pull at its next refresh", "client", client, "to", to.String(), "serial", z.serial, "err", err)
}
