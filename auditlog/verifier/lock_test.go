//go:build unix

package verifier

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStateLock: while one verification holds a state file, another is refused, and the
// lock is free again once released.
func TestStateLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	unlock, err := lockState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockState(path); err == nil || !strings.Contains(err.Error(), "another verification is using it") {
		t.Errorf("a second lock: %v, want a refusal", err)
	}
	unlock()
	unlock, err = lockState(path)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock()
}
