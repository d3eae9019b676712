package rpz_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown/rpz"
)

// The resolvers of these tests answer from local data only: the names below, in the zone
// "example.", so that a name that is not blocked gets its own address, with no recursion to
// the internet.
var localNames = map[string]string{
	"ok.example.":      "192.0.2.10",
	"blocked.example.": "192.0.2.66",
	"new.example.":     "192.0.2.67",
	"x.sub.example.":   "192.0.2.68",
}

// freePort returns a port free for both UDP and TCP on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// resolver is a real resolver process, a secondary of the zone.
type resolver struct {
	name string
	addr string
	log  *bytes.Buffer
}

// start runs the program in the foreground until the test ends.
func start(t *testing.T, name, bin string, args ...string) *bytes.Buffer {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		if _, err = os.Stat("/usr/sbin/" + bin); err != nil {
			t.Skipf("%s is not installed (Debian package %s): make check installs it when run as root", bin, name)
		}
		path = "/usr/sbin/" + bin
	}
	var out bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", bin, out.String())
		}
	})
	return &out
}

// startUnbound runs Unbound on port, a secondary of the zone at primary, admitted by its
// address. The local names are an auth-zone for upstream, so that they come through the
// iterator as an answer from the internet would, where the policy applies (a local-zone is
// answered before it).
func startUnbound(t *testing.T, primary string, port int) *resolver {
	dir := t.TempDir()
	host, pport, _ := net.SplitHostPort(primary)
	conf := fmt.Sprintf(`server:
    interface: 127.0.0.1
    port: %d
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "%s"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 1
    module-config: "respip iterator"
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
auth-zone:
    name: "example."
    zonefile: "%s"
    for-downstream: no
    for-upstream: yes
    fallback-enabled: no
rpz:
    name: "%s"
    primary: %s@%s
    rpz-log: yes
    for-downstream: yes
`, port, dir, localZone(t, dir), origin, host, pport)
	path := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	log := start(t, "unbound", "unbound", "-d", "-c", path)
	return &resolver{name: "unbound", addr: fmt.Sprintf("127.0.0.1:%d", port), log: log}
}

// localZone writes the zone file of the local names in dir and returns its path.
func localZone(t *testing.T, dir string) string {
	var zone strings.Builder
	zone.WriteString("$ORIGIN example.\n$TTL 60\n@ SOA ns.example. hostmaster.example. 1 300 60 604800 60\n@ NS ns.example.\nns A 192.0.2.1\n")
	for name, a := range localNames {
		fmt.Fprintf(&zone, "%s A %s\n", name, a)
	}
	path := filepath.Join(dir, "example.db")
	if err := os.WriteFile(path, []byte(zone.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startBIND runs BIND on port, a secondary of the zone at primary, transferring from
// 127.0.0.2 with the TSIG key.
func startBIND(t *testing.T, primary string, port int, key, sec string) *resolver {
	dir := t.TempDir()
	host, pport, _ := net.SplitHostPort(primary)
	zoneFile := localZone(t, dir)
	conf := fmt.Sprintf(`key "%[1]s" { algorithm hmac-sha256; secret "%[2]s"; };
server %[5]s { keys { "%[1]s"; }; };
options {
	directory "%[3]s";
	pid-file none;
	listen-on port %[4]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion yes;
	allow-query { 127.0.0.0/8; };
	allow-recursion { 127.0.0.0/8; };
	dnssec-validation no;
	notify no;
	transfer-source 127.0.0.2;
	session-keyfile none;
	response-policy { zone "%[7]s" policy given log yes; } qname-wait-recurse no break-dnssec yes min-update-interval 0 recursive-only no;
};
controls { };
zone "example." { type primary; file "%[8]s"; };
zone "%[7]s" {
	type secondary;
	primaries port %[6]s { %[5]s key "%[1]s"; };
	file "%[3]s/rpz.db";
	masterfile-format raw;
	allow-transfer { none; };
};
`, key, sec, dir, port, host, pport, origin, zoneFile)
	path := filepath.Join(dir, "named.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	log := start(t, "bind9", "named", "-g", "-c", path)
	return &resolver{name: "bind", addr: fmt.Sprintf("127.0.0.1:%d", port), log: log}
}

// ask queries the resolver and returns the addresses of the answer, or the rcode's name.
func (r *resolver) ask(name string, qtype uint16) string {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	c := &dns.Client{Timeout: time.Second}
	resp, _, err := c.Exchange(m, r.addr)
	if err != nil {
		return "error: " + err.Error()
	}
	if resp.Rcode != dns.RcodeSuccess {
		return dns.RcodeToString[resp.Rcode]
	}
	var out []string
	for _, rr := range resp.Answer {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, rr.A.String())
		case *dns.AAAA:
			out = append(out, rr.AAAA.String())
		}
	}
	return strings.Join(out, " ")
}

// await polls until the resolver answers name with want, and returns how long it took.
func (r *resolver) await(t *testing.T, name string, qtype uint16, want string) time.Duration {
	t.Helper()
	start := time.Now()
	var got string
	for time.Since(start) < 30*time.Second {
		if got = r.ask(name, qtype); got == want {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %s %s answered %q after 30 s, want %q", r.name, name, dns.TypeToString[qtype], got, want)
	return 0
}

// transfers records the transfers the primary served.
type transfers struct {
	mu    sync.Mutex
	kinds []string
}

func (tr *transfers) add(client, kind string, serial uint32) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.kinds = append(tr.kinds, client+" "+kind+" "+strconv.FormatUint(uint64(serial), 10))
}

func (tr *transfers) list() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.kinds...)
}

// TestResolvers: real Unbound and BIND resolvers, secondaries of the primary (BIND with TSIG,
// Unbound by address), answer a listed name and its subtree with the stop page, leave other
// names alone, take a change through NOTIFY and IXFR, and restore a lifted name.
func TestResolvers(t *testing.T) {
	for _, kind := range []string{"unbound", "bind"} {
		t.Run(kind, func(t *testing.T) {
			z1 := build(t, 1, rpz.Entry{Name: "blocked.example"}, rpz.Entry{Name: "sub.example", Subtree: true})
			// The primary starts first, on a port chosen here, and notifies the resolver
			// on the port it will be given.
			port := freePort(t)
			primaryAddr := fmt.Sprintf("127.0.0.1:%d", port)
			resolverPort := freePort(t)
			notify := []netip.AddrPort{netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", resolverPort))}
			clients := []rpz.Client{
				{Name: "isp-unbound", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
				{Name: "isp-bind", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, Key: keyName, Secret: secret},
			}
			if kind == "unbound" {
				clients[0].Notify = notify
			} else {
				clients[1].Notify = notify
			}
			p, err := rpz.NewPrimary(z1, clients, nil)
			if err != nil {
				t.Fatal(err)
			}
			var seen transfers
			p.OnTransfer = seen.add
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			ready := make(chan struct{})
			go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
			t.Cleanup(func() { cancel(); <-errc })
			<-ready

			var r *resolver
			if kind == "unbound" {
				r = startUnbound(t, primaryAddr, resolverPort)
			} else {
				r = startBIND(t, primaryAddr, resolverPort, keyName, secret)
			}
			stopA, stopAAAA := stop.A.String(), stop.AAAA.String()
			r.await(t, "blocked.example.", dns.TypeA, stopA)
			r.await(t, "blocked.example.", dns.TypeAAAA, stopAAAA)
			r.await(t, "x.sub.example.", dns.TypeA, stopA)
			if got := r.ask("ok.example.", dns.TypeA); got != localNames["ok.example."] {
				t.Errorf("ok.example., not listed: %q, want its own address", got)
			}
			if got := r.ask("new.example.", dns.TypeA); got != localNames["new.example."] {
				t.Errorf("new.example., not yet listed: %q", got)
			}

			z2 := build(t, 2, rpz.Entry{Name: "new.example"}, rpz.Entry{Name: "sub.example", Subtree: true})
			if err := p.Publish(context.Background(), z2); err != nil {
				t.Fatal(err)
			}
			took := r.await(t, "new.example.", dns.TypeA, stopA)
			r.await(t, "blocked.example.", dns.TypeA, localNames["blocked.example."]) // lifted
			t.Logf("%s: the change reached the resolver in %v", r.name, took.Round(time.Millisecond))
			want := "isp-" + kind + " ixfr 2"
			found := false
			for _, k := range seen.list() {
				found = found || k == want
			}
			if !found {
				t.Errorf("transfers served: %v; want an IXFR of serial 2 to %s", seen.list(), "isp-"+kind)
			}
		})
	}
}

// syncBuffer is a log that tests read while the primary writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBINDWithAForgedKey: a real BIND whose key has the right name but another secret is
// refused the zone, and blocks nothing.
func TestBINDWithAForgedKey(t *testing.T) {
	var logs syncBuffer
	clients := []rpz.Client{{Name: "isp-bind", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, Key: keyName, Secret: secret}}
	p, err := rpz.NewPrimary(build(t, 1, rpz.Entry{Name: "blocked.example"}), clients, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	primaryAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	errc, ready := make(chan error, 1), make(chan struct{})
	go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
	t.Cleanup(func() { cancel(); <-errc })
	<-ready
	r := startBIND(t, primaryAddr, freePort(t), keyName, "Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0LWZvcmdlZA==")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "client=isp-bind reason=\"TSIG") {
		if time.Now().After(deadline) {
			t.Fatalf("no TSIG refusal logged in 30 s; the primary's log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := r.ask("blocked.example.", dns.TypeA); got != localNames["blocked.example."] {
		t.Errorf("blocked.example. through a BIND with a forged key: %q, want its own address", got)
	}
	if strings.Contains(logs.String(), "rpz: transfer ") {
		t.Errorf("a transfer was served:\n%s", logs.String())
	}
}
