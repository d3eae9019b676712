package canon

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// urlTests are the rules of the package doc comment, one or more cases each. A case with
// wantErr must fail with a message containing wantErr, which names the offending part.
var urlTests = []struct {
	name    string
	in      string
	want    string
	wantErr string
}{
	// Whole input.
	{name: "brief example", in: "http://host.test:80/a/./b/../c?x=1&a=2#frag", want: "http://host.test/a/c?x=1&a=2"},
	{name: "surrounding white space", in: " \t http://host.test/a \r\n", want: "http://host.test/a"},
	{name: "empty", in: "", wantErr: "empty"},
	{name: "only white space", in: " \n\t ", wantErr: "empty"},
	{name: "too long", in: "http://host.test/" + strings.Repeat("a", MaxURLLength), wantErr: "4096"},
	{name: "at the length limit", in: "http://host.test/" + strings.Repeat("a", MaxURLLength-17), want: "http://host.test/" + strings.Repeat("a", MaxURLLength-17)},
	{name: "too long once encoded", in: "http://host.test/" + strings.Repeat("ü", 1000), wantErr: "once special characters are encoded"},
	{name: "tab inside", in: "http://host.test/a\tb", wantErr: "U+0009"},
	{name: "line break inside host", in: "http://ho\nst.test/", wantErr: "U+000A"},
	{name: "NUL", in: "http://host.test/\x00", wantErr: "U+0000"},
	{name: "C1 control", in: "http://host.test/a\u0085b", wantErr: "U+0085"},
	{name: "DEL", in: "http://host.test/\x7f", wantErr: "U+007F"},
	{name: "invalid UTF-8", in: "http://host.test/\xff", wantErr: "UTF-8"},

	// Scheme.
	{name: "upper-case scheme and host", in: "HTTPS://Bücher.Example/", want: "https://xn--bcher-kva.example/"},
	{name: "mixed-case scheme", in: "HtTp://HOST.TEST/Path", want: "http://host.test/Path"},
	{name: "backslashes after scheme", in: `http:\\host.test\x`, want: "http://host.test/x"},
	{name: "extra slashes after scheme", in: "https:////host.test/x", want: "https://host.test/x"},
	{name: "ftp", in: "ftp://host.test/file", wantErr: `"ftp://host.test/file"`},
	{name: "javascript", in: "javascript:alert(1)", wantErr: `"javascript:alert(1)"`},
	{name: "data", in: "data:text/html,<b>x</b>", wantErr: `"data:text/html,<b>x</b>"`},
	{name: "no scheme", in: "host.test/a", wantErr: `"host.test/a"`},
	{name: "no scheme with port", in: "host.test:8080/a", wantErr: `"host.test:8080/a"`},
	{name: "scheme-relative", in: "//host.test/a", wantErr: `"//host.test/a"`},
	{name: "one slash", in: "http:/host.test/a", wantErr: `"http:/host.test/a"`},
	{name: "no slash", in: "https:host.test", wantErr: `"https:host.test"`},
	{name: "long input quoted short", in: "gopher://" + strings.Repeat("x", 200), wantErr: `"gopher://xxx`},

	// User information.
	{name: "user and password removed", in: "http://user:secret@host.test/", want: "http://host.test/"},
	{name: "last at sign ends userinfo", in: "http://a@b:c@host.test/x", want: "http://host.test/x"},
	{name: "empty userinfo", in: "http://@host.test/", want: "http://host.test/"},
	{name: "at sign after fragment is not userinfo", in: "http://host.test#@evil.test/", want: "http://host.test/"},
	{name: "at sign after backslash is in the path", in: `http://evil.test\@host.test/`, want: "http://evil.test/@host.test/"},

	// Host.
	{name: "brief IDN example", in: "http://bücher.example/", want: "http://xn--bcher-kva.example/"},
	{name: "brief dot segment example", in: "https://Video.Host.test/a/../b", want: "https://video.host.test/b"},
	{name: "trailing dot", in: "http://host.test./", want: "http://host.test/"},
	{name: "full-width letters and dots", in: "http://ｈｏｓｔ．ｔｅｓｔ/", want: "http://host.test/"},
	{name: "ideographic full stop", in: "http://host。test/", want: "http://host.test/"},
	{name: "homograph converted not rejected", in: "http://аррӏе.test/", want: "http://xn--80ak6aa92e.test/"},
	{name: "sharp s non-transitional", in: "http://straße.example/", want: "http://xn--strae-oqa.example/"},
	{name: "upper-case A-label", in: "http://XN--BCHER-KVA.example/", want: "http://xn--bcher-kva.example/"},
	{name: "zero-width space ignored", in: "http://ho\u200bst.test/", want: "http://host.test/"},
	{name: "percent-encoded host", in: "http://%68%4Fst.test/", want: "http://host.test/"},
	{name: "percent-encoded IDN host", in: "http://b%C3%BCcher.example/", want: "http://xn--bcher-kva.example/"},
	{name: "hyphens and underscore", in: "http://r3---sn_a-.test/", want: "http://r3---sn_a-.test/"},
	{name: "longest label", in: "http://" + strings.Repeat("a", 63) + ".test/", want: "http://" + strings.Repeat("a", 63) + ".test/"},
	{name: "no host", in: "http://", wantErr: "no host name"},
	{name: "no host after userinfo", in: "http://user@/x", wantErr: "no host name"},
	{name: "no host before port", in: "http://:8080/", wantErr: "no host name"},
	{name: "space in host", in: "http://ho st.test/", wantErr: `"ho st.test"`},
	{name: "angle bracket in host", in: "http://ho<st.test/", wantErr: `'<'`},
	{name: "empty label", in: "http://a..b.test/", wantErr: `"a..b.test"`},
	{name: "leading dot", in: "http://.host.test/", wantErr: `".host.test"`},
	{name: "two trailing dots", in: "http://host.test../", wantErr: `"host.test.."`},
	{name: "label too long", in: "http://" + strings.Repeat("a", 64) + ".test/", wantErr: "part \"aaaaaaaaaa"},
	{name: "name too long", in: "http://" + strings.Repeat("abcdefghi.", 26) + "test/", wantErr: "264 characters"},
	{name: "bad punycode", in: "http://xn--abc.test/", wantErr: `"xn--abc"`},
	{name: "empty punycode", in: "http://xn--.test/", wantErr: `"xn--"`},
	{name: "disallowed character", in: "http://a⒈b.test/", wantErr: "U+2488"},
	{name: "full-width solidus", in: "http://host／x.test/", wantErr: `"host／x.test"`},
	{name: "mixed directions", in: "http://a١.test/", wantErr: `"a١.test"`},
	{name: "broken escape in host", in: "http://%zz.test/", wantErr: `"%zz.test"`},
	{name: "escape decoding to slash", in: "http://a%2Fb.test/", wantErr: `"a%2Fb.test"`},
	{name: "escape that is not text", in: "http://%ff.test/", wantErr: `"%ff.test"`},

	// IP addresses.
	{name: "IPv4", in: "http://192.0.2.1/", want: "http://192.0.2.1/"},
	{name: "IPv4 trailing dot", in: "http://192.0.2.1./", want: "http://192.0.2.1/"},
	{name: "IPv4 hex part", in: "http://0xC0.0.2.1/", want: "http://192.0.2.1/"},
	{name: "IPv4 octal part", in: "http://0300.0.2.1/", want: "http://192.0.2.1/"},
	{name: "IPv4 as one number", in: "http://3221225985/", want: "http://192.0.2.1/"},
	{name: "IPv4 short form", in: "http://192.0.513/", want: "http://192.0.2.1/"},
	{name: "IPv4 full-width digits", in: "http://１９２．０．２．１/", want: "http://192.0.2.1/"},
	{name: "IPv4 part too big", in: "http://256.0.0.1/", wantErr: `"256.0.0.1"`},
	{name: "IPv4 too many parts", in: "http://1.2.3.4.5/", wantErr: `"1.2.3.4.5"`},
	{name: "name ending in number", in: "http://foo.123/", wantErr: `"foo.123"`},
	{name: "IPv6 compressed lower case", in: "http://[2001:DB8:0:0:0:0:0:1]/", want: "http://[2001:db8::1]/"},
	{name: "IPv6 default port", in: "https://[2001:db8::1]:443/x", want: "https://[2001:db8::1]/x"},
	{name: "IPv6 other port", in: "http://[2001:db8::1]:8080", want: "http://[2001:db8::1]:8080/"},
	{name: "IPv4-mapped IPv6", in: "http://[::FFFF:192.0.2.1]/", want: "http://[::ffff:192.0.2.1]/"},
	{name: "IPv6 unclosed", in: "http://[::1/", wantErr: `"[::1"`},
	{name: "IPv6 junk after bracket", in: "http://[::1]x/", wantErr: `"x"`},
	{name: "IPv4 in brackets", in: "http://[192.0.2.1]/", wantErr: `"[192.0.2.1]"`},
	{name: "IPv6 invalid", in: "http://[::g]/", wantErr: `"[::g]"`},
	{name: "IPv6 zone", in: "http://[fe80::1%25eth0]/", wantErr: "zone"},

	// Port.
	{name: "http default port", in: "http://host.test:80/", want: "http://host.test/"},
	{name: "https default port", in: "https://host.test:443/", want: "https://host.test/"},
	{name: "https port on http", in: "http://host.test:443/", want: "http://host.test:443/"},
	{name: "http port on https", in: "https://host.test:80/", want: "https://host.test:80/"},
	{name: "leading zeros", in: "http://host.test:0080/", want: "http://host.test/"},
	{name: "empty port", in: "http://host.test:/", want: "http://host.test/"},
	{name: "other port", in: "http://host.test:8080", want: "http://host.test:8080/"},
	{name: "highest port", in: "http://host.test:65535/", want: "http://host.test:65535/"},
	{name: "port zero", in: "http://host.test:0/", wantErr: `"0"`},
	{name: "port too big", in: "http://host.test:65536/", wantErr: `"65536"`},
	{name: "port huge", in: "http://host.test:99999999999999999999999/", wantErr: `"99999999999999999999999"`},
	{name: "port not a number", in: "http://host.test:8o/", wantErr: `"8o"`},
	{name: "negative port", in: "http://host.test:-1/", wantErr: `"-1"`},
	{name: "second colon", in: "http://host.test:80:80/", wantErr: `"80:80"`},

	// Path.
	{name: "empty path", in: "http://host.test", want: "http://host.test/"},
	{name: "path case kept", in: "http://host.test/A/b", want: "http://host.test/A/b"},
	{name: "dot segments", in: "http://host.test/a/./b/../../c/./d", want: "http://host.test/c/d"},
	{name: "dot segments above root", in: "http://host.test/../../a", want: "http://host.test/a"},
	{name: "trailing dot-dot keeps slash", in: "http://host.test/a/b/..", want: "http://host.test/a/"},
	{name: "trailing dot keeps slash", in: "http://host.test/a/.", want: "http://host.test/a/"},
	{name: "encoded dot segments", in: "http://host.test/a/%2E%2e/b/%2E/c/.%2E/d", want: "http://host.test/b/d"},
	{name: "dots inside segment kept", in: "http://host.test/a../..b/...", want: "http://host.test/a../..b/..."},
	{name: "backslashes in path", in: `http://host.test\a\b\..\c`, want: "http://host.test/a/c"},
	{name: "empty segments kept", in: "http://host.test//a//b/", want: "http://host.test//a//b/"},
	{name: "trailing slash kept", in: "http://host.test/a/", want: "http://host.test/a/"},

	// Percent-encoding.
	{name: "unreserved escapes decoded", in: "http://host.test/%7e%41%2D%2e%5F%30", want: "http://host.test/~A-._0"},
	{name: "mixed-case escapes upper-cased", in: "http://host.test/%e2%82%Ac?q=%3d%c3%bc", want: "http://host.test/%E2%82%AC?q=%3D%C3%BC"},
	{name: "reserved escapes kept", in: "http://host.test/a%2Fb%3Fc%23d%25e?x=%26%3D%2B", want: "http://host.test/a%2Fb%3Fc%23d%25e?x=%26%3D%2B"},
	{name: "escaped backslash is not a separator", in: "http://host.test/a%5c..%5cb", want: "http://host.test/a%5C..%5Cb"},
	{name: "space and non-ASCII encoded", in: "http://host.test/a b/ü?q=ü ü", want: "http://host.test/a%20b/%C3%BC?q=%C3%BC%20%C3%BC"},
	{name: "stray percent", in: "http://host.test/100%/%zz/%4?p=%&q=%g1", want: "http://host.test/100%25/%25zz/%254?p=%25&q=%25g1"},
	{name: "percent before escape", in: "http://host.test/%%41", want: "http://host.test/%25A"},
	{name: "characters that must be encoded", in: "http://host.test/<\"x\">{|}^`[]", want: "http://host.test/%3C%22x%22%3E%7B%7C%7D%5E%60%5B%5D"},
	{name: "sub-delims kept", in: "http://host.test/!$&'()*+,;=:@?!$&'()*+,;=:@/?", want: "http://host.test/!$&'()*+,;=:@?!$&'()*+,;=:@/?"},
	{name: "invalid UTF-8 escape kept", in: "http://host.test/%ff?%fe", want: "http://host.test/%FF?%FE"},
	{name: "bidi override encoded", in: "http://host.test/\u202etxt.exe", want: "http://host.test/%E2%80%AEtxt.exe"},

	// Query and fragment.
	{name: "parameter order kept", in: "http://host.test/?b=2&a=1&b=1", want: "http://host.test/?b=2&a=1&b=1"},
	{name: "slash and question mark in query", in: "http://host.test/p?u=http://x.test/?y", want: "http://host.test/p?u=http://x.test/?y"},
	{name: "plus kept in query", in: "http://host.test/s?q=a+b c", want: "http://host.test/s?q=a+b%20c"},
	{name: "backslash in query encoded", in: `http://host.test/?a\b`, want: "http://host.test/?a%5Cb"},
	{name: "dot segments not in query", in: "http://host.test/?/../a", want: "http://host.test/?/../a"},
	{name: "empty query dropped", in: "http://host.test/a?", want: "http://host.test/a"},
	{name: "tracking parameters dropped", in: "https://host.test/v?utm_source=share&id=3&UTM_Medium=x&fbclid=abc&gclid=1", want: "https://host.test/v?id=3"},
	{name: "only tracking parameters", in: "https://host.test/v?utm_source=share", want: "https://host.test/v"},
	{name: "escaped tracking parameters", in: "https://host.test/v?utm%5Fsource=x&%66bclid=y&id=1", want: "https://host.test/v?id=1"},
	{name: "parameter merely containing utm kept", in: "https://host.test/v?xutm_a=1&utm=2", want: "https://host.test/v?xutm_a=1&utm=2"},
	{name: "empty query before fragment", in: "http://host.test/a?#top", want: "http://host.test/a"},
	{name: "query of separators kept", in: "http://host.test/a?&", want: "http://host.test/a?&"},
	{name: "query right after host", in: "http://host.test?q", want: "http://host.test/?q"},
	{name: "fragment removed", in: "http://host.test/a#b?c", want: "http://host.test/a"},
	{name: "fragment right after host", in: "http://host.test#x", want: "http://host.test/"},
}

func TestURL(t *testing.T) {
	for _, tt := range urlTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := URL(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("URL(%q) = %q, want an error mentioning %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("URL(%q) error = %q, want it to mention %q", tt.in, err, tt.wantErr)
				}
				if got != "" {
					t.Errorf("URL(%q) = %q with an error, want \"\"", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("URL(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestURLIdempotent(t *testing.T) {
	for _, tt := range urlTests {
		if tt.wantErr != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			once, err := URL(tt.in)
			if err != nil {
				t.Fatalf("URL(%q) error = %v", tt.in, err)
			}
			checkURL(t, once)
		})
	}
}

var hostTests = []struct {
	name    string
	in      string
	want    string
	wantErr string
}{
	{name: "IDN upper case trailing dot", in: "Bücher.Example.", want: "xn--bcher-kva.example"},
	{name: "surrounding white space", in: "  HOST.Test \n", want: "host.test"},
	{name: "full-width", in: "ｈｏｓｔ．ｔｅｓｔ", want: "host.test"},
	{name: "homograph converted", in: "аррӏе.test", want: "xn--80ak6aa92e.test"},
	{name: "sharp s non-transitional", in: "straße.example", want: "xn--strae-oqa.example"},
	{name: "A-label kept", in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
	{name: "hyphens and underscore", in: "r3---sn_a.test", want: "r3---sn_a.test"},
	{name: "single label", in: "localhost", want: "localhost"},
	{name: "longest label", in: strings.Repeat("a", 63) + ".test", want: strings.Repeat("a", 63) + ".test"},
	{name: "longest name", in: strings.Repeat("abcdefghi.", 24) + "abcdefghijklm", want: strings.Repeat("abcdefghi.", 24) + "abcdefghijklm"},
	{name: "empty", in: " ", wantErr: "empty"},
	{name: "IPv4", in: "192.0.2.1", wantErr: `"192.0.2.1"`},
	{name: "IPv4 in browser notation", in: "0xC0.0.2.1", wantErr: "IP address (192.0.2.1)"},
	{name: "IPv6", in: "2001:db8::1", wantErr: `"2001:db8::1"`},
	{name: "IPv6 in brackets", in: "[2001:db8::1]", wantErr: `"[2001:db8::1]"`},
	{name: "port", in: "host.test:80", wantErr: `":"`},
	{name: "whole URL", in: "https://host.test/a", wantErr: `"https://host.test/a"`},
	{name: "path", in: "host.test/a", wantErr: `'/'`},
	{name: "empty label", in: "a..test", wantErr: `"a..test"`},
	{name: "leading dot", in: ".test", wantErr: `".test"`},
	{name: "two trailing dots", in: "a.test..", wantErr: `"a.test.."`},
	{name: "only a dot", in: ".", wantErr: `"."`},
	{name: "label too long", in: strings.Repeat("a", 64) + ".test", wantErr: "part \"aaaaaaaaaa"},
	{name: "name too long", in: strings.Repeat("abcdefghi.", 24) + "abcdefghijklmn", wantErr: "254 characters"},
	{name: "IDN label too long", in: strings.Repeat("ü", 60) + ".test", wantErr: "characters in its ASCII form"},
	{name: "space", in: "a b.test", wantErr: "space"},
	{name: "asterisk", in: "*.host.test", wantErr: `'*'`},
	{name: "percent", in: "%68ost.test", wantErr: `'%'`},
	{name: "control character", in: "a\x01b.test", wantErr: "U+0001"},
	{name: "ends in number", in: "foo.123", wantErr: `"foo.123"`},
	{name: "bad punycode", in: "xn--abc.test", wantErr: `"xn--abc"`},
	{name: "disallowed character", in: "a⒈b.test", wantErr: "U+2488"},
	{name: "joiner out of place", in: "a\u200d.test", wantErr: "joiner"},
	{name: "too long input", in: strings.Repeat("a", MaxURLLength+1), wantErr: "4097 bytes"},
}

func TestHost(t *testing.T) {
	for _, tt := range hostTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Host(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Host(%q) = %q, want an error mentioning %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Host(%q) error = %q, want it to mention %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Host(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Host(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkHost(t, got)
		})
	}
}

// TestHostMatchesURL guards what block lists rely on: the host of a canonical URL is the
// canonical host name.
func TestHostMatchesURL(t *testing.T) {
	for _, tt := range hostTests {
		if tt.wantErr != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			got, err := URL("http://" + strings.TrimSpace(tt.in) + "/")
			if err != nil {
				t.Fatalf("URL with host %q error = %v", tt.in, err)
			}
			if want := "http://" + tt.want + "/"; got != want {
				t.Errorf("URL with host %q = %q, want %q", tt.in, got, want)
			}
		})
	}
}

// checkURL asserts what grouping relies on for a canonical URL c.
func checkURL(t *testing.T, c string) {
	t.Helper()
	again, err := URL(c)
	if err != nil {
		t.Fatalf("URL(%q) of a canonical URL error = %v", c, err)
	}
	if again != c {
		t.Fatalf("URL(%q) = %q, not idempotent", c, again)
	}
	if len(c) > MaxURLLength {
		t.Fatalf("canonical URL is %d bytes long, over MaxURLLength", len(c))
	}
	scheme, rest, ok := strings.Cut(c, "://")
	if !ok || scheme != "http" && scheme != "https" {
		t.Fatalf("canonical URL %q has no lower-case http or https scheme", c)
	}
	if strings.Contains(c, "#") {
		t.Fatalf("canonical URL %q has a fragment", c)
	}
	hostport := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostport = rest[:i]
	}
	if strings.Contains(hostport, "@") {
		t.Fatalf("canonical URL %q has user information", c)
	}
	if hostport != strings.ToLower(hostport) {
		t.Fatalf("canonical URL %q has upper case in its host", c)
	}
	u, err := url.Parse(c)
	if err != nil {
		t.Fatalf("url.Parse(%q) error = %v", c, err)
	}
	if u.Scheme != scheme || u.Host != hostport || u.User != nil || u.Fragment != "" {
		t.Fatalf("url.Parse(%q) = scheme %q host %q user %v fragment %q, want scheme %q host %q",
			c, u.Scheme, u.Host, u.User, u.Fragment, scheme, hostport)
	}
	if h := u.Hostname(); !isIP(h) {
		got, err := Host(h)
		if err != nil || got != h {
			t.Fatalf("Host(%q) of the host of canonical URL %q = %q, %v; want it unchanged", h, c, got, err)
		}
	}
}

// checkHost asserts what block lists rely on for a canonical host name h.
func checkHost(t *testing.T, h string) {
	t.Helper()
	again, err := Host(h)
	if err != nil || again != h {
		t.Fatalf("Host(%q) of a canonical host = %q, %v; not idempotent", h, again, err)
	}
	if h != strings.ToLower(h) || strings.HasSuffix(h, ".") || len(h) > maxNameLength {
		t.Fatalf("canonical host %q is not lower case without a trailing dot and at most %d long", h, maxNameLength)
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > maxLabelLength {
			t.Fatalf("canonical host %q has a label %q of length %d", h, label, len(label))
		}
	}
	if isIP(h) {
		t.Fatalf("canonical host %q is an IP address", h)
	}
	got, err := URL("https://" + h + "/")
	if want := "https://" + h + "/"; err != nil || got != want {
		t.Fatalf("URL with canonical host %q = %q, %v; want %q", h, got, err, want)
	}
}

func isIP(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

func FuzzURL(f *testing.F) {
	for _, tt := range urlTests {
		f.Add(tt.in)
	}
	for _, tt := range hostTests {
		f.Add("http://" + tt.in + "/")
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := URL(in)
		if err != nil {
			if got != "" || err.Error() == "" {
				t.Fatalf("URL(%q) = %q, %q; want \"\" and a message", in, got, err)
			}
			return
		}
		checkURL(t, got)
	})
}

func FuzzHost(f *testing.F) {
	for _, tt := range hostTests {
		f.Add(tt.in)
	}
	for _, tt := range urlTests {
		if u, err := url.Parse(tt.in); err == nil {
			f.Add(u.Host)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Host(in)
		if err != nil {
			if got != "" || err.Error() == "" {
				t.Fatalf("Host(%q) = %q, %q; want \"\" and a message", in, got, err)
			}
			return
		}
		checkHost(t, got)
		if err := MixedScripts(got); err != nil && err.Error() == "" {
			t.Fatalf("MixedScripts(%q) gave an error without a message", got)
		}
	})
}

func BenchmarkURL(b *testing.B) {
	inputs := []string{
		"https://video.host.test/watch?v=abc123&t=42",
		"HTTP://User:pw@Video.Host.test:80/a/./b/../c/%7euser/file%20name.mp4?x=1&a=2#t=10",
		"https://bücher.example/suche?q=straße über",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := URL(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}
