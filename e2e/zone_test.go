package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown/rpz/rpztest"
)

const (
	zoneName   = "blocklist.rpz.authority.example."
	tsigKey    = "isp-one.xfr."
	tsigSecret = "ZTJlLXRlc3Qtc2VjcmV0LW9mLWlzcC1vbmUtMzItYnl0ZXM=" // synthetic
)

// axfr transfers the zone from addr, signed with the secret if it is not empty.
func axfr(addr, sec string) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr(zoneName)
	if sec == "" {
		return rpztest.Transfer(addr, m, nil)
	}
	m.SetTsig(tsigKey, dns.HmacSHA256, 300, time.Now().Unix())
	return rpztest.Transfer(addr, m, map[string]string{tsigKey: sec})
}

// TestServeZone: takedown serve publishes the blocking zone on --dns to the ISPs its
// configuration file lists: the ISP transfers it signed with its key, and an unsigned or
// wrongly signed transfer is refused. A configuration file others can read, or an ISP whose
// operator_id is not a registered ISP, stops serve with the reason.
func TestServeZone(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "dns.json")
	// The registry holds ISP One (operator 1) and a host (operator 2).
	data := filepath.Join(dir, "data")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, op := range [][]string{{"isp", "ISP One"}, {"host", "Host One"}} {
		if out, err := exec.CommandContext(ctx, binary, "admin", "operator", "add", "--data", data, "--kind", op[0], "--name", op[1],
			"--contact", "noc@operator.example", "--language", "fr").CombinedOutput(); err != nil {
			t.Fatalf("admin operator add: %v\n%s", err, out)
		}
	}
	writeConfig := func(operator string, mode os.FileMode) {
		body := `{"zone": "` + zoneName + `", "nameserver": "ns1.authority.example.", "contact": "hostmaster.authority.example.",
  "stop_pages": {"": {"a": "203.0.113.80", "aaaa": "2001:db8::80"}},
  "isps": [{"name": "ISP One", "operator_id": ` + operator + `, "transfer": ["127.0.0.1"], "tsig_key": "` + tsigKey + `", "tsig_secret": "` + tsigSecret + `"}]}`
		if err := os.WriteFile(config, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(config, mode)
	}
	addr := "127.0.0.1:" + itoa(int64(freePort(t)))
	for _, bad := range []struct {
		operator string
		mode     os.FileMode
		want     string
	}{
		{"1", 0o644, "chmod 600"},
		{"2", 0o600, "isps[0].operator_id: ISP One: operator 2 (Host One) is of kind host; the blocking list goes to operators of kind isp"},
		{"9", 0o600, "isps[0].operator_id: ISP One: there is no operator 9"},
	} {
		writeConfig(bad.operator, bad.mode)
		out, err := exec.CommandContext(ctx, binary, "serve", "--data", data, "--http", "127.0.0.1:0", "--dns", addr, "--dns-config", config).CombinedOutput()
		if code := exitCode(err); code != 2 || !strings.Contains(string(out), bad.want) {
			t.Fatalf("serve with operator %s, mode %o: exit %d, want 2 and %q\n%s", bad.operator, bad.mode, code, bad.want, out)
		}
	}
	writeConfig("1", 0o600)
	stopAddr := "127.0.0.1:" + itoa(int64(freePort(t)))
	serve(t, data, "--dns", addr, "--dns-config", config, "--stop-page", stopAddr, "--complaint-url", "https://authority.example/complaint")

	rrs, err := axfr(addr, tsigSecret)
	if err != nil || len(rrs) != 3 || rrs[0].(*dns.SOA).Serial != 0 {
		t.Fatalf("signed AXFR of the empty zone: %v, %v; want SOA, NS, SOA of serial 0", rrs, err)
	}
	if _, err := axfr(addr, ""); err == nil {
		t.Error("an unsigned AXFR was served")
	}
	if _, err := axfr(addr, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZy13cm9uZw=="); err == nil {
		t.Error("an AXFR signed with a forged secret was served")
	}

	// The stop page answers for any Host; this one is on no list yet.
	req, err := http.NewRequest("GET", "http://"+stopAddr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "unlisted.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnavailableForLegalReasons || !strings.Contains(string(page), `href="https://authority.example/complaint"`) {
		t.Errorf("stop page: %d\n%s", resp.StatusCode, page)
	}
}

// exitCode returns the exit code of a finished command's error (0 for none).
func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestServeCanaryAndSerials: with a canary section in the zone's configuration file, serve
// checks the version it starts with through a real Unbound that is a secondary of the zone,
// and asks that Unbound, an ISP's resolver, for the serial it serves: both are in /metrics, and
// the controller reads the canary's result.
func TestServeCanaryAndSerials(t *testing.T) {
	dir := t.TempDir()
	addr := "127.0.0.1:" + itoa(int64(freePort(t)))
	resolverPort := freePort(t)
	resolver := "127.0.0.1:" + itoa(int64(resolverPort))
	config := filepath.Join(dir, "dns.json")
	body := `{"zone": "` + zoneName + `", "nameserver": "ns1.authority.example.", "contact": "hostmaster.authority.example.",
  "stop_pages": {"": {"a": "203.0.113.80", "aaaa": "2001:db8::80"}},
  "isps": [{"name": "ISP Unbound", "transfer": ["127.0.0.1"], "notify": ["` + resolver + `"]}],
  "canary": {"resolver": "` + resolver + `", "must_not_block": ["ok.example"], "timeout": "5s"}}`
	token := "e2e-metrics-token-0123456789"
	tokenFile := filepath.Join(dir, "metrics.token")
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	local, err := rpztest.LocalZone(dir, map[string]string{"ok.example.": "192.0.2.10"})
	if err != nil {
		t.Fatal(err)
	}
	unbound, err := rpztest.Unbound(dir, addr, zoneName, resolverPort, local)
	if errors.Is(err, rpztest.ErrMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unbound.Stop)
	data := filepath.Join(dir, "data")
	controller := lastLine(run(t, nil, "admin", "user", "add", "--data", data, "--name", "Controller Echo", "--role", "controller"))
	url, _ := serve(t, data, "--dns", addr, "--dns-config", config, "--dns-poll-interval", "1s", "--metrics-token-file", tokenFile)

	want := []string{"takedown_canary_ok 1", "takedown_canary_serial 0", `takedown_isp_resolver_serial{isp="ISP Unbound",resolver="` + resolver + `"} 0`}
	var metrics string
	waitFor(t, "the canary's pass and the resolver's serial in /metrics", func() bool {
		req, _ := http.NewRequest("GET", url+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
		for _, w := range want {
			if !strings.Contains(metrics, w) {
				return false
			}
		}
		return true
	})
	if out := run(t, []string{"TAKEDOWN_SERVER=" + url, "TAKEDOWN_TOKEN=" + controller}, "list", "canary"); !strings.Contains(out, "Serial 0 checked on") || !strings.Contains(out, ": OK") {
		t.Errorf("takedown list canary, as the controller:\n%s", out)
	}
}
