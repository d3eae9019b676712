// Package canon turns reported addresses into one canonical spelling, so that reports of the
// same content by different people, typed in different ways, land in the same case, and so
// that block lists name each host once. Grouping depends on canonical forms being stable:
// the same input always gives the same output, the output canonicalises to itself, and
// hostile input gives an error, never a panic.
//
// URL applies RFC 3986 normalisation, plus what browsers do where a browser would reach the
// same content:
//
//   - Surrounding white space is trimmed. Empty input, input longer than MaxURLLength bytes,
//     text that is not UTF-8 and control characters (line breaks, tabs) are errors.
//   - The scheme must be http or https, in any case, followed by "//" (a backslash counts as
//     a slash and extra slashes are skipped, as in browsers); it is written in lower case.
//   - User name and password ("user:pass@") are removed: they are personal data and do not
//     change the content.
//   - The host is required. Percent escapes in it are decoded, as browsers do. Names go
//     through Host's rules. Names that end in a number are IPv4 addresses, as in browsers
//     ("0x7f.1" is 127.0.0.1), written in dotted decimal. IPv6 addresses stay in brackets
//     in their compressed lower-case form; zones are errors.
//   - The port is removed when it is the default (80 for http, 443 for https); a port that
//     is not a number from 1 to 65535 is an error; an empty port is removed.
//   - Backslashes in the path are slashes. An empty path is "/". Dot segments ("." and "..",
//     also written "%2E") are removed as in RFC 3986 section 5.2.4. Empty segments and a
//     trailing slash are kept: servers may treat them differently.
//   - In the path and the query, escapes of unreserved characters (letters, digits, "-",
//     ".", "_", "~") are decoded, other escapes get upper-case hex digits, and characters
//     that may not appear literally (space, `"<>[]^{|}`, backquote, a backslash in the
//     query, non-ASCII letters, a "%" not followed by two hex digits) are percent-encoded
//     as UTF-8. Reserved characters are never decoded: "%2F" and "/", "%3F" and "?" stay
//     different.
//   - The query keeps its parameters in their order, without the tracking parameters that
//     share buttons and advertising add ("utm_…", "fbclid", "gclid", "msclkid"): they never
//     select content, and people paste shared links. An empty query ("?" alone) is dropped.
//   - The fragment ("#…") is removed: browsers never send it to the server.
//   - A canonical form longer than MaxURLLength bytes is an error, so that every result can
//     be canonicalised again.
//
// Host, for host names on their own (block lists, operators' domains), applies UTS #46
// (IDNA) lookup mapping with non-transitional processing: "Bücher.Example" is
// "xn--bcher-kva.example". Like browsers, it accepts hyphens anywhere in a label
// ("r3---sn-x.test") and underscores, since content is served from such names; any other
// ASCII character outside letters, digits, "-" and "." is an error. The result is lower
// case, without a trailing dot, with labels of at most 63 octets and at most 253 octets in
// all. Names that look like other names (homographs) are converted, not rejected: whether
// a name deceives is for an officer to judge, and the xn-- form shows the difference.
// IP addresses are errors: a DNS block list needs a name.
//
// Errors are written for the person who typed the address: they name the part that is wrong
// and say what to change, and carry no package prefix because they are shown as they are.
package canon

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxURLLength bounds the work done on one address and the size of what is stored and
// compared, for input and canonical form alike. Real addresses are far shorter; a longer one
// is a paste error or an attack.
const MaxURLLength = 4096

// DNS limits from RFC 1035, in octets of the ASCII form, without the trailing dot.
const (
	maxLabelLength = 63
	maxNameLength  = 253
)

// profile is the UTS #46 lookup mapping as browsers apply it (WHATWG URL "domain to
// ASCII"): non-transitional, so "ß" stays distinct from "ss"; hyphen positions and
// STD3 rules are not checked, since names like "r3---sn-x" and "a_b" are in use. The ASCII
// characters a name may contain are checked separately, more strictly than browsers do.
var profile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
)

// blame is profile without the Bidi rule, which fails some characters on their own that are
// fine in context; it only picks the character to name in an error.
var blame = idna.New(
	idna.MapForLookup(),
	idna.Transitional(false),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
)

// URL returns the canonical form of a reported http or https URL, or an error that says
// exactly what is wrong in words a member of the public can act on. Spellings that RFC 3986
// or browsers treat as the same address get the same canonical form, so that their reports
// group; the rules are in the package documentation.
func URL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the URL is empty; paste the whole address, starting with http:// or https://")
	}
	if len(s) > MaxURLLength {
		return "", fmt.Errorf("the URL is %d bytes long, more than the limit of %d; check that only one address was pasted", len(s), MaxURLLength)
	}
	if err := checkText("the URL", s); err != nil {
		return "", err
	}

	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return "", schemeError(s)
	}
	scheme := strings.ToLower(s[:colon])
	if scheme != "http" && scheme != "https" {
		return "", schemeError(s)
	}
	rest := s[colon+1:]
	slashes := 0
	for slashes < len(rest) && (rest[slashes] == '/' || rest[slashes] == '\\') {
		slashes++
	}
	if slashes < 2 {
		return "", schemeError(s)
	}
	rest = rest[slashes:]

	// Browsers end the authority, path and query at the first "#", and never send what
	// follows; the same applies to "?" for the authority and path.
	rest, _, _ = strings.Cut(rest, "#")
	rest, query, _ := strings.Cut(rest, "?")
	authority, path := rest, ""
	if i := strings.IndexAny(rest, `/\`); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}

	host, port, err := splitHostPort(authority)
	if err != nil {
		return "", err
	}
	if host == "" {
		return "", fmt.Errorf("the URL %s has no host name after %s://; it should look like %s://host.example/page", quote(s), scheme, scheme)
	}
	host, _, err = urlHost(host)
	if err != nil {
		return "", err
	}
	port, err = canonPort(scheme, port)
	if err != nil {
		return "", err
	}

	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	writePath(&b, path)
	var q strings.Builder
	writeEscaped(&q, query, inQuery)
	// Escapes are normalised first, so that "utm%5Fsource" is recognised as "utm_source".
	if query := withoutTracking(q.String()); query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	out := b.String()
	if len(out) > MaxURLLength {
		return "", fmt.Errorf("the URL is %d bytes long once special characters are encoded, more than the limit of %d", len(out), MaxURLLength)
	}
	return out, nil
}

// trackingParams are query parameters added by share buttons and advertising networks.
var trackingParams = []string{"fbclid", "gclid", "msclkid"}

// withoutTracking removes tracking parameters from a raw query, keeping the others in order.
func withoutTracking(query string) string {
	if query == "" {
		return ""
	}
	params := strings.Split(query, "&")
	kept := params[:0]
	for _, p := range params {
		name, _, _ := strings.Cut(p, "=")
		name = strings.ToLower(name)
		if strings.HasPrefix(name, "utm_") || slices.Contains(trackingParams, name) {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// Host returns the canonical form of a host name (for DNS blocking lists): IDNA to ASCII
// (UTS #46, non-transitional, lookup mapping), lower case, no trailing dot. It rejects IP
// literals, empty labels, labels over 63 octets, names over 253 octets, and characters not
// allowed in host names, each with a clear error. URL gives the same form for the host of
// an address, so a block list built with Host matches the cases built with URL.
func Host(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("the host name is empty; give a name such as host.example")
	}
	if len(s) > MaxURLLength {
		return "", fmt.Errorf("the host name is %d bytes long; a host name has at most %d characters", len(s), maxNameLength)
	}
	if err := checkText("the host name", s); err != nil {
		return "", err
	}
	if strings.Contains(s, "://") {
		return "", fmt.Errorf("%s is a whole address; give only the host name, such as host.example", quote(s))
	}
	if strings.HasPrefix(s, "[") || strings.Contains(s, ":") {
		if _, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
			return "", fmt.Errorf("%s is an IP address, not a host name; a DNS block list needs a host name", quote(s))
		}
	}
	name, isIP, err := canonName(s, s)
	if err != nil {
		return "", err
	}
	if isIP {
		return "", fmt.Errorf("%s is an IP address (%s), not a host name; a DNS block list needs a host name", quote(s), name)
	}
	return name, nil
}

// checkText rejects text that cannot have been typed or pasted as one address. Control
// characters are rejected rather than dropped so that a reporter sees what was pasted.
func checkText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s contains bytes that are not text (invalid UTF-8); type or paste it again", what)
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s contains a control character (U+%04X, such as a line break or tab) at byte %d; remove it", what, r, i)
		}
	}
	return nil
}

func schemeError(s string) error {
	return fmt.Errorf("a URL must start with http:// or https://, and %s does not", quote(s))
}

// quote keeps quoted input short enough to read in an error message, and escapes what
// cannot be printed, so that hostile input cannot forge the rest of the message.
func quote(s string) string {
	const limit = 60
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// splitHostPort splits an authority without user information. Only the first colon
// outside brackets starts the port, as in browsers.
func splitHostPort(authority string) (host, port string, err error) {
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", "", fmt.Errorf("the IPv6 address %s has no closing \"]\"", quote(authority))
		}
		host, after := authority[:end+1], authority[end+1:]
		if after == "" {
			return host, "", nil
		}
		if after[0] != ':' {
			return "", "", fmt.Errorf("%s follows the IPv6 address %s; only a port such as :8080 may follow it", quote(after), quote(host))
		}
		return host, after[1:], nil
	}
	host, port, _ = strings.Cut(authority, ":")
	return host, port, nil
}

// canonPort drops default ports, because they reach the same server, and leading zeros.
func canonPort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n := 0
	for i := 0; i < len(port); i++ {
		c := port[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("the port %s is not a number; a port is a number from 1 to 65535, such as 8080", quote(port))
		}
		if n <= 65535 {
			n = n*10 + int(c-'0')
		}
	}
	if n < 1 || n > 65535 {
		return "", fmt.Errorf("the port %s is out of range; a port is a number from 1 to 65535", quote(port))
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		return "", nil
	}
	return strconv.Itoa(n), nil
}

// urlHost canonicalises the host of a URL: an IPv6 literal in brackets, or a name or IPv4
// address, after decoding percent escapes as browsers do.
func urlHost(host string) (string, bool, error) {
	if strings.HasPrefix(host, "[") {
		inner := host[1 : len(host)-1]
		if strings.Contains(inner, "%") {
			return "", false, fmt.Errorf("the IPv6 address %s has a zone (after \"%%\"); a zone only means something on the reporter's own network, so remove it", quote(host))
		}
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is6() {
			return "", false, fmt.Errorf("the host %s is not a valid IPv6 address", quote(host))
		}
		return "[" + a.String() + "]", true, nil
	}
	name := host
	if strings.Contains(host, "%") {
		var err error
		if name, err = unescapeHost(host); err != nil {
			return "", false, err
		}
	}
	return canonName(host, name)
}

func unescapeHost(host string) (string, error) {
	b := make([]byte, 0, len(host))
	for i := 0; i < len(host); i++ {
		c := host[i]
		if c == '%' {
			if i+2 >= len(host) || !isHex(host[i+1]) || !isHex(host[i+2]) {
				return "", fmt.Errorf("the host name %s contains a \"%%\" that is not followed by two hex digits", quote(host))
			}
			c = unhex(host[i+1])<<4 | unhex(host[i+2])
			i += 2
		}
		b = append(b, c)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("the host name %s contains percent escapes that do not decode to text", quote(host))
	}
	return string(b), nil
}

// canonName canonicalises a host name, or a host that browsers read as an IPv4 address
// (it ends in a number); isIP reports the latter. orig is the host as the user typed it,
// which errors name.
func canonName(orig, s string) (name string, isIP bool, err error) {
	for _, r := range s {
		if r < utf8.RuneSelf && !hostByte(byte(r)) && !('A' <= r && r <= 'Z') {
			return "", false, hostCharError(orig, r)
		}
	}
	for label := range strings.SplitSeq(s, ".") {
		if strings.EqualFold(label, "xn--") {
			return "", false, fmt.Errorf("the host name %s has a part \"xn--\" with nothing after it; xn-- starts an encoded international name", quote(orig))
		}
	}
	a, err := profile.ToASCII(s)
	if err != nil {
		return "", false, idnaError(orig, s)
	}
	for i := 0; i < len(a); i++ {
		if !hostByte(a[i]) {
			return "", false, fmt.Errorf("the host name %s contains a character that stands for %q, which is not allowed in host names", quote(orig), a[i])
		}
	}
	a = strings.TrimSuffix(a, ".")
	if a == "" {
		return "", false, fmt.Errorf("the host name %s is empty", quote(orig))
	}
	if endsInNumber(a) {
		ip, ok := parseIPv4(a)
		if !ok {
			return "", false, fmt.Errorf("the host %s ends in a number, so it would be an IPv4 address, but it is not a valid one; an IPv4 address looks like 192.0.2.1", quote(orig))
		}
		return ip.String(), true, nil
	}
	if len(a) > maxNameLength {
		return "", false, fmt.Errorf("the host name %s is %d characters long in its ASCII form; a host name has at most %d", quote(orig), len(a), maxNameLength)
	}
	for label := range strings.SplitSeq(a, ".") {
		if label == "" {
			return "", false, fmt.Errorf("the host name %s has an empty part (two dots in a row, or a dot at the start)", quote(orig))
		}
		if len(label) > maxLabelLength {
			return "", false, fmt.Errorf("the host name %s has a part %s of %d characters in its ASCII form; each part between dots has at most %d", quote(orig), quote(label), len(label), maxLabelLength)
		}
	}
	// Canonical names are only useful if they are fixed points; an A-label that decodes
	// and re-encodes differently would split one name into two.
	if strings.Contains(a, "xn--") {
		if again, err := profile.ToASCII(a); err != nil || again != a {
			return "", false, fmt.Errorf("the host name %s is not a valid international domain name", quote(orig))
		}
	}
	return a, false, nil
}

// hostByte reports whether c may appear in a canonical host name: lower-case letters,
// digits, "-", "_" and the dot between labels.
func hostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

func hostCharError(orig string, r rune) error {
	switch {
	case r == ' ':
		return fmt.Errorf("the host name %s contains a space; host names have no spaces", quote(orig))
	case r == ':':
		return fmt.Errorf("the host name %s contains \":\"; give the host name without a port", quote(orig))
	case r == '/' || r == '\\':
		return fmt.Errorf("the host name %s contains %q; give only the host name, without a path", quote(orig), r)
	case unicode.IsControl(r):
		return fmt.Errorf("the host name %s contains a control character (U+%04X)", quote(orig), r)
	}
	return fmt.Errorf("the host name %s contains %q, which is not allowed in host names; use only letters, digits, \"-\" and \".\"", quote(orig), r)
}

// idnaError finds the character to blame when a name fails IDNA, because "invalid label" is
// no help to a reporter. Failures that depend on context (mixed writing directions, joiners,
// a leading combining mark) are described in general terms.
func idnaError(orig, s string) error {
	for _, r := range s {
		if r < utf8.RuneSelf || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) || r == '\u200c' || r == '\u200d' {
			continue
		}
		if _, err := blame.ToASCII(string(r)); err != nil {
			return fmt.Errorf("the host name %s contains %q (U+%04X), which is not allowed in domain names", quote(orig), r, r)
		}
	}
	for label := range strings.SplitSeq(s, ".") {
		if strings.HasPrefix(strings.ToLower(label), "xn--") {
			if _, err := profile.ToASCII(label); err != nil {
				return fmt.Errorf("the host name %s has a part %s that starts with xn-- but is not a valid encoded international name", quote(orig), quote(label))
			}
		}
	}
	return fmt.Errorf("the host name %s is not a valid international domain name: it mixes writing directions, or misplaces a joiner or accent", quote(orig))
}

// endsInNumber follows the WHATWG URL standard: a host whose last label is a number is an
// IPv4 address, or an error, never a name.
func endsInNumber(s string) bool {
	last := s[strings.LastIndexByte(s, '.')+1:]
	if last == "" {
		return false
	}
	digits := true
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			digits = false
			break
		}
	}
	if digits {
		return true
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4 reads the IPv4 forms browsers accept: one to four parts, each decimal, octal
// (leading 0) or hex (0x), the last part filling the remaining bytes ("127.1", "0x7f000001").
func parseIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(5-len(parts))) {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number parses one part of an IPv4 address. Values stop growing past 2^32, which
// is already out of range, so hostile input cannot overflow.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		var d uint64
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		if n <= 1<<32 {
			n = n*base + d
		}
	}
	return n, true
}

// writePath writes the canonical path: slashes for backslashes, escapes normalised per
// segment, then dot segments removed. Escapes come first so that "%2E%2E" is removed like
// "..", which keeps the result a fixed point.
func writePath(b *strings.Builder, path string) {
	if path == "" {
		b.WriteByte('/')
		return
	}
	segs := splitPath(path[1:])
	out := segs[:0]
	var seg strings.Builder
	for i, s := range segs {
		seg.Reset()
		writeEscaped(&seg, s, inPath)
		s = seg.String()
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	for _, s := range out {
		b.WriteByte('/')
		b.WriteString(s)
	}
	if len(out) == 0 {
		b.WriteByte('/')
	}
}

// splitPath splits at slashes and backslashes, which browsers treat alike in http(s) paths.
func splitPath(p string) []string {
	segs := make([]string, 0, 8)
	start := 0
	for i := 0; i < len(p); i++ {
		if p[i] == '/' || p[i] == '\\' {
			segs = append(segs, p[start:i])
			start = i + 1
		}
	}
	return append(segs, p[start:])
}

// part is where a character stands, which decides whether it may appear literally.
type part int

const (
	inPath part = iota
	inQuery
)

// writeEscaped writes s with its percent-encoding normalised: unreserved characters are
// decoded because RFC 3986 makes both spellings equal; other escapes are kept with
// upper-case hex because decoding them could change meaning; characters that may not appear
// literally are encoded.
func writeEscaped(b *strings.Builder, s string, where part) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if unreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[d>>4])
				b.WriteByte(hex[d&15])
			}
			i += 2
		case c != '%' && literal(c, where):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// literal reports whether c may appear unencoded: RFC 3986 pchar (unreserved, sub-delims,
// ":" and "@"), plus "/" and "?" in a query. The "/" of a path never reaches here.
func literal(c byte, where part) bool {
	if unreserved(c) {
		return true
	}
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
		return true
	case '/', '?':
		return where == inQuery
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
