// Package rpztest runs real DNS servers on loopback beside the zone's primary, for the tests
// of package rpz, the end-to-end tests and the benchmarks: Unbound and BIND 9 as resolvers that
// pull the zone as secondaries and answer other names from local data only (no recursion to
// the internet), and NSD and Knot DNS as authoritative servers of a zone file, to compare
// transfers with. Each runs in the foreground in its own directory, on a port given to it,
// until Stop. Every name in it is synthetic (.example).
package rpztest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ErrMissing is returned, wrapped with the Debian package to install, when a server's program
// is not installed.
var ErrMissing = errors.New("not installed")

// Process is a running server.
type Process struct {
	Name string
	Addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	out  *Buffer
}

// Output returns what the server printed.
func (p *Process) Output() string { return p.out.String() }

// Stop kills the server and waits for it.
func (p *Process) Stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// Buffer is a bytes.Buffer that one goroutine may write while another reads it: a server's
// output, or a log a test watches.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Find returns the path of a program, in PATH or /usr/sbin, or an error wrapping ErrMissing
// that names its Debian package.
func Find(program, pkg string) (string, error) {
	if path, err := exec.LookPath(program); err == nil {
		return path, nil
	}
	if path := "/usr/sbin/" + program; fileExists(path) {
		return path, nil
	}
	return "", fmt.Errorf("%s is %w (Debian package %s): make check installs it when run as root", program, ErrMissing, pkg)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// run starts a program in the foreground.
func run(name, program, pkg string, port int, args ...string) (*Process, error) {
	path, err := Find(program, pkg)
	if err != nil {
		return nil, err
	}
	out := &Buffer{}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &Process{Name: name, Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd, out: out}, nil
}

// FreePort returns a port free for both UDP and TCP on 127.0.0.1.
func FreePort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			pc.Close()
			return port, nil
		}
	}
	return 0, errors.New("rpztest: no free port")
}

// LocalZone writes, in dir, the zone "example." with an A record for each of names (name →
// address), and returns the file's path.
func LocalZone(dir string, names map[string]string) (string, error) {
	var b strings.Builder
	b.WriteString("$ORIGIN example.\n$TTL 60\n@ SOA ns.example. hostmaster.example. 1 300 60 604800 60\n@ NS ns.example.\nns A 192.0.2.1\n")
	keys := make([]string, 0, len(names))
	for n := range names {
		keys = append(keys, n)
	}
	sort.Strings(keys)
	for _, n := range keys {
		fmt.Fprintf(&b, "%s A %s\n", n, names[n])
	}
	path := filepath.Join(dir, "example.db")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// Unbound runs Unbound on port, a secondary of the zone origin at primary, admitted by its
// address (Unbound cannot sign transfers). The local names are an auth-zone for upstream, so
// that they come through the iterator as an answer from the internet would, where the policy
// applies (a local-zone would be answered before it).
func Unbound(dir, primary, origin string, port int, localZone string) (*Process, error) {
	host, pport, err := net.SplitHostPort(primary)
	if err != nil {
		return nil, err
	}
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
`, port, dir, localZone, origin, host, pport)
	path := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return run("unbound", "unbound", "unbound", port, "-d", "-c", path)
}

// BIND runs BIND 9 on port, a secondary of the zone origin at primary, transferring from
// 127.0.0.2 with the TSIG key (hmac-sha256) and applying changes at once
// (min-update-interval 0, as RESOLVERS.md explains).
func BIND(dir, primary, origin string, port int, key, secret, localZone string) (*Process, error) {
	host, pport, err := net.SplitHostPort(primary)
	if err != nil {
		return nil, err
	}
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
`, key, secret, dir, port, host, pport, origin, localZone)
	path := filepath.Join(dir, "named.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return run("bind", "named", "bind9", port, "-g", "-c", path)
}

// NSD runs NSD on port, serving the zone file to transfers from loopback.
func NSD(dir, zoneFile, origin string, port int) (*Process, error) {
	conf := fmt.Sprintf(`server:
    ip-address: 127.0.0.1
    port: %[1]d
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "%[2]s"
    zonelistfile: "%[2]s/zone.list"
    database: ""
    pidfile: "%[2]s/nsd.pid"
    xfrdfile: "%[2]s/xfrd.state"
    server-count: 1
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: "%[3]s"
    zonefile: "%[4]s"
    provide-xfr: 127.0.0.1 NOKEY
`, port, dir, origin, zoneFile)
	path := filepath.Join(dir, "nsd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return run("nsd", "nsd", "nsd", port, "-d", "-c", path)
}

// Knot runs Knot DNS on port, serving the zone file to transfers from loopback.
func Knot(dir, zoneFile, origin string, port int) (*Process, error) {
	conf := fmt.Sprintf(`server:
    listen: 127.0.0.1@%[1]d
    rundir: "%[2]s"
database:
    storage: "%[2]s"
log:
  - target: stderr
    any: warning
acl:
  - id: loopback
    address: 127.0.0.1
    action: transfer
zone:
  - domain: "%[3]s"
    file: "%[4]s"
    storage: "%[2]s"
    acl: loopback
    zonefile-sync: -1
    journal-content: none
`, port, dir, origin, zoneFile)
	path := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return run("knot", "knotd", "knot", port, "-c", path)
}

// Ask queries a server over UDP and returns the addresses of the answer, or the rcode's name,
// or the error.
func Ask(addr, name string, qtype uint16) string {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	c := &dns.Client{Timeout: time.Second}
	resp, _, err := c.Exchange(m, addr)
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

// WaitSOA waits until a server answers the zone's SOA with at least the serial, and returns
// how long that took.
func WaitSOA(addr, origin string, serial uint32, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	m := new(dns.Msg)
	m.SetQuestion(origin, dns.TypeSOA)
	c := &dns.Client{Timeout: time.Second}
	for time.Since(start) < timeout {
		if resp, _, err := c.Exchange(m, addr); err == nil && len(resp.Answer) == 1 {
			if soa, ok := resp.Answer[0].(*dns.SOA); ok && soa.Serial >= serial {
				return time.Since(start), nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("rpztest: %s did not serve %s serial %d within %v", addr, origin, serial, timeout)
}

// Transfer runs the transfer m asks for (an AXFR or IXFR, signed if m carries a TSIG with a
// key of secrets) from addr, and returns the records received, with the first error.
func Transfer(addr string, m *dns.Msg, secrets map[string]string) ([]dns.RR, error) {
	tr := &dns.Transfer{DialTimeout: 5 * time.Second, ReadTimeout: time.Minute, TsigSecret: secrets}
	ch, err := tr.In(m, addr)
	if err != nil {
		return nil, err
	}
	var rrs []dns.RR
	for env := range ch {
		if env.Error != nil {
			return rrs, env.Error
		}
		rrs = append(rrs, env.RR...)
	}
	return rrs, nil
}
