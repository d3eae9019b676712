package rpz

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// pollTimeout bounds each SOA query of PollSerials.
const pollTimeout = 2 * time.Second

// resolverKey is one resolver of one ISP.
type resolverKey struct {
	client string
	addr   netip.AddrPort
}

// PollSerials asks each ISP's resolvers, at their NOTIFY addresses, for the zone's SOA every
// interval, starting at once, until ctx is done, and reports the serial each answers: the
// version its users get, which the transfers alone do not tell (a resolver may fail to load
// what it transferred, or several may share one transfer). The serials are also in
// takedown_isp_resolver_serial{isp,resolver}. report, which may be nil, is called after each
// round, from PollSerials' goroutine.
//
// A resolver answers only if it serves the zone to clients (Unbound's rpz for-downstream: yes;
// BIND does for a secondary zone) and lets the primary's address ask. One that does not is
// logged at debug level when that starts or its reason changes, and again when it answers.
func (p *Primary) PollSerials(ctx context.Context, interval time.Duration, report func(c Client, resolver netip.AddrPort, serial uint32)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := map[resolverKey]string{}
	for {
		p.poll(ctx, failing, report)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// poll asks every resolver once, all at the same time, and reports their serials. failing
// holds why each resolver that did not answer the last time did not.
func (p *Primary) poll(ctx context.Context, failing map[resolverKey]string, report func(Client, netip.AddrPort, uint32)) {
	type result struct {
		resolverKey
		serial uint32
		err    error
	}
	var results []result
	for _, c := range p.clients {
		for _, to := range c.Notify {
			results = append(results, result{resolverKey: resolverKey{c.Name, to}})
		}
	}
	origin := p.Zone().cfg.Origin
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i].serial, results[i].err = p.askSerial(ctx, origin, results[i].addr) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	for _, r := range results {
		if r.err != nil {
			if why := r.err.Error(); failing[r.resolverKey] != why {
				failing[r.resolverKey] = why
				p.log.Debug("rpz: a resolver does not tell its serial", "client", r.client, "resolver", r.addr.String(), "err", why)
			}
			continue
		}
		if _, ok := failing[r.resolverKey]; ok {
			delete(failing, r.resolverKey)
			p.log.Debug("rpz: a resolver tells its serial again", "client", r.client, "resolver", r.addr.String(), "serial", r.serial)
		}
		p.metrics.resolverSerial(r.client, r.addr, r.serial)
		if report != nil {
			report(p.client(r.client), r.addr, r.serial)
		}
	}
}

// askSerial asks a resolver for the zone's SOA, unsigned, and returns its serial.
func (p *Primary) askSerial(ctx context.Context, origin string, to netip.AddrPort) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(origin, dns.TypeSOA)
	resp, _, err := p.udpClient(pollTimeout).ExchangeContext(ctx, m, to.String())
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded):
		return 0, fmt.Errorf("no answer within %s", pollTimeout) // the error's text has an ephemeral port
	case errors.As(err, &op) && op.Err != nil:
		return 0, op.Err
	case err != nil:
		return 0, err
	case resp.Rcode != dns.RcodeSuccess:
		return 0, fmt.Errorf("answered %s", dns.RcodeToString[resp.Rcode])
	}
	for _, rr := range resp.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, origin) {
			return soa.Serial, nil
		}
	}
	return 0, errors.New("answered without the zone's SOA: it does not serve the zone to clients")
}

// udpClient returns a client for questions to the ISPs' resolvers, over UDP. They leave from
// the primary's own address when it listens on one, as the resolvers know that address.
func (p *Primary) udpClient(timeout time.Duration) *dns.Client {
	c := &dns.Client{Net: "udp", Timeout: timeout}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.local.IsValid() && !p.local.IsUnspecified() {
		c.Dialer = &net.Dialer{LocalAddr: &net.UDPAddr{IP: p.local.AsSlice()}}
	}
	return c
}
