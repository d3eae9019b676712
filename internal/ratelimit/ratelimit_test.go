package ratelimit

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
)

// TestLimiterKeepsNoAddress proves that the rate limiter remembers a client without keeping
// its address: after counting one report, no string, map key, byte array or integer reachable
// from the limiter holds the address, as text or as its four bytes.
func TestLimiterKeepsNoAddress(t *testing.T) {
	const addr = "198.51.100.7"
	ip := netip.MustParseAddr(addr).As4()
	l := New(3)
	if !l.Allow(addr) {
		t.Fatal("the first report was refused")
	}
	if got, want := len(l.counts), 1; got != want {
		t.Fatalf("the limiter counts %d clients, want %d", got, want)
	}
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, at string)
	check := func(b []byte, at string) {
		if bytes.Contains(b, []byte(addr)) || bytes.Contains(b, ip[:]) {
			t.Errorf("%s holds the client's address: %q", at, b)
		}
	}
	walk = func(v reflect.Value, at string) {
		switch v.Kind() {
		case reflect.String:
			check([]byte(v.String()), at)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			check(binary.BigEndian.AppendUint64(nil, uint64(v.Int())), at)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			check(binary.BigEndian.AppendUint64(nil, v.Uint()), at)
		case reflect.Array, reflect.Slice:
			var b []byte
			for i := range v.Len() {
				if e := v.Index(i); e.Kind() == reflect.Uint8 {
					b = append(b, byte(e.Uint()))
				} else {
					walk(e, at+"[]")
				}
			}
			check(b, at)
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Key(), at+" key")
				walk(it.Value(), at+" value")
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), at+"."+v.Type().Field(i).Name)
			}
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() || v.Kind() == reflect.Pointer && seen[v.Pointer()] {
				return
			}
			if v.Kind() == reflect.Pointer {
				seen[v.Pointer()] = true
			}
			walk(v.Elem(), at)
		}
	}
	walk(reflect.ValueOf(l).Elem(), "limiter")
}
