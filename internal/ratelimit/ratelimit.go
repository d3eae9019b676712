// Package ratelimit counts public reports per client, for the API and the console's report
// form alike, without keeping any address.
package ratelimit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limiter counts public reports per client in one-minute windows without keeping any IP
// address: a client is known only by a keyed hash of its address, the key is random and
// replaced at every window, and the counts are dropped with it. Nothing is written to disk,
// and after a minute nobody (not even this process) can tell which address made which count.
type Limiter struct {
	perWindow int // <0: unlimited
	mu        sync.Mutex
	key       [32]byte
	window    time.Time
	counts    map[uint64]int
}

// maxTracked bounds the memory of one window. Beyond it new clients are not limited: the
// limit protects the queue from one noisy client, and must not lock everyone out.
const maxTracked = 200_000

// New returns a limiter of perMinute reports per client; a negative value disables it (load
// tests).
func New(perMinute int) *Limiter {
	return &Limiter{perWindow: perMinute, counts: map[uint64]int{}}
}

// Allow counts one report from the client and reports whether it is within the limit.
func (l *Limiter) Allow(client string) bool {
	if l.perWindow < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.window) >= time.Minute {
		l.window = now
		rand.Read(l.key[:])
		clear(l.counts)
	}
	mac := hmac.New(sha256.New, l.key[:])
	mac.Write([]byte(client))
	k := binary.BigEndian.Uint64(mac.Sum(nil))
	n, seen := l.counts[k]
	if !seen && len(l.counts) >= maxTracked {
		return true
	}
	if n >= l.perWindow {
		return false
	}
	l.counts[k] = n + 1
	return true
}

// Client is the client's address, as the connection or a trusted proxy's header (empty for
// none) says.
func Client(r *http.Request, header string) string {
	if h := header; h != "" {
		if v := r.Header.Get(h); v != "" {
			parts := strings.Split(v, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
